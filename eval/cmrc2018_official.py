"""``python -m eval.cmrc2018_official DATASET.json PREDICTIONS.json``: the CMRC 2018 scorer.

A Python 3 port of the official evaluation script (``cmrc2018_evaluate.py``, CMRC 2018,
Cui et al.), written here from its published rules and kept apart from the product's own
scorer (qa.scoring) so that each checks the other (tests/eval/test_official_scoring.py):

- gold answers and predictions are taken as they are, lower-cased and stripped;
- F1: both are cut into tokens, every CJK character one token and runs of other
  characters by NLTK's ``word_tokenize``, with the script's punctuation list dropped; the
  overlap is the longest common *contiguous* run of tokens; the best gold answer counts;
- EM: the strings with that punctuation removed are equal, for some gold answer;
- a question with no prediction scores 0 and is counted as skipped; the scores are
  averages over all questions, times 100.

The only change from the script: ``word_tokenize(..., preserve_line=True)``, which skips
NLTK's sentence splitter (its punkt model cannot be downloaded here, and answers are
shorter than a sentence).

PREDICTIONS.json maps each question id to its predicted text, as the official script
reads it (``python -m eval --mode reader --predictions OUT`` writes one).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

SP_CHAR = [
    "-", ":", "_", "*", "^", "/", "\\", "~", "`", "+", "=",
    "，", "。", "：", "？", "！", "“", "”", "；", "’", "《", "》", "……", "·", "、",
    "「", "」", "（", "）", "－", "～", "『", "』",
]  # fmt: skip
"""The script's punctuation, in its order ("……" is listed but never matches one char)."""


def _word_tokenize(text: str) -> list[str]:
    from nltk.tokenize import word_tokenize

    return word_tokenize(text, preserve_line=True)


def mixed_segmentation(in_str: str, rm_punc: bool = False) -> list[str]:
    """Tokens: each CJK character (and listed punctuation) alone, other runs via NLTK."""
    in_str = str(in_str).lower().strip()
    segs_out: list[str] = []
    temp_str = ""
    for char in in_str:
        if rm_punc and char in SP_CHAR:
            continue
        if re.search(r"[\u4e00-\u9fa5]", char) or char in SP_CHAR:
            if temp_str != "":
                segs_out.extend(_word_tokenize(temp_str))
                temp_str = ""
            segs_out.append(char)
        else:
            temp_str += char
    if temp_str != "":
        segs_out.extend(_word_tokenize(temp_str))
    return segs_out


def remove_punctuation(in_str: str) -> str:
    """Lower-case, strip, drop the listed punctuation."""
    in_str = str(in_str).lower().strip()
    return "".join(char for char in in_str if char not in SP_CHAR)


def find_lcs(s1: Sequence[str], s2: Sequence[str]) -> tuple[Sequence[str], int]:
    """The longest common contiguous run of ``s1`` and ``s2``, and its length."""
    m = [[0 for _ in range(len(s2) + 1)] for _ in range(len(s1) + 1)]
    mmax = 0
    p = 0
    for i in range(len(s1)):
        for j in range(len(s2)):
            if s1[i] == s2[j]:
                m[i + 1][j + 1] = m[i][j] + 1
                if m[i + 1][j + 1] > mmax:
                    mmax = m[i + 1][j + 1]
                    p = i + 1
    return s1[p - mmax : p], mmax


def calc_f1_score(answers: Sequence[str], prediction: str) -> float:
    """The best F1 of ``prediction`` over the gold ``answers``."""
    f1_scores = []
    for ans in answers:
        ans_segs = mixed_segmentation(ans, rm_punc=True)
        prediction_segs = mixed_segmentation(prediction, rm_punc=True)
        _, lcs_len = find_lcs(ans_segs, prediction_segs)
        if lcs_len == 0:
            f1_scores.append(0.0)
            continue
        precision = 1.0 * lcs_len / len(prediction_segs)
        recall = 1.0 * lcs_len / len(ans_segs)
        f1_scores.append((2 * precision * recall) / (precision + recall))
    return max(f1_scores)


def calc_em_score(answers: Sequence[str], prediction: str) -> float:
    """1 when ``prediction`` equals a gold answer once punctuation is removed."""
    em = 0.0
    for ans in answers:
        if remove_punctuation(ans) == remove_punctuation(prediction):
            em = 1.0
            break
    return em


def per_question(
    ground_truth_file: Mapping[str, Any], prediction_file: Mapping[str, str]
) -> dict[str, tuple[float, float]]:
    """(F1, EM) of every question, 0 for a question with no prediction."""
    scores = {}
    for instance in ground_truth_file["data"]:
        for para in instance["paragraphs"]:
            for qas in para["qas"]:
                query_id = str(qas["id"]).strip()
                answers = [x["text"] for x in qas["answers"]]
                if query_id not in prediction_file:
                    scores[query_id] = (0.0, 0.0)
                    continue
                prediction = str(prediction_file[query_id])
                scores[query_id] = (
                    calc_f1_score(answers, prediction),
                    calc_em_score(answers, prediction),
                )
    return scores


def evaluate(
    ground_truth_file: Mapping[str, Any], prediction_file: Mapping[str, str]
) -> dict[str, float]:
    """The official summary: AVERAGE, F1, EM (percent), TOTAL and SKIP questions."""
    scores = per_question(ground_truth_file, prediction_file)
    total = len(scores)
    skip = sum(1 for query_id in scores if query_id not in prediction_file)
    f1 = 100.0 * sum(f for f, _ in scores.values()) / max(1, total)
    em = 100.0 * sum(e for _, e in scores.values()) / max(1, total)
    return {"AVERAGE": (em + f1) * 0.5, "F1": f1, "EM": em, "TOTAL": total, "SKIP": skip}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the official scores of a predictions file as one JSON line."""
    parser = argparse.ArgumentParser(
        prog="python -m eval.cmrc2018_official",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dataset", type=Path, help="SQuAD-format gold file")
    parser.add_argument("predictions", type=Path, help="JSON object: question id -> text")
    args = parser.parse_args(argv)
    truth = json.loads(args.dataset.read_text(encoding="utf-8"))
    predictions = json.loads(args.predictions.read_text(encoding="utf-8"))
    print(json.dumps(evaluate(truth, predictions), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
