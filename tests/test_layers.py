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
