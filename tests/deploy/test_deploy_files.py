"""The deployment files (deploy/): valid for their formats, and the same stack as `shopbot run --replicas 2`.

They are checked here against the Compose Specification's schema, Kubernetes' schemas and HAProxy's own config check,
and against the project's code: the processes and their start commands (runtime/processes.py), the load balancer's
pools and health paths (runtime/load_balancer.py), Rasa's endpoints (runtime/rasa_endpoints.py) and the settings
classes (*/settings.py) every environment variable must belong to. No container is started.
"""

import copy
import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
import yaml
from kubernetes_validate import utils as kubernetes_validate
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

import runtime.processes
from database.settings import REPO_ROOT
from gateway.routes.health import router as health_router
from runtime.load_balancer import MONITOR_PATH, Pool, haproxy_config
from runtime.processes import Stack
from runtime.rasa_endpoints import write_endpoints
from runtime.training import ACTIVE_MODEL_LINK
from shopbot.cli import build_parser
from shopbot.secrets import GENERATED_SECRETS

DEPLOY = REPO_ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
KUBERNETES_VERSION = "1.31.0"
KINDS = ("gateway", "rasa", "actions")
REPLICAS = 2
#: Where the containers listen: the ports a single stack uses (runtime/settings.py, gateway/settings.py).
PORTS = {"gateway": 8000, "rasa": 5005, "actions": 5055}
SECRET_NAME = "shopbot-secrets"
SECRET_KEYS = {"postgres-password", "redis-password", "shop-customer-token-secret", "shop-events-secret"}

#: Variables the files set that no settings class reads, and why they are there.
NOT_SETTINGS = {
    "POSTGRES_USER": "the postgres image: the account it creates",
    "POSTGRES_DB": "the postgres image: the database it creates",
    "POSTGRES_PASSWORD": "the postgres image's password; the others build DATABASE_URL from it",
    "PGDATA": "the postgres image: its data in a subdirectory of the volume (a volume's root may hold lost+found)",
    "REDIS_PASSWORD": "redis-server's --requirepass; the others build REDIS_URL from it",
    "PYTHONUNBUFFERED": "the processes' logs reach the container log at once",
}


# Reading the files


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def compose_services(kind: str) -> dict[str, dict]:
    return {name: service for name, service in compose()["services"].items() if re.fullmatch(rf"{kind}-\d+", name)}


def kustomization() -> dict:
    return yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())


def manifests() -> list[dict]:
    documents = []
    for name in kustomization()["resources"]:
        documents += [doc for doc in yaml.safe_load_all((KUBERNETES / name).read_text()) if doc]
    return documents


def manifest(kind: str, name: str) -> dict:
    return next(doc for doc in manifests() if doc["kind"] == kind and doc["metadata"]["name"] == name)


def workloads() -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in manifests() if doc["kind"] in ("Deployment", "StatefulSet", "Job")}


def main_container(workload: dict) -> dict:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    return container


def config_map() -> dict[str, str]:
    return manifest("ConfigMap", "shopbot-settings")["data"]


def k8s_env(container: dict) -> dict[str, dict]:
    """Each variable the container gets: {"value": ...} or {"valueFrom": ...}, the ConfigMap's included."""
    env = {}
    for source in container.get("envFrom", []):
        assert source == {"configMapRef": {"name": "shopbot-settings"}}, source
        env.update({name: {"value": value} for name, value in config_map().items()})
    env.update({entry["name"]: {k: v for k, v in entry.items() if k != "name"} for entry in container.get("env", [])})
    return env


def dockerfile_env() -> dict[str, str]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(dict(pair.split("=", 1) for pair in line[4:].split()))
    return env


def template(value: str) -> str:
    """A variable's value with the secrets it is built from written `{NAME}`, the same for Compose and Kubernetes."""
    value = re.sub(r"\$\{(\w+)(:?[?-][^}]*)?\}", r"{\1}", value)  # Compose: ${NAME:?message}
    return re.sub(r"\$\((\w+)\)", r"{\1}", value)  # Kubernetes: $(NAME)


def url_path(command: list[str]) -> str:
    return urlsplit(next(arg for arg in command if arg.startswith("http"))).path


