"""Switch the model Rasa serves without downtime, behind a quality gate, and roll back to any earlier version.

Rasa's `PUT /model` loads the new model next to the old one and swaps them when it is ready; the tracker and
lock stores are kept, so conversations in flight carry on with the new model at their next turn.
"""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from anyio import to_thread
from sqlalchemy import update
from sqlalchemy.orm import Session

from assistant.rasa_client import RasaClient, RasaUnavailable
from learning import registry
from learning.evaluate import headline, load_rows, predict, score
from learning.exceptions import ActivationRefused, ModelSwitchFailed
from learning.models import ModelVersion
from learning.settings import get_settings
from runtime.training import point_active_model
from translation.service import TranslationService

logger = logging.getLogger(__name__)


def mark_active(*, db_session: Session, version: ModelVersion, activated_by: str) -> None:
    db_session.execute(update(ModelVersion).where(ModelVersion.id != version.id).values(active=False))
    version.active = True
    version.activated_at = datetime.now(UTC)
    version.activated_by = activated_by


async def score_live_model(rasa_url: str, translator: TranslationService) -> dict:
    """Held-out figures of the model the live Rasa serves (the active one), for the gate."""
    rows = await asyncio.to_thread(load_rows, get_settings().heldout_path)
    return headline(score(rows, await predict(rows, rasa_url=rasa_url, translator=translator)))


def check_gate(candidate: ModelVersion, active_metrics: dict | None) -> None:
    """A candidate needs held-out figures, and must score at least as well as the active model."""
    if candidate.metrics is None:
        raise ActivationRefused(f"model version {candidate.id} has not been scored on the held-out set; "
                                "evaluate it first, or activate with override")
    if active_metrics and (candidate.metrics.get("accuracy") or 0) < (active_metrics.get("accuracy") or 0):
        raise ActivationRefused(
            f"model version {candidate.id} scores below the active model on the held-out set (accuracy "
            f"{candidate.metrics['accuracy']:.3f} < {active_metrics['accuracy']:.3f}); activate with override "
            "to switch anyway")


async def activate(
    *, db_session: Session, version: ModelVersion, activated_by: str, override: bool, rasa: RasaClient,
    rasa_url: str, translator: TranslationService, replicas: Sequence[RasaClient] = (),
) -> ModelVersion:
    """Switch Rasa to the version: `rasa`, or each of `replicas` when several Rasa servers run behind one URL.
    The database work runs in worker threads, so the gateway's other conversations go on meanwhile."""
    active = await to_thread.run_sync(registry.active_version, db_session)
    path = Path(version.path)
    if active is not None and active.id == version.id:
        point_active_model(path)
        return version
    if not path.exists():
        raise ModelSwitchFailed(f"the model file of version {version.id} is missing: {version.path}")
    if not override:
        active_metrics = active.metrics if active is not None else None
        if active is not None and active_metrics is None:
            active_metrics = await score_live_model(rasa_url, translator)
            await to_thread.run_sync(partial(_store_metrics, db_session, active, active_metrics))
        check_gate(version, active_metrics)
    await to_thread.run_sync(db_session.commit)  # no connection held while Rasa loads the model
    await _load_everywhere(list(replicas) or [rasa], version=version, previous=active)
    await to_thread.run_sync(partial(_mark_active_and_commit, db_session, version, activated_by))
    point_active_model(path)
    logger.info("model version %s (%s) is active, by %s", version.id, path.name, activated_by)
    return version


def _store_metrics(db_session: Session, version: ModelVersion, metrics: dict) -> None:
    version.metrics = metrics
    db_session.commit()


def _mark_active_and_commit(db_session: Session, version: ModelVersion, activated_by: str) -> None:
    mark_active(db_session=db_session, version=version, activated_by=activated_by)
    db_session.commit()


async def _load_everywhere(servers: list[RasaClient], *, version: ModelVersion, previous: ModelVersion | None) -> None:
    """Every Rasa replica loads the version, or none keeps it: the ones already switched go back to `previous`."""
    switched: list[RasaClient] = []
    for server in servers:
        try:
            await server.load_model(version.path)
        except RasaUnavailable as error:
            if previous is not None:
                await _go_back(switched, previous)
            raise ModelSwitchFailed(
                f"Rasa replica {len(switched) + 1} of {len(servers)} could not load model version {version.id}; "
                f"the previous model keeps serving ({error})") from error
        switched.append(server)


async def _go_back(servers: list[RasaClient], previous: ModelVersion) -> None:
    for server in servers:
        try:
            await server.load_model(previous.path)
        except RasaUnavailable:
            logger.error("a Rasa replica could not go back to model version %s", previous.id)


async def rollback(*, db_session: Session, activated_by: str, rasa: RasaClient, rasa_url: str,
                   translator: TranslationService, replicas: Sequence[RasaClient] = ()) -> ModelVersion:
    """Back to the version that was active before the current one (no gate: it served before)."""
    previous = await to_thread.run_sync(registry.previous_version, db_session)
    if previous is None:
        raise ActivationRefused("no earlier active version to roll back to")
    return await activate(db_session=db_session, version=previous, activated_by=activated_by, override=True,
                          rasa=rasa, rasa_url=rasa_url, translator=translator, replicas=replicas)


def ensure_active_model(*, db_session: Session, var_dir: Path, rasa_venv: Path, models_dir: Path,
                        activated_by: str, on_output=None) -> Path:
    """The model Rasa should start with: the active version, or (first start, or its file is gone) a model
    for the current training data, trained if needed, registered and made active."""
    from learning.export import write_export
    from runtime.training import train

    active = registry.active_version(db_session)
    if active is not None and Path(active.path).exists():
        point_active_model(Path(active.path))
        return Path(active.path)
    export = write_export(db_session=db_session, out_root=var_dir / "training" / "startup")
    model = train(rasa_venv=rasa_venv, models_dir=models_dir, root=export.root, on_output=on_output)
    version = registry.register(db_session=db_session, path=model, fingerprint=export.fingerprint,
                                trained_by=activated_by, training_seconds=None, examples=export.admin_examples)
    mark_active(db_session=db_session, version=version, activated_by=activated_by)
    db_session.commit()
    point_active_model(model)
    return model
