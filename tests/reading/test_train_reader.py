from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa.reading.bundle import ValidationWindows
from qa.reading.train import (
    UNANSWERABLE_SOURCE,
    Example,
    _normalize_with_offsets,
    batch_order,
    best_spans,
    keep_negatives,
    kept_out_paragraphs,
    load_examples,
    unanswerable_pairs,
    validate,
)


def test_per_character_normalisation_keeps_offsets() -> None:
    text = "預計增長５．７％，達到１２億元。"
    normalized, positions = _normalize_with_offsets(text)
    start = text.index("１２億元")
    assert normalized[positions[start] : positions[start + 4]] == "12億元"
    assert normalized.endswith("。") and "," in normalized


def test_traditional_examples_become_simplified_with_exact_answers(tmp_path: Path) -> None:
    context = "在歐洲，梵語的學術研究，由德國學者陸特和漢斯雷頓開創。"
    data = {"data": [{"paragraphs": [{"context": context, "qas": [
        {"id": "1", "question": "哪一地區？", "answers": [{"text": "歐洲", "answer_start": 1}]}
    ]}]}]}  # fmt: skip
    path = tmp_path / "drcd.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (example,) = load_examples(path, simplify=True)
    assert example.context[example.answer_start : example.answer_end] == "欧洲"
    assert example.question == "哪一地区?"


def test_keep_negatives_keeps_every_positive() -> None:
    start = np.array([0, 3, 0, 5, 0, 0])
    assert list(np.flatnonzero(keep_negatives(start, 0.0, seed=1))) == [1, 3]
    assert keep_negatives(start, 1.0, seed=1).all()
    always = np.array([False, False, True, False, False, True])
    assert list(np.flatnonzero(keep_negatives(start, 0.0, seed=1, always=always))) == [1, 2, 3, 5]


def test_kept_out_paragraphs_are_never_trained_on(tmp_path: Path) -> None:
    kept_out = kept_out_paragraphs()
    assert len(kept_out) == 416 + 115  # the calibration slice and the reader's held-out slice
    held, other = sorted(kept_out)[0], "TRAIN_NOT_KEPT_OUT"
    data = {"data": [{"paragraphs": [
        {"id": pid, "context": "株洲节约了近12亿元。", "qas": [
            {"id": f"{pid}_QUERY_0", "question": "节约多少?",
             "answers": [{"text": "近12亿元", "answer_start": 5}]}]}
        for pid in (held, other)]}]}  # fmt: skip
    path = tmp_path / "cmrc2018_train.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (example,) = load_examples(path, simplify=False, skip=kept_out)
    assert example.paragraph == other


def test_unanswerable_pairs_take_another_paragraph_of_the_same_file() -> None:
    examples = [(s, Example(f"第{i}段。", f"问题{i}?", 0, 2, f"P{i}")) for i in range(40)
                for s in (0, 3)]  # fmt: skip
    pairs = unanswerable_pairs(examples, 0.5, seed=2)
    assert 20 < len(pairs) < 60
    by_question = {e.question: e for _, e in examples}
    for source, pair in pairs:
        assert source == UNANSWERABLE_SOURCE and (pair.answer_start, pair.answer_end) == (-1, -1)
        assert pair.context != by_question[pair.question].context
        assert pair.trimmed() is pair


def test_trimmed_examples_lose_what_drcd_answers_add() -> None:
    context = "该站位于北京市。"
    example = Example(context, "在哪?", 2, len(context))
    trimmed = example.trimmed()
    assert context[trimmed.answer_start : trimmed.answer_end] == "北京市"
    kept = Example(context, "在哪?", 4, 7)
    assert kept.trimmed() == kept


def test_batch_order_repeats_a_source_per_pass() -> None:
    sources = np.array([0, 0, 0, 2, 2, 1])
    order = batch_order(sources, steps=4, batch_size=2, seed=3, repeats={2: 3})
    counts = np.bincount(order, minlength=len(sources))
    assert list(counts) == [1, 1, 1, 2, 2, 1]  # 8 draws from a pass of 10: 3+3 for source 2
    full = batch_order(sources, steps=5, batch_size=2, seed=3, repeats={2: 3})
    assert list(np.bincount(full, minlength=len(sources))) == [1, 1, 1, 3, 3, 1]


def test_best_spans_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    start, end = rng.normal(size=(5, 12)), rng.normal(size=(5, 12))
    context = np.ones((5, 12), bool)
    context[:, :3] = False  # question tokens
    context[4] = False  # a window without context
    scores, firsts, lasts = best_spans(start, end, context, max_tokens=4)
    for row in range(4):
        candidates = [
            (start[row, i] + end[row, j], i, j)
            for i in range(12)
            for j in range(i, min(12, i + 4))
            if context[row, i] and context[row, j]
        ]
        best = max(candidates)
        assert (scores[row], firsts[row], lasts[row]) == pytest.approx(best)
    assert scores[4] == -np.inf


class _PointingModel:
    """Logits that point at fixed token spans: the validator's scoring alone is tested."""

    training = False

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.calls = 0

    def eval(self) -> None:
        pass

    def __call__(self, ids: Any, mask: Any) -> tuple[Any, Any]:
        import torch

        start = torch.zeros(ids.shape)
        end = torch.zeros(ids.shape)
        for row in range(ids.shape[0]):
            first, last = self.spans[self.calls + row]
            start[row, first] = 10.0
            end[row, last] = 10.0
        self.calls += ids.shape[0]
        return start, end


def test_validate_scores_the_trimmed_best_span_by_cmrc_rules() -> None:
    contexts = ("株洲节约物流成本12亿元。", "会议在北京召开。")
    # token k of each window covers context characters [k-2, k-1) after two question tokens
    width = 16
    offsets = np.full((2, width, 2), -1, np.int32)
    for row, context in enumerate(contexts):
        for k in range(len(context)):
            offsets[row, k + 2] = (k, k + 1)
    windows = ValidationWindows(
        input_ids=np.ones((2, width), np.int64),
        attention_mask=np.ones((2, width), np.int64),
        example=np.array([0, 1]),
        offsets=offsets,
        contexts=contexts,
        answers=(("12亿元",), ("北京",)),
    )
    # window 0: "12亿元。" (the trailing 。 is trimmed: exact); window 1: "在北京召" (partial)
    model = _PointingModel([(8 + 2, 12 + 2), (2 + 2, 5 + 2)])
    scores = validate(model, windows, device="cpu", bf16=False)
    assert scores["questions"] == 2
    assert scores["em"] == 50.0
    assert 50.0 < scores["f1"] < 100.0