def haproxy_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in (DEPLOY / "haproxy.cfg").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            current = sections.setdefault(line.strip(), [])
        else:
            current.append(line.strip())
    return sections


def setting_names() -> set[str]:
    """Every environment variable a settings class of the project reads: env_prefix + field name, or its aliases."""
    names = set()
    for path in REPO_ROOT.glob("*/settings.py"):
        module = importlib.import_module(f"{path.parent.name}.settings")
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and issubclass(cls, BaseSettings) and cls.__module__ == module.__name__):
                continue
            prefix = cls.model_config.get("env_prefix", "")
            for field_name, field in cls.model_fields.items():
                alias = field.validation_alias
                if isinstance(alias, AliasChoices):
                    names.update(str(choice).upper() for choice in alias.choices)
                elif isinstance(alias, str):
                    names.add(alias.upper())
                else:
                    names.add(f"{prefix}{field_name}".upper())
    return names


# What `shopbot run --replicas 2` runs


@pytest.fixture
def replicated_stack(tmp_path, monkeypatch) -> tuple[dict[str, runtime.processes.Service], list[Pool]]:
    """The services and HAProxy pools of a two-replica stack, built (not started) as `shopbot run` builds it, with
    the containers' addresses and paths."""
    recorded: list[Pool] = []

    def record_config(path: Path, *, host: str, pools: list[Pool]) -> Path:
        recorded.extend(pools)
        return path

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(runtime.processes, "write_config", record_config)
    monkeypatch.setattr(runtime.processes, "haproxy_command", lambda config: ["haproxy", "-db", "-f", str(config)])
    stack = Stack(model=Path("bot/models") / ACTIVE_MODEL_LINK, database_url="postgresql://shopbot:pw@postgres:5432/shopbot",
                  var_dir=tmp_path, host="0.0.0.0", rasa_port=PORTS["rasa"], actions_port=PORTS["actions"],
                  gateway_port=PORTS["gateway"], rasa_venv=Path(".venv-rasa"),
                  extra_env={"REDIS_URL": "redis://:pw@redis:6379/0"}, replicas=REPLICAS)
    with mock.patch.dict(os.environ, clear=True):  # what the stack sets itself, not what it passes on
        services = {service.name: service for service in stack.build()}
    return services, recorded


def in_container(command: list[str], kind: str) -> list[str]:
    """A replica's command (on a free port) as its container runs it, on the kind's own port."""
    flag = "--port" if "--port" in command else "-p"
    port = command.index(flag) + 1
    return [*command[:port], str(PORTS[kind]), *command[port + 1:]]


# Formats


