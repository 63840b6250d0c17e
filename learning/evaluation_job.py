"""Evaluate a registered model (or any model file) on labelled rows and write the HTML and JSON reports, with a
comparison against the active model."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from database.core import session_scope
from learning import registry
from learning.evaluate import EvalRow, compare, headline, load_rows, predict, rows_from_dicts, score
from learning.job_reporter import JobReporter
from learning.report import write_report
from learning.settings import get_settings
from learning.temporary_rasa import rasa_for
from runtime.settings import get_settings as get_run_settings
from translation.service import get_translation_service


def evaluate_model_file(model: Path, rows: list[EvalRow], *, reporter: JobReporter | None = None,
                        fraction: tuple[float, float] = (0.0, 1.0), echo=print) -> dict:
    """Every figure of `score` for one model, through a Rasa server that serves it."""
    say = reporter.log if reporter else echo
    start, end = fraction

    def progress(done: int, total: int) -> None:
        if reporter:
            reporter.progress(start + (end - start) * done / total, f"{model.name}: {done}/{total} rows parsed")
        else:
            echo(f"{done}/{total} rows parsed")

    with rasa_for(model, progress=say) as rasa_url:
        predictions = asyncio.run(predict(rows, rasa_url=rasa_url, translator=get_translation_service(),
                                          progress=progress))
    return score(rows, predictions)


def build_report(*, model: Path, version_id: int | None, rows: list[EvalRow], source: str, metrics: dict,
                 active: tuple[str, dict] | None) -> dict:
    report = {
        "model": {"name": model.name, "version": version_id, "path": str(model)},
        "data": {"source": source, "rows": len(rows)},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "metrics": metrics,
        "comparison": None,
    }
    if active is not None:
        active_name, active_headline = active
        delta = compare(headline(metrics), active_headline)
        worse = delta["accuracy"] is not None and delta["accuracy"] < 0
        report["comparison"] = {
            "active_model": active_name, "active": active_headline, "delta": delta,
            "verdict": ("Scores below the active model: activating it needs an explicit override." if worse
                        else "Scores at least as well as the active model."),
        }
    return report


def keep_heldout_figures(version_id: int, metrics: dict) -> dict:
    """The headline figures on the held-out set, kept in the registry (what the activation gate compares)."""
    figures = headline(metrics)
    with session_scope() as db_session:
        registry.get_or_raise(db_session, version_id).metrics = figures
    return figures


def score_version_on_heldout(version_id: int, *, reporter: JobReporter, fraction: tuple[float, float]) -> dict:
    """Score a version on the held-out set, keep the figures in the registry and write its report."""
    path = get_settings().heldout_path
    with session_scope() as db_session:
        model = Path(registry.get_or_raise(db_session, version_id).path)
    out_dir = get_run_settings().var_dir / "reports" / f"model-{version_id}-heldout"
    report = evaluate_and_report(model=model, version_id=version_id, rows=load_rows(path), source=path.name,
                                 out_dir=out_dir, active=None, reporter=reporter, fraction=fraction)
    figures = keep_heldout_figures(version_id, report["metrics"])
    reporter.log(f"held-out accuracy {figures['accuracy']}, macro-F1 {figures['macro_f1']}; report in {out_dir}")
    return figures


def evaluate_and_report(
    *, model: Path, version_id: int | None, rows: list[EvalRow], source: str, out_dir: Path,
    active: tuple[str, Path, dict | None] | None, reporter: JobReporter | None = None, echo=print,
    fraction: tuple[float, float] = (0.5, 0.95),
) -> dict:
    """Evaluate `model` (and the active model, for the comparison, unless its figures on these rows are given)
    and write the reports into out_dir. Returns the report. `fraction`: the job's progress band for `model`."""
    say = reporter.step if reporter else (lambda fraction, stage: echo(stage))
    compare_to = None
    if active is not None:
        active_name, active_path, active_figures = active
        if active_figures is None:
            say(0.02, f"evaluating the active model ({active_name}) on the same rows")
            active_figures = headline(evaluate_model_file(active_path, rows, reporter=reporter,
                                                          fraction=(0.02, 0.45), echo=echo))
        compare_to = (active_name, active_figures)
    say(fraction[0], f"evaluating {model.name} on {len(rows)} rows ({source})")
    metrics = evaluate_model_file(model, rows, reporter=reporter, fraction=fraction, echo=echo)
    report = build_report(model=model, version_id=version_id, rows=rows, source=source, metrics=metrics,
                          active=compare_to)
    write_report(report, out_dir)
    return report


def run_evaluation(*, job_id: int, params: dict, requested_by: str, reporter: JobReporter) -> dict:
    """params: version_id, and rows [{"text", "intent", "language"?}] (default: the held-out set)."""
    heldout = not params.get("rows")
    rows = load_rows(get_settings().heldout_path) if heldout else rows_from_dicts(params["rows"])
    source = get_settings().heldout_path.name if heldout else params.get("source") or "rows sent by an admin"
    with session_scope() as db_session:
        version = registry.get_or_raise(db_session, int(params["version_id"]))
        model, version_id = Path(version.path), version.id
        current = registry.active_version(db_session)
        active = None if current is None or current.id == version_id else (
            f"version {current.id}", Path(current.path), current.metrics if heldout else None)
    out_dir = get_run_settings().var_dir / "reports" / f"job-{job_id}"
    report = evaluate_and_report(model=model, version_id=version_id, rows=rows, source=source, out_dir=out_dir,
                                 active=active, reporter=reporter)
    metrics = report["metrics"]
    if heldout:
        keep_heldout_figures(version_id, metrics)
    reporter.log(f"accuracy {metrics['accuracy']}, macro-F1 {metrics['macro_f1']}; report in {out_dir}")
    return {"report_dir": str(out_dir), "report_url": f"/api/v1/admin/jobs/{job_id}/report",
            "metrics": headline(metrics), "comparison": report["comparison"]}
