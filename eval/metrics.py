"""Benchmark metrics: official CMRC 2018 EM/F1, retrieval ranks, abstention, latency.

EM and F1 follow the official CMRC 2018 evaluation script (cmrc2018_evaluate.py):
lower-case and strip; every CJK character is a token and listed punctuation is dropped;
runs of other characters are tokenised by NLTK's word tokenizer (the script calls
``nltk.word_tokenize``, which only adds sentence splitting, needless for answer-sized
strings and unavailable offline); F1 uses the longest common *contiguous* run of tokens;
EM compares the strings with punctuation removed; the best gold answer counts; a missing
prediction scores 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np

CMRC_PUNCTUATION = frozenset(
    [
        "-", ":", "_", "*", "^", "/", "\\", "~", "`", "+", "=",
        "，", "。", "：", "？", "！", "“", "”", "；", "’", "《", "》", "……", "·", "、",
        "「", "」", "（", "）", "－", "～", "『", "』",
    ]
)  # fmt: skip
_CJK = re.compile(r"[\u4e00-\u9fa5]")


@cache
def _word_tokenizer():  # noqa: ANN202 - nltk has no type hints
    from nltk.tokenize import NLTKWordTokenizer

    return NLTKWordTokenizer()


def mixed_segmentation(text: str, remove_punctuation: bool = False) -> list[str]:
    """CMRC tokens: CJK characters one by one, other runs through NLTK."""
    tokens: list[str] = []
    run = ""
    for char in text.lower().strip():
        if remove_punctuation and char in CMRC_PUNCTUATION:
            continue
        if _CJK.match(char) or char in CMRC_PUNCTUATION:
            if run:
                tokens.extend(_word_tokenizer().tokenize(run))
                run = ""
            tokens.append(char)
        else:
            run += char
    if run:
        tokens.extend(_word_tokenizer().tokenize(run))
    return tokens


def remove_punctuation(text: str) -> str:
    """Lower-case, strip, and drop the CMRC punctuation characters."""
    return "".join(c for c in text.lower().strip() if c not in CMRC_PUNCTUATION)


def longest_common_run(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common contiguous run of tokens."""
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                current[j + 1] = previous[j] + 1
                best = max(best, current[j + 1])
        previous = current
    return best


def cmrc_f1(prediction: str | None, answers: Iterable[str]) -> float:
    """Best F1 over the gold answers (0 for no prediction or no answers)."""
    if not prediction:
        return 0.0
    predicted = mixed_segmentation(prediction, remove_punctuation=True)
    scores = [0.0]
    for answer in answers:
        gold = mixed_segmentation(answer, remove_punctuation=True)
        common = longest_common_run(gold, predicted)
        if common == 0:
            continue
        precision, recall = common / len(predicted), common / len(gold)
        scores.append(2 * precision * recall / (precision + recall))
    return max(scores)


def cmrc_em(prediction: str | None, answers: Iterable[str]) -> float:
    """1.0 if the prediction equals a gold answer once punctuation is removed."""
    if not prediction:
        return 0.0
    predicted = remove_punctuation(prediction)
    return float(any(remove_punctuation(answer) == predicted for answer in answers))


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
