"""A temporary Rasa server for one model (NLU only, nothing persisted), to evaluate a model that is not live."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from learning.settings import get_settings as get_learning_settings
from runtime.environment import rasa_environment
from runtime.processes import Service, free_port, rasa_model_loaded, rasa_server_command, wait_until_healthy
from runtime.settings import get_settings


@contextmanager
def serving(model: Path, *, progress: Callable[[str], None] = print, timeout: float = 300.0) -> Iterator[str]:
    """Start Rasa (`rasa run --enable-api -m MODEL` through bot/rasa_server.py, as the live one) on a free local
    port; yields its URL; stops it afterwards."""
    settings = get_settings()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    service = Service(
        name=f"rasa for {model.name}",
        command=rasa_server_command(settings.rasa_venv, host="127.0.0.1", port=port, model=model),
        env=rasa_environment(),
        health_url=f"{url}/status",
        is_healthy=rasa_model_loaded,
        log_path=settings.var_dir / "logs" / f"rasa-evaluation-{port}.log",
    )
    progress(f"starting a Rasa server for {model.name} (about a minute)")
    service.start()
    try:
        wait_until_healthy([service], timeout=timeout, progress=progress)
        yield url
    finally:
        service.stop()


def live_model_file(rasa_url: str) -> str | None:
    """The model file the live Rasa server has loaded (None if it does not answer)."""
    try:
        response = httpx.get(f"{rasa_url}/status", timeout=5)
        response.raise_for_status()
        return response.json().get("model_file")
    except (httpx.HTTPError, ValueError):
        return None


@contextmanager
def rasa_for(model: Path, *, progress: Callable[[str], None] = print) -> Iterator[str]:
    """The live Rasa server if it serves `model` (no second server needed), else a temporary one."""
    rasa_url = get_learning_settings().live_rasa_url
    live = live_model_file(rasa_url)
    if live and Path(live).name == model.name:
        progress(f"using the live Rasa server at {rasa_url} (it serves {model.name})")
        yield rasa_url
        return
    with serving(model, progress=progress) as url:
        yield url
