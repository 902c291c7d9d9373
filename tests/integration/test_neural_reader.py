"""The shipped neural reader, laid over the provisioned base model (marked integration)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa.errors import ModelError
from qa.pipeline import Pipeline
from qa.reading.neural import CONFIG_FILE, DEFAULT_MODEL_DIR, WEIGHTS_FILE, NeuralReader

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def neural_pipeline(e5_page_index: Path, e5) -> Pipeline:
    return Pipeline.load(e5_page_index, embedder=e5, reader="neural")


def test_shipped_weights_match_their_checksum_and_size() -> None:
    meta = json.loads((DEFAULT_MODEL_DIR / CONFIG_FILE).read_text())
    weights = DEFAULT_MODEL_DIR / WEIGHTS_FILE
    assert weights.stat().st_size == meta["bytes"] < 50 * 2**20
    assert (DEFAULT_MODEL_DIR / "MODEL_CARD.md").exists()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("株洲节约了多少社会物流成本?", "12亿元"),
        ("湘赣边数字贸易总部中心的出资额是多少?", "5000万元"),
    ],
)
def test_neural_reader_answers_with_exact_citations(
    neural_pipeline: Pipeline, question: str, expected: str
) -> None:
    answer = neural_pipeline.ask(question)
    assert answer.answer is not None and expected in answer.answer
    citation = answer.citations[0]
    article = neural_pipeline.snapshot.articles[citation.article_id]
    assert article.text[citation.start : citation.end] == citation.quote
    assert article.text[citation.answer_start : citation.answer_end] == answer.answer


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "reader"
    shutil.copytree(DEFAULT_MODEL_DIR, copy)
    with (copy / WEIGHTS_FILE).open("r+b") as handle:
        handle.seek(-16, 2)
        handle.write(b"\x00" * 16)
    with pytest.raises(ModelError, match="checksum"):
        NeuralReader(copy)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("宏达电子的项目总投资多少?", "10亿元"),
        ("报告说先后推出了多少项重点改革?", "35项"),
    ],
)
def test_default_reader_reads_the_passage_the_question_names(
    e5_pipeline: Pipeline, question: str, expected: str
) -> None:
    answer = e5_pipeline.ask(question)
    assert answer.answer is not None and answer.answer.startswith(expected)


def test_serving_model_computes_what_transformers_computes() -> None:
    """The oracle: transformers' BertModel with the same weights (what training used)."""
    import torch
    from safetensors.torch import load_file

    from qa.encoders.provision import provision_e5
    from qa.reading.span_model import DEFAULT_MODEL_DIR, WEIGHTS_FILE, build_model, serving_model

    base = provision_e5()
    delta = {k: v.float() for k, v in load_file(str(DEFAULT_MODEL_DIR / WEIGHTS_FILE)).items()}
    served = serving_model(base, delta)
    oracle = build_model(base)
    oracle.load_state_dict(delta, strict=False)
    oracle.eval()
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(5, 250_000, (3, 70), generator=generator)
    mask = torch.ones_like(ids)
    mask[1, 40:] = 0  # padded rows, as a batch of passages of unequal length has
    mask[2, 9:] = 0
    with torch.inference_mode():
        for got, expected in zip(served(ids, mask), oracle(ids, mask), strict=True):
            kept = mask.bool()
            assert torch.allclose(got[kept], expected[kept], atol=1e-4, rtol=1e-4)


def test_answering_does_not_import_transformers() -> None:
    """Its import was 4 s of every start-up; only training needs it."""
    import subprocess
    import sys

    script = ("import sys; from qa.reading.neural import NeuralReader; NeuralReader(); "
              "sys.exit('transformers' in sys.modules)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()[-500:]