def test_compose_file_matches_the_compose_specification(tmp_path) -> None:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec"]
    result = subprocess.run([*command, str(DEPLOY / "compose.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # the check sees mistakes: a misspelt key of a health check
    broken = compose()
    broken["services"]["gateway-1"]["healthcheck"]["intervall"] = "10s"
    (tmp_path / "compose.yaml").write_text(yaml.safe_dump(broken))
    assert subprocess.run([*command, str(tmp_path / "compose.yaml")], capture_output=True).returncode != 0


def test_kubernetes_manifests_match_the_kubernetes_schemas() -> None:
    listed = set(kustomization()["resources"])
    assert listed == {path.name for path in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    for document in manifests():
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    # strict: a misspelt field is refused
    broken = copy.deepcopy(workloads()["gateway"])
    main_container(broken)["readinesProbe"] = main_container(broken).pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.skipif(not (shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")),
                    reason="HAProxy is not installed (make servers)")
def test_haproxy_accepts_its_configuration() -> None:
    binary = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    result = subprocess.run([binary, "-c", "-f", str(DEPLOY / "haproxy.cfg")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# Topology


def test_compose_runs_two_of_each_process_and_the_shared_servers() -> None:
    services = compose()["services"]
    expected = {"postgres", "redis", "migrate", "loadbalancer"} | {f"{kind}-{i}" for kind in KINDS
                                                                   for i in range(1, REPLICAS + 1)}
    assert set(services) == expected
    assert services["postgres"]["image"] == "postgres:15"
    assert services["loadbalancer"]["image"].startswith("haproxy:")
    for name, service in services.items():
        if name != "migrate":  # a job that ends
            assert service["healthcheck"]["test"], name
    for kind in KINDS:
        for name, service in compose_services(kind).items():
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
            assert service["restart"] == "unless-stopped"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_kubernetes_runs_the_same_shape_with_probes() -> None:
    replicas = {entry["name"]: entry["count"] for entry in kustomization()["replicas"]}
    assert replicas == dict.fromkeys(KINDS, REPLICAS)
    found = workloads()
    assert {name: doc["kind"] for name, doc in found.items()} == {
        "gateway": "Deployment", "actions": "Deployment", "rasa": "StatefulSet", "postgres": "StatefulSet",
        "redis": "Deployment", "shopbot-migrate": "Job"}
    assert main_container(found["postgres"])["image"] == "postgres:15"
    for kind in KINDS:
        assert found[kind]["spec"]["replicas"] == replicas[kind]
        service = manifest("Service", kind)
        assert service["spec"]["selector"] == found[kind]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["ports"][0]["port"] == PORTS[kind]
    # runAsNonRoot can only verify a numeric user
    assert re.search(r"^USER \d+$", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE)
    # the project's image, named once in kustomization.yaml for every container that runs it
    (image,) = kustomization()["images"]
    for name, workload in found.items():
        spec = workload["spec"]["template"]["spec"]
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            assert container["image"] == image["name"] or name in ("postgres", "redis"), (name, container["name"])
        if workload["kind"] != "Job":
            container = main_container(workload)
            assert container["readinessProbe"] and container["livenessProbe"], name


def test_each_rasa_replica_is_reachable_for_model_activations() -> None:
    """Activations load the model on each Rasa replica (GATEWAY_RASA_REPLICA_URLS), not on one the balancer picks."""
    rasa_names = sorted(compose_services("rasa"))
    for name, gateway in compose_services("gateway").items():
        assert json.loads(gateway["environment"]["GATEWAY_RASA_REPLICA_URLS"]) == [
            f"http://{rasa}:{PORTS['rasa']}" for rasa in rasa_names], name
        assert gateway["environment"]["GATEWAY_RASA_URL"] == f"http://loadbalancer:{PORTS['rasa']}"
    rasa = workloads()["rasa"]
    headless = manifest("Service", rasa["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None"
    count = next(entry["count"] for entry in kustomization()["replicas"] if entry["name"] == "rasa")
    assert json.loads(config_map()["GATEWAY_RASA_REPLICA_URLS"]) == [
        f"http://rasa-{i}.{headless['metadata']['name']}:{PORTS['rasa']}" for i in range(count)]
    balanced = manifest("Service", urlsplit(config_map()["GATEWAY_RASA_URL"]).hostname)
    assert balanced["spec"].get("clusterIP") != "None"
    assert balanced["spec"]["selector"] == rasa["spec"]["template"]["metadata"]["labels"]


# Health checks and the load balancer


def test_health_checks_use_the_paths_of_the_stack(replicated_stack) -> None:
    services, pools = replicated_stack
    gateway_routes = {route.path for route in health_router.routes}
    for kind in KINDS:
        pool = next(pool for pool in pools if pool.name == kind)
        paths = {pool.health_path, urlsplit(services[f"{kind}-1"].health_url).path}
        if kind == "gateway":
            assert paths <= gateway_routes
        for name, service in compose_services(kind).items():
            assert url_path(service["healthcheck"]["test"]) in paths, name
        container = main_container(workloads()[kind])
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            if probe in container:
                assert container[probe]["httpGet"]["path"] in paths, (kind, probe)
                assert container[probe]["httpGet"]["port"] == PORTS[kind]
    balancer = compose()["services"]["loadbalancer"]
    assert url_path(balancer["healthcheck"]["test"]) == MONITOR_PATH


def test_haproxy_balances_the_compose_replicas_as_the_stack_does(replicated_stack) -> None:
    _, pools = replicated_stack
    sections = haproxy_sections()
    local = haproxy_config(host="127.0.0.1", pools=pools)
    defaults = local.split("defaults\n", 1)[1].split("frontend", 1)[0].split("\n")
    assert {line.strip() for line in defaults if line.strip()} <= set(sections["defaults"])
    assert {pool.name for pool in pools} == set(KINDS)
    for pool in pools:
        frontend, backend = sections[f"frontend {pool.name}"], sections[f"backend {pool.name}_replicas"]
        assert f"bind :{pool.listen_port}" in frontend
        assert f"monitor-uri {MONITOR_PATH}" in frontend
        assert f"default_backend {pool.name}_replicas" in frontend
        assert "balance roundrobin" in backend
        assert f"option httpchk GET {pool.health_path}" in backend
        servers = [line.split() for line in backend if line.startswith("server ")]
        assert [(name, address) for _, name, address in servers] == [
            (name, f"{name}:{PORTS[pool.name]}") for name in sorted(compose_services(pool.name))]
    text = (DEPLOY / "haproxy.cfg").read_text()
    assert not re.search(r"^\s*(cookie|stick|balance\s+(source|uri|hdr))", text, re.MULTILINE), "no sticky sessions"
    assert compose()["services"]["loadbalancer"]["volumes"] == ["./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"]


# Start commands


def container_commands(kind: str) -> list[list[str]]:
    return [service["command"] for service in compose_services(kind).values()] + [
        main_container(workloads()[kind])["command"]]


def test_start_commands_are_the_ones_the_stack_runs(replicated_stack) -> None:
    services, _ = replicated_stack
    # The project's processes from its venv (.venv), Rasa from Rasa's (.venv-rasa): the two the Dockerfile builds.
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "python3.11 -m venv .venv " in dockerfile and "python3.10 -m venv .venv-rasa " in dockerfile
    assert ".venv-rasa/bin/pip install --no-cache-dir -r bot/requirements.txt" in dockerfile
    for kind in ("gateway", "actions"):
        expected = [".venv/bin/python", *in_container(services[f"{kind}-1"].command, kind)[1:]]
        for command in container_commands(kind):
            assert command == expected, kind
    rasa = in_container(services["rasa-1"].command, "rasa")
    endpoints = rasa.index("--endpoints") + 1
    expected = [*rasa[:endpoints], "deploy/rasa-endpoints.yml", *rasa[endpoints + 1:]]
    assert expected[0] == ".venv-rasa/bin/python"
    for command in container_commands("rasa"):
        assert command == expected
    assert (REPO_ROOT / expected[endpoints]).is_file()
    migrate = [".venv/bin/shopbot", "db", "upgrade"]
    assert compose()["services"]["migrate"]["command"] == migrate
    assert main_container(workloads()["shopbot-migrate"])["command"] == migrate
    assert build_parser().parse_args(migrate[1:]).func.__name__ == "cmd_db_upgrade"


def test_rasa_endpoints_are_the_ones_the_stack_writes(tmp_path) -> None:
    environment = compose()["services"]["rasa-1"]["environment"]
    database_url = template(environment["DATABASE_URL"]).format(POSTGRES_PASSWORD="pw")
    redis_url = template(environment["REDIS_URL"]).format(REDIS_PASSWORD="pw")
    actions_url = f"http://actions:{PORTS['actions']}/webhook"
    secrets = write_endpoints(tmp_path / "endpoints.yml", database_url=database_url, actions_url=actions_url,
                              redis_url=redis_url)
    assert yaml.safe_load((DEPLOY / "rasa-endpoints.yml").read_text()) == yaml.safe_load(
        (tmp_path / "endpoints.yml").read_text())
    # Rasa gets each password its endpoints name, from the password the others use
    passwords = {"SHOPBOT_TRACKER_DB_PASSWORD": "POSTGRES_PASSWORD", "SHOPBOT_LOCK_STORE_PASSWORD": "REDIS_PASSWORD"}
    assert set(secrets) == set(passwords)
    for name, source in passwords.items():
        assert template(environment[name]) == f"{{{source}}}"
        assert k8s_env(main_container(workloads()["rasa"]))[name] == {"value": f"$({source})"}
    # `actions` is the balancer in Compose and the action servers' Service in Kubernetes
    assert "actions" in compose()["services"]["loadbalancer"]["networks"]["default"]["aliases"]
    assert manifest("Service", "actions")["spec"]["ports"][0]["port"] == PORTS["actions"]
    for host in ("postgres", "redis"):
        assert host in compose()["services"]
        manifest("Service", host)


# Environment


def test_every_variable_is_a_setting_or_explained(replicated_stack) -> None:
    services, _ = replicated_stack
    settings = setting_names()
    assert {"DATABASE_URL", "REDIS_URL", "GATEWAY_RASA_URL", "GATEWAY_RASA_REPLICA_URLS", "SHOP_EVENTS_SECRET",
            "SHOP_CUSTOMER_TOKEN_SECRET", "GATEWAY_TRUSTED_PROXIES"} <= settings
    assert "GATEWAY_RASA_URLS" not in settings
    # Read by Rasa or the action server themselves, set for them by runtime/ as the stack starts them
    from_runtime = set(services["rasa-1"].env) | set(services["actions-1"].env)
    allowed = settings | from_runtime | set(NOT_SETTINGS)
    used = {"Dockerfile": set(dockerfile_env())}
    for name, service in compose()["services"].items():
        used[f"compose {name}"] = set(service.get("environment", {}))
    for name, workload in workloads().items():
        for container in [*workload["spec"]["template"]["spec"].get("initContainers", []), main_container(workload)]:
            used[f"kubernetes {name}/{container['name']}"] = set(k8s_env(container))
    unknown = {where: sorted(names - allowed) for where, names in used.items() if names - allowed}
    assert not unknown, f"not a setting of */settings.py and not in NOT_SETTINGS: {unknown}"


def test_each_process_gets_the_environment_the_stack_gives_it(replicated_stack) -> None:
    services, _ = replicated_stack
    image = set(dockerfile_env())
    # The orchestrator restarts the containers: there is no supervisor status for /health to read.
    not_in_containers = {"SHOPBOT_SUPERVISOR_STATUS"}
    for kind in KINDS:
        expected = set(services[f"{kind}-1"].env) - not_in_containers
        if kind != "rasa":  # the secrets `shopbot run` generates locally must be given
            expected |= set(GENERATED_SECRETS)
        for name, service in compose_services(kind).items():
            assert expected <= set(service["environment"]) | image, (name, expected - set(service["environment"]))
        container_env = set(k8s_env(main_container(workloads()[kind])))
        assert expected <= container_env | image, (kind, expected - container_env)


def test_urls_and_secrets_are_the_same_in_compose_and_kubernetes() -> None:
    """DATABASE_URL and REDIS_URL name the same servers and secrets; passwords come from the environment."""
    compose_env = compose()["services"]["gateway-1"]["environment"]
    for kind in (*KINDS, "shopbot-migrate"):
        env = k8s_env(main_container(workloads()[kind]))
        for name in ("DATABASE_URL", "REDIS_URL"):
            if name in env:
                assert template(env[name]["value"]) == template(compose_env[name]), (kind, name)
    for name, workload in workloads().items():
        spec = workload["spec"]["template"]["spec"]
        for container in [*spec.get("initContainers", []), main_container(workload)]:
            defined: set[str] = set()
            for entry in container.get("env", []):
                if "valueFrom" in entry:
                    ref = entry["valueFrom"]["secretKeyRef"]
                    assert ref["name"] == SECRET_NAME and ref["key"] in SECRET_KEYS, (name, entry)
                else:  # Kubernetes expands $(NAME) only for variables defined above it
                    assert set(re.findall(r"\$\((\w+)\)", entry["value"])) <= defined, (name, entry["name"])
                    assert not re.search(r"PASSWORD|SECRET|TOKEN", entry["name"]) or "$(" in entry["value"]
                defined.add(entry["name"])
    assert not re.search(r"PASSWORD|SECRET|TOKEN", " ".join(config_map())), "secrets belong in the Secret"
    for name, service in compose()["services"].items():
        for variable, value in service.get("environment", {}).items():
            if re.search(r"PASSWORD|SECRET|TOKEN", variable):
                assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", value), (name, variable)
            assert "${" not in value or re.search(r"\$\{\w+:\?", value), (name, variable)
    readme = (REPO_ROOT / "README.md").read_text()
    for key in SECRET_KEYS:
        assert f"--from-literal={key}=" in readme
