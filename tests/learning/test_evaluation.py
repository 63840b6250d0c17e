"""Scoring, reports, the activation gate and the job queue, without a Rasa server."""

import json

import pytest

from assistant.understanding import Understanding
from learning import jobs
from learning.activation import check_gate
from learning.evaluate import EvalRow, InvalidEvaluationData, compare, headline, load_rows, score
from learning.exceptions import ActivationRefused, JobConflict
from learning.models import ModelVersion
from learning.report import write_report

ROWS = [EvalRow("where is my order", "order_status", "en"), EvalRow("¿dónde está mi pedido?", "order_status", "es"),
        EvalRow("cancel it", "cancel_order", "en"), EvalRow("weather?", "out_of_scope", "en")]


def predicted(*intents_and_languages) -> list[Understanding]:
    return [Understanding(language=lang, language_confidence=1.0, text_en=None, intent=intent, confidence=0.9)
            for intent, lang in intents_and_languages]


def test_score_counts_what_an_admin_reads():
    metrics = score(ROWS, predicted(("order_status", "en"), ("cancel_order", "es"), ("cancel_order", "en"),
                                    ("out_of_scope", "en")))
    assert metrics["accuracy"] == 0.75
    assert metrics["per_language"] == {"en": {"rows": 3, "accuracy": 1.0}, "es": {"rows": 1, "accuracy": 0.0}}
    assert metrics["out_of_scope_recall"] == 1.0 and metrics["in_scope_false_rejection"] == 0.0
    assert metrics["per_intent"]["order_status"]["recall"] == 0.5
    assert metrics["confusion"]["labels"] == ["cancel_order", "order_status", "out_of_scope"]
    assert metrics["confusion"]["matrix"][1] == [1, 1, 0]
    assert metrics["errors"] == [{"text": "¿dónde está mi pedido?", "language": "es", "detected": "es",
                                  "expected": "order_status", "predicted": "cancel_order", "confidence": 0.9}]
    assert compare(headline(metrics), {"accuracy": 1.0, "per_language": {"es": 1.0}})["per_language"]["es"] == -1.0


def test_reports_are_written_as_json_and_html(tmp_path):
    metrics = score(ROWS, predicted(*[(r.intent, r.language) for r in ROWS]))
    report = {"model": {"name": "m.tar.gz"}, "data": {"source": "x.jsonl", "rows": 4}, "created_at": "now",
              "metrics": metrics, "comparison": None}
    html = write_report(report, tmp_path).read_text()
    assert "confusion matrix" in html and "data:image/png;base64," in html
    assert json.loads((tmp_path / "report.json").read_text())["metrics"]["accuracy"] == 1.0


def test_bad_evaluation_files_name_the_line(tmp_path):
    data = tmp_path / "rows.jsonl"
    data.write_text('{"text": "hi", "intent": "greet"}\n{"text": "oops"\n')
    with pytest.raises(InvalidEvaluationData, match="line 2"):
        load_rows(data)
    data.write_text('{"text": "hi"}\n')
    with pytest.raises(InvalidEvaluationData, match="line 1"):
        load_rows(data)


def test_the_gate_refuses_an_unscored_or_worse_candidate():
    with pytest.raises(ActivationRefused, match="not been scored"):
        check_gate(ModelVersion(id=2, metrics=None), {"accuracy": 0.9})
    with pytest.raises(ActivationRefused, match="below the active model"):
        check_gate(ModelVersion(id=2, metrics={"accuracy": 0.85}), {"accuracy": 0.9})
    check_gate(ModelVersion(id=2, metrics={"accuracy": 0.9}), {"accuracy": 0.9})
    check_gate(ModelVersion(id=2, metrics={"accuracy": 0.5}), None)


def test_one_training_job_at_a_time_and_jobs_are_claimed_once(fresh_db):
    first = jobs.enqueue(db_session=fresh_db, kind="train", params={}, requested_by="ana")
    with pytest.raises(JobConflict):
        jobs.enqueue(db_session=fresh_db, kind="train", params={}, requested_by="bo")
    evaluation = jobs.enqueue(db_session=fresh_db, kind="evaluate", params={}, requested_by="bo")
    assert jobs.claim_next(fresh_db) == first.id
    assert jobs.claim_next(fresh_db) == evaluation.id
    assert jobs.claim_next(fresh_db) is None
    assert jobs.fail_interrupted(fresh_db) == 2
    fresh_db.refresh(first)
    assert first.status == "failed" and "interrupted" in first.error
