"""The dependency direction: domain packages never import the HTTP layer (`gateway`) or the CLI (`shopbot`), and
`gateway` never imports the CLI. Read from the source, so a new import that breaks it fails here."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOMAIN = ["analytics", "assistant", "audit", "canned", "channels", "conversations", "csat", "database", "handoff",
          "learning", "privacy", "proactive", "shop", "telemetry", "translation"]


def _imported_packages(package: str) -> set[tuple[str, str]]:
    """(module file, top-level package imported) for every import in the package, at any depth."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), alias.name.split(".")[0]) for alias in node.names)
    return found


@pytest.mark.parametrize("package", DOMAIN)
def test_a_domain_package_imports_neither_the_http_layer_nor_the_cli(package):
    assert sorted(f"{module} imports {imported}" for module, imported in _imported_packages(package)
                  if imported in ("gateway", "shopbot")) == []


def test_the_http_layer_does_not_import_the_cli():
    assert sorted(module for module, imported in _imported_packages("gateway") if imported == "shopbot") == []


#: Every package of the project (a folder with an `__init__.py`), the tests aside.
PACKAGES = sorted(path.name for path in ROOT.iterdir() if (path / "__init__.py").is_file() and path.name != "tests")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports, at module level or inside a function (`from a import b` counts
    as importing the module `a.b` when there is one, else `a`)."""
    files = {_module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}

    def project_module(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        names: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
                names += [base] + [f"{base}.{alias.name}" for alias in node.names]
        graph[module] = {found for name in names if (found := project_module(name)) not in (None, module)}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_packages():
    packages: dict[str, set[str]] = {}
    for module, imported in _import_graph().items():
        packages.setdefault(module.split(".")[0], set()).update(
            target.split(".")[0] for target in imported if target.split(".")[0] != module.split(".")[0])
    assert _cycles(packages) == []


def test_no_import_cycles_between_modules():
    assert _cycles(_import_graph()) == []


def test_the_import_graph_sees_imports_inside_functions():
    graph = _import_graph()
    assert "learning.training_job" in graph["learning.jobs"]  # imported inside run_job
    assert {"gateway", "learning", "shop"} <= set(PACKAGES)


#: Packages that read other packages' tables on purpose: the admins' report aggregates them read-only, and the
#: benchmarks build their data as tests do.
READS_EVERY_TABLE = {"analytics", "bench"}
QUERYING = {"select", "get", "delete", "update", "insert", "query"}


def _queries_of_other_packages_tables(package: str) -> list[str]:
    """`select(Model)`, `db_session.get(Model, ...)` and the like, of a model another package owns."""
    found = []
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        foreign = {alias.asname or alias.name: node.module.split(".")[0] for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models")
                   and node.module.split(".")[0] != package for alias in node.names}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            for argument in node.args if called in QUERYING else ():
                while isinstance(argument, ast.Attribute):  # Model.column
                    argument = argument.value
                if isinstance(argument, ast.Name) and argument.id in foreign:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} queries {foreign[argument.id]}'s "
                                 f"{argument.id}")
    return found


@pytest.mark.parametrize("package", sorted(set(PACKAGES) - READS_EVERY_TABLE))
def test_a_package_reaches_other_packages_tables_through_their_service_functions(package):
    assert _queries_of_other_packages_tables(package) == []
