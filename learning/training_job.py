"""A training job: export the data, validate it, `rasa train`, register the model, score it on the held-out set."""

import re
import time
from pathlib import Path

from database.core import session_scope
from learning import registry
from learning.evaluation_job import score_version_on_heldout
from learning.exceptions import LearningError
from learning.export import write_export
from learning.job_reporter import JobReporter
from learning.validate import validate
from runtime.settings import get_settings as get_run_settings
from runtime.training import TrainingFailed, model_path, train

_EPOCHS = re.compile(r"Epochs:\s+\d+%.*?(\d+)/(\d+)")
# Progress bands of the whole job: export+validate, NLU, dialogue policies (by epoch), registry + held-out.
NLU_START, POLICIES_START, TRAINED = 0.15, 0.35, 0.80


class TrainingJobFailed(LearningError):
    pass


def _training_progress(reporter: JobReporter):
    def on_output(line: str) -> None:
        epochs = _EPOCHS.search(line)
        if epochs:
            done, total = int(epochs.group(1)), int(epochs.group(2))
            reporter.progress(POLICIES_START + (TRAINED - POLICIES_START) * done / max(total, 1),
                              f"training the dialogue policy: epoch {done}/{total}")
            return  # progress-bar redraws would flood the log
        if "Starting to train component" in line:
            component = line.rsplit("'", 2)[-2] if line.count("'") >= 2 else "component"
            reporter.progress(NLU_START if "Featurizer" in component else POLICIES_START,
                              f"training {component}")
        reporter.log(line)
    return on_output


def run_training(*, job_id: int, params: dict, requested_by: str, reporter: JobReporter) -> dict:
    settings = get_run_settings()
    export_root: Path = settings.var_dir / "training" / f"job-{job_id}"
    reporter.step(0.02, "exporting the training data (repository YAML + examples added by admins)")
    with session_scope() as db_session:
        export = write_export(db_session=db_session, out_root=export_root)
    reporter.log(f"data fingerprint {export.fingerprint}; {export.admin_examples} example lines added by admins")

    reporter.step(0.05, "validating the training data (rasa data validate)")
    validate(export, rasa_venv=settings.rasa_venv, on_output=reporter.log)

    reporter.step(NLU_START, "training (rasa train)")
    reused = model_path(settings.models_dir, export.fingerprint).exists() and not params.get("force")
    started = time.monotonic()
    try:
        model = train(rasa_venv=settings.rasa_venv, models_dir=settings.models_dir, root=export.root,
                      force=bool(params.get("force")), on_output=_training_progress(reporter))
    except TrainingFailed as error:
        raise TrainingJobFailed(f"{error} (the job log has Rasa's output)") from error
    seconds = None if reused else round(time.monotonic() - started, 1)

    reporter.step(TRAINED + 0.02, "registering the model")
    with session_scope() as db_session:
        version = registry.register(db_session=db_session, path=model, fingerprint=export.fingerprint,
                                    trained_by=requested_by, training_seconds=seconds,
                                    examples=export.admin_examples, job_id=job_id)
        version_id, has_metrics = version.id, version.metrics is not None
    reporter.log(f"model version {version_id}: {model.name} "
                f"({'already trained for this data' if reused else f'trained in {seconds} s'})")

    if not has_metrics:
        score_version_on_heldout(version_id, reporter=reporter, fraction=(TRAINED + 0.05, 0.99))
    with session_scope() as db_session:
        version = registry.get_or_raise(db_session, version_id)
        return {"version": version.id, "fingerprint": version.fingerprint, "training_seconds": seconds,
                "metrics": version.metrics}
