"""An activation with several Rasa replicas behind one address: every replica serves the new model, or none."""

import asyncio
from pathlib import Path

import pytest

from assistant.rasa_client import RasaClient, RasaUnavailable
from learning import activation, registry
from learning.exceptions import ModelSwitchFailed
from runtime.training import active_model_path


class Replica(RasaClient):
    """A Rasa server that records the models it was told to load, and can refuse one."""

    def __init__(self, refuses: str | None = None) -> None:
        super().__init__("http://replica.invalid")
        self.loaded: list[str] = []
        self.refuses = refuses

    async def load_model(self, model_file: str, timeout: float = 300.0) -> None:
        if model_file == self.refuses:
            raise RasaUnavailable(f"cannot load {model_file}")
        self.loaded.append(model_file)


def _versions(db_session, folder, *names: str):
    for name in names:
        (folder / name).write_bytes(b"model")
    versions = [registry.register(db_session=db_session, path=folder / name, fingerprint=name, trained_by="test",
                                  training_seconds=1.0) for name in names]
    db_session.commit()
    return versions


def _activate(db_session, version, replicas):
    return asyncio.run(activation.activate(
        db_session=db_session, version=version, activated_by="admin", override=True, rasa=Replica(),
        rasa_url="http://rasa.invalid", translator=None, replicas=replicas))  # type: ignore[arg-type]


def test_every_replica_loads_the_activated_model_and_the_rollback(fresh_db, tmp_path):
    first, second = _versions(fresh_db, tmp_path, "first.tar.gz", "second.tar.gz")
    replicas = [Replica(), Replica(), Replica()]
    _activate(fresh_db, first, replicas)
    _activate(fresh_db, second, replicas)
    assert [replica.loaded for replica in replicas] == [[first.path, second.path]] * 3

    asyncio.run(activation.rollback(db_session=fresh_db, activated_by="admin", rasa=Replica(),
                                    rasa_url="http://rasa.invalid", translator=None,  # type: ignore[arg-type]
                                    replicas=replicas))
    assert [replica.loaded[-1] for replica in replicas] == [first.path] * 3
    assert registry.active_version(fresh_db).id == first.id


def test_a_replica_that_cannot_load_it_leaves_every_replica_on_the_previous_model(fresh_db, tmp_path):
    first, second = _versions(fresh_db, tmp_path, "first.tar.gz", "second.tar.gz")
    replicas = [Replica(), Replica(), Replica(refuses=str(tmp_path / "second.tar.gz"))]
    _activate(fresh_db, first, replicas)

    with pytest.raises(ModelSwitchFailed, match="replica 3 of 3"):
        _activate(fresh_db, second, replicas)
    assert [replica.loaded[-1] for replica in replicas] == [first.path] * 3
    assert registry.active_version(fresh_db).id == first.id


def test_a_restarted_rasa_loads_the_active_version(fresh_db, tmp_path):
    start = tmp_path / "start.tar.gz"
    first, second = _versions(fresh_db, tmp_path, "first.tar.gz", "second.tar.gz")
    assert active_model_path(models_dir=tmp_path, fallback=start) == start  # none active yet

    _activate(fresh_db, first, [Replica()])
    _activate(fresh_db, second, [Replica()])
    assert active_model_path(models_dir=tmp_path, fallback=start) == Path(second.path)
    asyncio.run(activation.rollback(db_session=fresh_db, activated_by="admin", rasa=Replica(),
                                    rasa_url="http://rasa.invalid", translator=None))  # type: ignore[arg-type]
    assert active_model_path(models_dir=tmp_path, fallback=start) == Path(first.path)

    Path(first.path).unlink()  # its file is gone: Rasa must still start
    assert active_model_path(models_dir=tmp_path, fallback=start) == start
