"""Answers scored against gold as the official CMRC 2018 script does: EM and F1.

EM and F1 follow the official CMRC 2018 evaluation script (cmrc2018_evaluate.py):
lower-case and strip; every CJK character is a token and listed punctuation is dropped;
runs of other characters are tokenised by NLTK's word tokenizer (the script calls
``nltk.word_tokenize``, which only adds sentence splitting, needless for answer-sized
strings and unavailable offline); F1 uses the longest common *contiguous* run of tokens;
EM compares the strings with punctuation removed; the best gold answer counts; a missing
prediction scores 0.

Shared by the benchmark (eval/) and the reader's trainer (qa.reading.train), so it sits
below both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

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
