from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from qa.encoders.embedding import HashEmbedder
from qa.errors import UsageError
from qa.indexing.store import load_snapshot
from qa.retrieval.crosslingual import rendered_cover
from qa.retrieval.hybrid import FusionConfig, HybridRetriever, SearchFilters, weighted_rrf


def test_weighted_rrf_by_hand() -> None:
    fused = weighted_rrf([(np.array([7, 3]), 1.0), (np.array([3, 9]), 2.0)], rrf_k=10)
    assert fused[3] == pytest.approx(1 / 12 + 2 / 11)
    assert fused[7] == pytest.approx(1 / 11)
    assert fused[9] == pytest.approx(2 / 12)
    assert max(fused, key=fused.__getitem__) == 3


def test_hybrid_hits_carry_both_ranks(page_index: Path, hash_embedder: HashEmbedder) -> None:
    retriever = HybridRetriever(load_snapshot(page_index), hash_embedder)
    hits = retriever.search("湘赣边数字贸易总部中心的出资额是多少?", 5).hits
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert hits[0].article.title == "湘赣边数字贸易总部中心正式运营"
    assert hits[0].lexical_rank == 1
    assert all(a.score >= b.score for a, b in pairwise(hits))
    dense_only = retriever.search("湘赣边数字贸易总部中心的出资额是多少?", 5, mode="dense").hits
    assert all(h.lexical_rank is None for h in dense_only)
    bm25_only = retriever.search("湘赣边数字贸易总部中心的出资额是多少?", 5, mode="bm25").hits
    assert all(h.dense_rank is None for h in bm25_only)


def test_english_questions_get_chinese_terms(page_index: Path, hash_embedder: HashEmbedder) -> None:
    retriever = HybridRetriever(load_snapshot(page_index), hash_embedder, FusionConfig())
    retrieval = retriever.search("How much did Zhuzhou save in logistics costs?", 5)
    assert retrieval.expansion is not None
    assert {"株洲", "物流", "成本"} <= set(retrieval.expansion.terms)
    assert any("物流" in h.article.title for h in retrieval.hits[:3])


def test_english_hits_are_ordered_by_the_rendered_words_they_hold(
    page_index: Path, hash_embedder: HashEmbedder
) -> None:
    snapshot = load_snapshot(page_index)
    question = "How much did Zhuzhou save in logistics costs?"
    every = len(snapshot.chunks)  # the page is smaller than the depth re-ordered
    covered = HybridRetriever(snapshot, hash_embedder).search(question, every)
    fused = HybridRetriever(snapshot, hash_embedder, FusionConfig(cover_depth=0)).search(
        question, every
    )
    assert covered.expansion is not None
    counts = rendered_cover(covered.expansion, question, np.array([h.row for h in covered.hits]),
                            snapshot.lexical.rows_holding).tolist()  # fmt: skip
    assert counts == sorted(counts, reverse=True)
    assert {h.row for h in covered.hits} == {h.row for h in fused.hits}  # the same pool
    assert all(a.score >= b.score for a, b in pairwise(covered.hits))
    assert [h.rank for h in covered.hits] == list(range(1, len(covered.hits) + 1))
    assert [h.row for h in covered.hits] != [h.row for h in fused.hits]


def test_filters_restrict_hits(page_index: Path, hash_embedder: HashEmbedder) -> None:
    retriever = HybridRetriever(load_snapshot(page_index), hash_embedder)
    none = retriever.search("物流", 3, SearchFilters(published_from="2026-02-01"))
    assert none.hits == ()
    same_day = retriever.search("物流", 3, SearchFilters("2026-01-15", "2026-01-15"))
    assert len(same_day.hits) == 3
    other_source = retriever.search("物流", 3, SearchFilters(sources=("新华社",)))
    assert other_source.hits == ()


def test_k_is_checked(page_index: Path, hash_embedder: HashEmbedder) -> None:
    retriever = HybridRetriever(load_snapshot(page_index), hash_embedder)
    with pytest.raises(UsageError, match="lower k"):
        retriever.search("物流", 10_000)
    with pytest.raises(UsageError, match="at least 1"):
        retriever.search("物流", 0)
