"""Evaluation reports an admin reads: report.json (every figure) and report.html (with the confusion matrix)."""

import base64
import io
import json
from pathlib import Path

import jinja2
import matplotlib

from learning.evaluate import HEADLINE

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

_TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation of model {{ report.model.name }}</title>
<style>
 body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2330;max-width:70rem}
 table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccd;padding:.3rem .6rem;text-align:left}
 th{background:#eef1f7}.good{color:#11763a}.bad{color:#b3261e}img{max-width:100%}
</style></head><body>
<h1>Evaluation of model {{ report.model.name }}</h1>
<p>{{ report.data.rows }} rows from <code>{{ report.data.source }}</code>, {{ report.created_at }}.
 Path: language identification, machine translation where configured, the multilingual encoder, Rasa.</p>
<h2>Headline</h2>
<table><tr><th>Figure</th><th>This model</th>{% if report.comparison %}<th>Active model
 ({{ report.comparison.active_model }})</th><th>Difference</th>{% endif %}</tr>
{% for key in headline %}<tr><td>{{ key.replace('_', ' ') }}</td><td>{{ fmt(m[key]) }}</td>
{% if report.comparison %}<td>{{ fmt(report.comparison.active[key]) }}</td>
<td class="{{ 'good' if (report.comparison.delta[key] or 0) >= 0 else 'bad' }}">{{ fmt(report.comparison.delta[key]) }}
</td>{% endif %}</tr>{% endfor %}
</table>
{% if report.comparison %}<p><strong>{{ report.comparison.verdict }}</strong></p>{% endif %}
<h2>Per language</h2>
<table><tr><th>Language</th><th>Rows</th><th>Accuracy</th></tr>
{% for lang, f in m.per_language.items() %}<tr><td>{{ lang }}</td><td>{{ f.rows }}</td><td>{{ fmt(f.accuracy) }}</td>
</tr>{% endfor %}</table>
<h2>Per intent</h2>
<table><tr><th>Intent</th><th>Support</th><th>Precision</th><th>Recall</th><th>F1</th></tr>
{% for name, f in m.per_intent.items() %}<tr><td>{{ name }}</td><td>{{ f.support }}</td><td>{{ fmt(f.precision) }}</td>
<td>{{ fmt(f.recall) }}</td><td>{{ fmt(f.f1) }}</td></tr>{% endfor %}</table>
<h2>Confusion matrix</h2>
<img alt="confusion matrix: expected intents in rows, predicted in columns"
 src="data:image/png;base64,{{ confusion_png }}">
<h2>Misclassified rows ({{ m.errors|length }} shown)</h2>
<table><tr><th>Text</th><th>Language (detected)</th><th>Expected</th><th>Predicted</th><th>Confidence</th></tr>
{% for e in m.errors %}<tr><td dir="auto">{{ e.text }}</td><td>{{ e.language }} ({{ e.detected }})</td>
<td>{{ e.expected }}</td><td>{{ e.predicted }}</td><td>{{ e.confidence }}</td></tr>{% endfor %}</table>
</body></html>
""")


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def confusion_png(confusion: dict) -> bytes:
    labels, matrix = confusion["labels"], confusion["matrix"]
    size = max(6.0, 0.32 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlabel("predicted")
    axes.set_ylabel("expected")
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                axes.text(j, i, str(count), ha="center", va="center", fontsize=6,
                          color="white" if i == j else "black")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def write_report(report: dict, out_dir: Path) -> Path:
    """Write report.json, confusion.png and report.html into out_dir; returns the HTML path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    png = confusion_png(report["metrics"]["confusion"])
    (out_dir / "confusion.png").write_bytes(png)
    html = _TEMPLATE.render(report=report, m=report["metrics"], headline=HEADLINE, fmt=_fmt,
                            confusion_png=base64.b64encode(png).decode())
    path = out_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
