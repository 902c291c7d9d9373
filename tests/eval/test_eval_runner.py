"""The end-to-end runner scores every question, including ones that cannot be asked."""

from __future__ import annotations

from pathlib import Path

from eval.datasets import QAItem
from eval.runner import run_end_to_end, summarize
from qa.encoders.embedding import HashEmbedder
from qa.pipeline import Pipeline


def test_an_empty_question_is_scored_wrong_not_fatal(page_index: Path) -> None:
    pipeline = Pipeline.load(page_index, embedder=HashEmbedder(64), reader="fast")
    items = [
        QAItem("q1", "株洲节约了多少社会物流成本?", ("近12亿元",), "zh", False),
        QAItem("q2", "", ("那须盐原市",), "zh", False),
    ]
    results = run_end_to_end(pipeline, items, modes=("hybrid",))
    assert [r.id for r in results] == ["q1", "q2"]
    assert results[0].em == 1.0 and not results[0].error
    assert results[1].em == 0.0 and results[1].prediction is None
    assert "empty" in results[1].error
    summary = summarize(results)
    assert summary["errors"] == 1 and summary["em"] == 50.0
