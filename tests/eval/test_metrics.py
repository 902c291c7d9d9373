"""EM/F1 checked against values computed by hand with the official CMRC 2018 rules."""

from __future__ import annotations

import pytest

from eval.metrics import abstention_scores, mean_reciprocal_rank, percentiles, recall_at
from qa.scoring import cmrc_em, cmrc_f1, longest_common_run, mixed_segmentation


def test_segmentation_splits_cjk_characters_and_keeps_latin_runs() -> None:
    assert mixed_segmentation("近12亿元") == ["近", "12", "亿", "元"]
    assert mixed_segmentation("5.7%左右") == ["5.7", "%", "左", "右"]
    assert mixed_segmentation("《求是》PM2.5", remove_punctuation=True) == ["求", "是", "pm2.5"]


@pytest.mark.parametrize(
    ("prediction", "answers", "em", "f1"),
    [
        ("近12亿元", ["近12亿元", "12亿元"], 1.0, 1.0),
        (
            "12亿元",
            ["近12亿元"],
            0.0,
            2 * (3 / 3) * (3 / 4) / (3 / 3 + 3 / 4),
        ),  # run 12亿元: P 1, R 3/4
        ("节约社会物流成本近12亿元", ["近12亿元"], 0.0, 2 * (4 / 12) * 1 / (4 / 12 + 1)),
        ("《大国工匠》", ["大国工匠"], 1.0, 1.0),  # punctuation removed before comparing
        ("大龙网集团", ["大龙网集团和沐水集团"], 0.0, 2 * 1 * (5 / 10) / (1 + 5 / 10)),
        ("沐水集团和大龙网", ["大龙网集团"], 0.0, 2 * (3 / 8) * (3 / 5) / (3 / 8 + 3 / 5)),
        ("ABC", ["abc"], 1.0, 1.0),  # lower-cased
        (None, ["5000万元"], 0.0, 0.0),
        ("", ["5000万元"], 0.0, 0.0),
        ("完全无关", ["5000万元"], 0.0, 0.0),
    ],
)
def test_cmrc_em_and_f1(prediction, answers, em, f1) -> None:
    assert cmrc_em(prediction, answers) == em
    assert cmrc_f1(prediction, answers) == pytest.approx(f1)


def test_f1_uses_the_longest_contiguous_run_not_bag_overlap() -> None:
    # Bag-of-tokens overlap would be 4/4; the longest common contiguous run is 2.
    assert longest_common_run(list("甲乙丙丁"), list("丙丁甲乙")) == 2
    assert cmrc_f1("丙丁甲乙", ["甲乙丙丁"]) == pytest.approx(0.5)


def test_ranking_and_abstention_metrics() -> None:
    ranks = [1, 3, None, 2]
    assert recall_at(ranks, 1) == 0.25
    assert recall_at(ranks, 3) == 0.75
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 1 / 2) / 4)
    scores = abstention_scores([True, True, False, False], [True, False, True, False])
    assert (scores["precision"], scores["recall"]) == (0.5, 0.5)
    assert percentiles([10, 20, 30, 40])["p50"] == 25
