from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from qa.train_reader import _normalize_with_offsets, keep_negatives, load_examples


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
    features = {"start": np.array([0, 3, 0, 5, 0, 0]), "end": np.array([0, 4, 0, 6, 0, 0])}
    kept = keep_negatives(features, 0.0, seed=1)
    assert list(kept["start"]) == [3, 5]
    assert len(keep_negatives(features, 1.0, seed=1)["start"]) == 6
