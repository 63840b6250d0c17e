"""The report as CSV (one row per language, channel and day, plus the totals) and as a PNG chart."""

import csv
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file-only backend)

COLUMNS = ("scope", "key", "conversations", "automation_rate", "handoff_rate", "fallback_rate", "csat_count",
           "csat_mean")


def _row(scope: str, key: str, figures: dict) -> list:
    return [scope, key, figures["conversations"], figures["automation_rate"], figures["handoff_rate"],
            figures["fallback_rate"], figures["csat"]["count"],
            "" if figures["csat"]["mean"] is None else figures["csat"]["mean"]]


def to_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(_row("total", f"{report['since']}..{report['until']}", report["totals"]))
    for scope in ("languages", "channels"):
        for key, figures in report[scope].items():
            writer.writerow(_row(scope.rstrip("s"), key, figures))
    for day in report["days"]:
        writer.writerow(_row("day", day["date"], day))
    return out.getvalue()


def languages_chart_png(report: dict) -> bytes:
    """Automation, handoff and fallback rates per language (bars) with the CSAT mean above each group."""
    languages = list(report["languages"])
    figure, axes = plt.subplots(figsize=(11, 4), dpi=100)
    width = 0.27
    for offset, (name, key, colour) in enumerate((("automation", "automation_rate", "#2e7d32"),
                                                  ("handoff", "handoff_rate", "#f9a825"),
                                                  ("fallback", "fallback_rate", "#c62828"))):
        axes.bar([i + (offset - 1) * width for i in range(len(languages))],
                 [report["languages"][lang][key] for lang in languages], width, label=name, color=colour)
    for i, lang in enumerate(languages):
        csat = report["languages"][lang]["csat"]
        if csat["mean"] is not None:
            axes.annotate(f"CSAT\n{csat['mean']:.1f} ({csat['count']})", (i, 1.03), ha="center", fontsize=8)
    axes.set_xticks(range(len(languages)), languages)
    axes.set_ylim(0, 1.2)
    axes.set_ylabel("share of conversations / messages")
    axes.set_title(f"Per language, {report['since']} to {report['until']}", fontsize=10)
    axes.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=3, frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    plt.close(figure)
    return out.getvalue()
