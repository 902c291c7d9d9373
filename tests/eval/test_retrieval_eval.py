from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eval.retrieval import (
    Candidates,
    Question,
    by_set,
    candidates,
    fusion_ranking,
    lexical_variant,
    measure,
)
from qa.encoders.embedding import HashEmbedder
from qa.indexing.lexical import Bm25Params
from qa.indexing.store import load_snapshot
from qa.retrieval.fusion import FusionConfig
from qa.types import Article


def _lists(rows: list[int], relevant: set[int], split: str = "dev") -> Candidates:
    question = Question("page", split, "q", "问题", "a", 0, 1)
    empty = np.zeros(0)
    return Candidates(question, np.array(rows), np.linspace(1, 0, len(rows)), empty, empty,
                      frozenset(relevant))  # fmt: skip


def test_recall_and_mrr_by_hand() -> None:
    lists = [_lists([5, 1], {5}), _lists([2, 3, 4], {4}), _lists([7], {9}),
             _lists([1, 2, 3, 4, 5, 6], {6})]  # fmt: skip
    measured = measure(lists, lambda c: c.dense_rows.tolist())
    assert measured["R@1"] == 0.25
    assert measured["R@5"] == 0.5
    assert measured["MRR"] == pytest.approx((1 + 1 / 3 + 0 + 1 / 6) / 4)
    table = by_set(lists, "dev", lambda c: c.dense_rows.tolist())
    assert table["page"]["questions"] == 4 and table["mean"]["R@1"] == 0.25


def test_the_same_bm25_settings_give_the_index_s_own_ranking(
    page_index: Path, hash_embedder: HashEmbedder
) -> None:
    snapshot = load_snapshot(page_index)
    search = lexical_variant(snapshot, Bm25Params(), keep_stopwords=False)
    for query in ("株洲节约了多少社会物流成本?", "湘赣边数字贸易总部中心的出资额是多少?"):
        rows, scores = search(query, 20)
        expected_rows, expected_scores = snapshot.lexical.search(query, 20)
        assert rows.tolist() == expected_rows.tolist()
        np.testing.assert_allclose(scores, expected_scores, rtol=1e-6)
    kept = lexical_variant(snapshot, Bm25Params(analyzer="jieba"), keep_stopwords=True)
    assert len(kept("的", 5)[0]) > 0 and len(search("的", 5)[0]) == 0


def test_evidence_rows_and_fused_rank_on_the_page(
    page_index: Path, hash_embedder: HashEmbedder, page_articles: tuple[Article, ...]
) -> None:
    snapshot = load_snapshot(page_index)
    article = next(a for a in page_articles if "物流" in a.title)
    start = article.matched.text.index("12亿元")
    question = Question("page", "dev", "zq", "株洲节约了多少社会物流成本?", article.id, start,
                        start + 4)  # fmt: skip
    (found,) = candidates(snapshot, hash_embedder, [question])
    assert found.relevant
    for row in found.relevant:
        chunk = snapshot.chunks[row]
        assert chunk.article_id == article.id and "12亿元" in chunk.text
    ranked = fusion_ranking(FusionConfig())(found)
    assert set(ranked) <= set(found.dense_rows.tolist()) | set(found.lexical_rows.tolist())
    assert measure([found], fusion_ranking(FusionConfig()))["R@5"] == 1.0
