"""The shared tokenizer gives the reader exactly the features transformers gave in training."""

from __future__ import annotations

import pytest

from qa.encoders.onnx import MAX_TOKENS
from qa.reading.neural import NeuralReader

pytestmark = pytest.mark.integration

CONTEXTS = [
    "2025年,株洲全社会物流总费用与GDP的比率为13.5%,较2021年下降0.9个百分点,节约社会物流成本近12亿元。"
    * 12,  # several overlapping windows
    "宏达电子拟在无锡投资建设项目,总投资达10亿元人民币。",
    "The Hunan Zhuzhou logistics hub opened in 2025.",
]


@pytest.fixture(scope="module")
def reader() -> NeuralReader:
    return NeuralReader()


def test_reader_features_equal_the_transformers_features_it_was_trained_on(
    reader: NeuralReader,
) -> None:
    from transformers import AutoTokenizer

    from qa.encoders.provision import provision_e5

    oracle = AutoTokenizer.from_pretrained(str(provision_e5()))
    question = "株洲节约了多少物流成本?"
    expected = oracle(
        [question] * len(CONTEXTS), CONTEXTS, truncation="only_second",
        max_length=reader.config.max_length, stride=reader.config.stride,
        return_overflowing_tokens=True, return_offsets_mapping=True,
    )  # fmt: skip
    features = reader.features(question, CONTEXTS)
    assert len(features) == len(expected["input_ids"]) > len(CONTEXTS)
    for row, (context_index, encoding) in enumerate(features):
        assert context_index == expected["overflow_to_sample_mapping"][row]
        assert encoding.ids == expected["input_ids"][row]
        assert [tuple(o) for o in encoding.offsets] == [
            tuple(o) for o in expected["offset_mapping"][row]
        ]
        assert encoding.sequence_ids == expected.sequence_ids(row)


def test_one_tokenizer_serves_the_encoder_and_the_reader(reader: NeuralReader) -> None:
    from qa.encoders.embedding import make_embedder

    embedder = make_embedder()
    embedder.embed_queries(["株洲"])
    assert embedder.onnx_encoder.tokenizer is reader.tokenizer
    # The reader's settings (pairs, 256 tokens) must not leak into the encoder's, nor back.
    reader.features("问题", CONTEXTS)
    (long_question,) = reader.tokenizer.encode_batch(["株洲" * 400], MAX_TOKENS)
    assert len(long_question.ids) == MAX_TOKENS
    assert len(reader.features("问题", CONTEXTS[:1])) > 1
