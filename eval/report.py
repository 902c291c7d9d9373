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


def plot(
    path: Path,
    summaries: Mapping[str, Mapping[str, Any]],
    breakdowns: Mapping[str, Mapping[str, Mapping[str, float]]],
    title: str,
) -> None:
    """Recall@k curves per mode, and EM/F1 by language and answer type."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(
        1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1, 2]}
    )
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
