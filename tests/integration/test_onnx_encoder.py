"""Questions encoded by ONNX Runtime match torch's vectors (marked: select with -m integration)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from qa.encoders.embedding import SentenceTransformerEmbedder
from qa.encoders.onnx import ONNX_FILE, OnnxQueryEncoder, export_dir, plain_layout
from qa.encoders.word_table import word_table
from qa.errors import ModelError

pytestmark = pytest.mark.integration

QUESTIONS = [
    "株洲节约了多少物流成本?",
    "How much did Zhuzhou save in logistics costs?",
    "宏达电子的项目总投资多少?" * 30,  # longer than the others: padding in one batch
    "",
    "Le centre de commerce numérique a ouvert à Chaling.",
]


def test_onnx_questions_match_torch(e5: SentenceTransformerEmbedder) -> None:
    assert e5.query_backend == "onnx"
    by_onnx = e5.embed_queries(QUESTIONS)
    one_by_one = np.vstack([e5.embed_queries([q]) for q in QUESTIONS])
    by_torch = e5.model.encode(
        QUESTIONS, prompt=e5.identity.query_prompt, normalize_embeddings=True
    )
    assert (by_onnx * by_torch).sum(axis=1).min() >= 0.9999
    assert np.allclose(by_onnx, one_by_one, atol=1e-5)
    assert (export_dir(e5.identity.fingerprint) / ONNX_FILE).is_file()


def test_torch_backend_and_other_layouts_stay_on_torch(
    e5: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    torch_only = SentenceTransformerEmbedder(e5.folder, e5.identity.model, query_encoder="torch")
    assert torch_only.query_backend == "torch"
    assert torch_only.identity == e5.identity
    assert (torch_only.embed_queries(QUESTIONS[:2]) * e5.embed_queries(QUESTIONS[:2])).sum(
        axis=1
    ).min() >= 0.9999
    assert plain_layout(tmp_path) is None
    with pytest.raises(ModelError, match="QA_QUERY_ENCODER"):
        SentenceTransformerEmbedder(e5.folder, "e5", query_encoder="tensorrt")


def test_a_damaged_export_names_the_fix(e5: SentenceTransformerEmbedder, tmp_path: Path) -> None:
    (tmp_path / ONNX_FILE).write_bytes(b"not a model")
    words = word_table(e5.folder, e5.identity.fingerprint)
    with pytest.raises(ModelError, match="delete that folder"):
        OnnxQueryEncoder(tmp_path, e5.folder / "tokenizer.json", words)


def test_an_export_without_onnx_names_the_fix(
    e5: SentenceTransformerEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa.encoders.onnx import _export

    monkeypatch.setitem(sys.modules, "onnx", None)  # as if onnx were not installed
    words = word_table(e5.folder, e5.identity.fingerprint)
    with pytest.raises(ModelError, match="pip install -e"):
        _export(e5.folder, tmp_path, words)


def test_int8_questions_stay_close_to_fp32(e5: SentenceTransformerEmbedder) -> None:
    from qa.encoders.onnx import INT8_FILE

    int8 = SentenceTransformerEmbedder(e5.folder, e5.identity.model, query_encoder="onnx-int8")
    assert int8.query_backend == "onnx-int8"
    cosines = (int8.embed_queries(QUESTIONS) * e5.embed_queries(QUESTIONS)).sum(axis=1)
    assert cosines.min() >= 0.99
    assert (export_dir(e5.identity.fingerprint) / INT8_FILE).is_file()
    with pytest.raises(ModelError, match="onnx-int8"):
        SentenceTransformerEmbedder(e5.folder, "e5", query_encoder="int4")
