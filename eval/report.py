"""Write the benchmark report: a Markdown table and a PNG plot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.runner import RECALL_KS


def _row(name: str, s: Mapping[str, Any]) -> str:
    latency = s["latency_ms"]
    return (
        f"| {name} | {s['em']:.1f} | {s['f1']:.1f} | {s['evidence_recall@1']:.2f} | "
        f"{s['evidence_recall@5']:.2f} | {s['evidence_mrr']:.2f} | {s['article_recall@5']:.2f} | "
        f"{s['abstention_precision']:.2f} | {s['abstention_recall']:.2f} | "
        f"{s['citation_accuracy']:.2f} | {latency['p50']:.0f} / {latency['p95']:.0f} |"
    )


def markdown(title: str, summaries: Mapping[str, Mapping[str, Any]],
             breakdowns: Mapping[str, Mapping[str, Mapping[str, float]]],
             notes: Sequence[str] = ()) -> str:  # fmt: skip
    """The report as Markdown: one row per mode, then EM/F1 by language and type."""
    lines = [
        f"# {title}",
        "",
        "| mode | EM | F1 | evidence R@1 | evidence R@5 | evidence MRR | article R@5 | "
        "abstention P | abstention R | citation acc. | latency p50 / p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(_row(name, s) for name, s in summaries.items()),
        "",
        "EM and F1 (official CMRC 2018 rules, in %) are over answerable questions; an "
        "abstention on one scores 0. Evidence = the passage holding the gold evidence sentence.",
    ]
    for key, groups in breakdowns.items():
        lines += [
            "",
            f"## By {key} (hybrid)",
            "",
            "| " + key + " | n | EM | F1 |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {name} | {g['n']:.0f} | {g['em']:.1f} | {g['f1']:.1f} |"
            for name, g in groups.items()
        ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def trust_markdown(figures: Mapping[str, Any]) -> str:
    """The calibration section: ECE, reliability table, risk-coverage points."""
    confident = figures["confident_accuracy"]
    lines = [
        "",
        "## Confidence (hybrid)",
        "",
        f"Over the {figures['answers']} questions the reader gave a span for (before "
        f"abstention; an answer to an unanswerable question is wrong): ECE "
        f"{figures['ece']:.3f}. Answers at confidence >= 0.9: {figures['confident_answers']}, "
        + (f"{100 * confident:.1f}% right." if confident is not None else "none.")
        + f" Given after abstention: {figures['answered']}, "
        f"{100 * figures['answered_accuracy']:.1f}% right (EM).",
        "",
        "| confidence | answers | right | mean confidence |",
        "|---|---|---|---|",
        *(
            f"| {low:.1f}–{high:.1f} | {n} | {100 * accuracy:.1f}% | {100 * confidence:.1f}% |"
            for low, high, n, accuracy, confidence in figures["reliability"]
        ),
        "",
        "Risk–coverage (answering only at confidence >= t): "
        + ", ".join(
            f"t {t:.2f}: {100 * coverage:.0f}% answered, {100 * accuracy:.0f}% right"
            for t, coverage, accuracy in _thinned(figures["risk_coverage"])
        )
        + ".",
    ]
    return "\n".join(lines) + "\n"


def _thinned(curve: Sequence[Sequence[float]], points: int = 8) -> list[Sequence[float]]:
    step = max(1, len(curve) // points)
    return [*curve[::step], curve[-1]] if curve and (len(curve) - 1) % step else list(curve[::step])


def plot(
    path: Path,
    summaries: Mapping[str, Mapping[str, Any]],
    breakdowns: Mapping[str, Mapping[str, Mapping[str, float]]],
    title: str,
    trust: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> None:
    """Recall@k curves per mode, EM/F1 by language and answer type, and (given ``trust``)
    reliability diagrams and risk-coverage curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = 2 if trust else 1
    figure, axes = plt.subplots(
        rows, 2, figsize=(13, 4.8 * rows), gridspec_kw={"width_ratios": [1, 2]}, squeeze=False
    )
    left, right = axes[0]
    if trust:
        diagram, curves = axes[1]
        diagram.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
        for name, figures in trust:
            table = figures["reliability"]
            diagram.plot([row[4] for row in table], [row[3] for row in table], marker="o",
                         label=f"{name} (ECE {figures['ece']:.3f})")  # fmt: skip
            curve = figures["risk_coverage"]
            curves.plot([c[1] for c in curve], [c[2] for c in curve], label=name)
        diagram.set(xlabel="mean confidence in bin", ylabel="share right", xlim=(0, 1),
                    ylim=(0, 1.02), title="Reliability (answers before abstention)")  # fmt: skip
        diagram.grid(alpha=0.3)
        diagram.legend(fontsize=7)
        curves.set(xlabel="coverage (share of questions answered)", ylabel="accuracy of answers",
                   xlim=(0, 1), ylim=(0, 1.02), title="Risk-coverage")  # fmt: skip
        curves.grid(alpha=0.3)
        curves.legend(fontsize=7)
    for name, summary in summaries.items():
        left.plot(
            RECALL_KS, [summary[f"evidence_recall@{k}"] for k in RECALL_KS], marker="o", label=name
        )
    left.set(xlabel="k", ylabel="evidence recall@k", ylim=(0, 1.02), title="Retrieval")
    left.set_xticks(RECALL_KS)
    left.grid(alpha=0.3)
    left.legend()
    labels, ems, f1s = [], [], []
    for key in ("lang", "type"):
        for name, group in breakdowns.get(key, {}).items():
            labels.append(f"{name}\n(n={group['n']:.0f})")
            ems.append(group["em"])
            f1s.append(group["f1"])
    positions = range(len(labels))
    right.bar([p - 0.2 for p in positions], ems, width=0.4, label="EM")
    right.bar([p + 0.2 for p in positions], f1s, width=0.4, label="F1")
    right.set_xticks(list(positions), labels, fontsize=8)
    right.set(ylabel="%", ylim=(0, 100), title="End to end (hybrid) by language and type")
    right.legend()
    right.grid(axis="y", alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
