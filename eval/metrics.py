"""Benchmark metrics: retrieval ranks, abstention, calibration, latency.

EM and F1 are the official CMRC 2018 ones, in qa.scoring (the reader's trainer scores its
validation with them too).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def recall_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions whose first relevant item is ranked within the top ``k``."""
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float:
    """Mean of 1/rank of the first relevant item (0 when none is found)."""
    if not ranks:
        return 0.0
    return sum(1.0 / r for r in ranks if r) / len(ranks)


def abstention_scores(abstained: Sequence[bool], unanswerable: Sequence[bool]) -> dict[str, float]:
    """Precision and recall of abstaining, with unanswerable questions as the positives."""
    true_positive = sum(a and u for a, u in zip(abstained, unanswerable, strict=True))
    abstentions, positives = sum(abstained), sum(unanswerable)
    return {
        "precision": true_positive / abstentions if abstentions else 0.0,
        "recall": true_positive / positives if positives else 0.0,
        "abstentions": float(abstentions),
        "unanswerable": float(positives),
    }


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    """p50 and p95 of latencies in milliseconds."""
    if not values_ms:
        return {"p50": 0.0, "p95": 0.0}
    array = np.asarray(values_ms, dtype=float)
    return {"p50": float(np.percentile(array, 50)), "p95": float(np.percentile(array, 95))}


def reliability(probabilities: Sequence[float], rights: Sequence[bool],
                bins: int = 10) -> list[tuple[float, float, int, float, float]]:  # fmt: skip
    """Per equal-width confidence bin: (low, high, answers, accuracy, mean confidence)."""
    table = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        chosen = [(p, r) for p, r in zip(probabilities, rights, strict=True)
                  if low <= p < high or (b == bins - 1 and p == 1.0)]  # fmt: skip
        if chosen:
            accuracy = sum(r for _, r in chosen) / len(chosen)
            confidence = sum(p for p, _ in chosen) / len(chosen)
            table.append((low, high, len(chosen), accuracy, confidence))
    return table


def expected_calibration_error(probabilities: Sequence[float], rights: Sequence[bool],
                               bins: int = 10) -> float:  # fmt: skip
    """ECE: over equal-width bins, each bin's share of answers × |accuracy − confidence|."""
    total = len(probabilities)
    return sum(n / total * abs(accuracy - confidence)
               for _, _, n, accuracy, confidence in reliability(probabilities, rights, bins)
               ) if total else 0.0  # fmt: skip


def risk_coverage(probabilities: Sequence[float], rights: Sequence[bool],
                  questions: int) -> list[tuple[float, float, float]]:  # fmt: skip
    """(threshold, coverage, accuracy): answering only at confidence ≥ threshold, the share
    of all ``questions`` answered and the share of those answers that are right."""
    ranked = sorted(zip(probabilities, rights, strict=True), key=lambda pair: -pair[0])
    curve, right = [], 0
    for n, (p, r) in enumerate(ranked, start=1):
        right += r
        if n == len(ranked) or ranked[n][0] < p:
            curve.append((p, n / max(1, questions), right / n))
    return curve


WRONG_ANSWER_COST = 1.0
"""What a wrong answer costs, against the 1 a right answer (or a refusal of an unanswerable
question) earns: a reporter is hurt by a wrong answer as much as helped by a right one."""


def decision_score(abstains: bool, unanswerable: bool, right: bool) -> float:
    """One question's worth in the score abstention thresholds are set by: +1 for a right
    answer or a refusal of an unanswerable question, -WRONG_ANSWER_COST for a wrong answer,
    0 for a refusal of an answerable one."""
    if abstains:
        return 1.0 if unanswerable else 0.0
    return 1.0 if right and not unanswerable else -WRONG_ANSWER_COST
