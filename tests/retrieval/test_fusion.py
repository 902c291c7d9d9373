from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from qa.encoders.embedding import HashEmbedder
from qa.indexing.store import load_snapshot
from qa.retrieval.fusion import (
    FusionConfig,
    convex,
    fuse,
    fused_scores,
    normalised,
    question_leans_lexical,
)
from qa.retrieval.hybrid import HybridRetriever

DENSE = (np.array([4, 2, 8]), np.array([0.9, 0.8, 0.5], np.float32))
LEXICAL = (np.array([2, 6]), np.array([12.0, 3.0], np.float32))


def test_convex_min_max_by_hand() -> None:
    fused = convex([(DENSE, 0.3), (LEXICAL, 0.7)], "minmax")
    # dense: 4 → 1, 2 → 0.75, 8 → 0; BM25: 2 → 1, 6 → 0; a row absent from a list gets 0.
    assert fused[4] == pytest.approx(0.3)
    assert fused[2] == pytest.approx(0.3 * 0.75 + 0.7)
    assert fused[8] == pytest.approx(0.0)
    assert fused[6] == pytest.approx(0.0)
    config = FusionConfig(method="convex", dense_weight=0.3, lexical_weight=0.7)
    assert fuse(DENSE, LEXICAL, config) == [2, 4, 6, 8]  # ties by row


def test_z_scores_give_the_absent_the_floor() -> None:
    values, floor = normalised(np.array([3.0, 1.0]), "zscore")
    assert values.tolist() == [1.0, -1.0] and floor == -1.0
    fused = convex([((np.array([1, 2]), np.array([3.0, 1.0])), 1.0),
                    ((np.array([3]), np.array([5.0])), 1.0)], "zscore")  # fmt: skip
    # Above each list's floor: row 1 by 2 z; row 2 is the floor; the one-row list has no
    # spread, so its row is its own floor.
    assert fused == {1: pytest.approx(2.0), 2: pytest.approx(0.0), 3: pytest.approx(0.0)}
    assert normalised(np.array([2.0, 1.0]), "max")[0].tolist() == [1.0, 0.5]
    assert normalised(np.zeros(0), "minmax")[0].size == 0


def test_a_lean_moves_weight_to_bm25_only_for_exact_questions() -> None:
    config = FusionConfig(method="convex", dense_weight=0.9, lexical_weight=0.1, lean=1.0)
    assert fuse(DENSE, LEXICAL, config)[0] == 4
    assert fuse(DENSE, LEXICAL, config, lean_lexical=True)[:2] == [2, 6]
    assert question_leans_lexical("2025年株洲GDP是多少?")
    assert question_leans_lexical("《红楼梦》的作者是谁?")
    assert question_leans_lexical("株洲节约了多少社会物流成本?")  # 株洲: a place
    assert not question_leans_lexical("为什么要持续优化物流产业生态?")


def test_fused_scores_are_never_negative() -> None:
    rng = np.random.default_rng(3)
    for how in ("minmax", "max", "zscore"):
        for _ in range(50):
            dense = (rng.permutation(40)[:20], np.sort(rng.normal(size=20))[::-1])
            lexical = (rng.permutation(40)[:20], np.sort(rng.exponential(size=20))[::-1])
            config = FusionConfig(method="convex", normalisation=how)  # type: ignore[arg-type]
            scores = [score for _, score in fused_scores(dense, lexical, config)]
            assert min(scores) >= 0 and scores == sorted(scores, reverse=True)


def test_rrf_scores_are_those_of_the_formula() -> None:
    config = FusionConfig(method="rrf", dense_weight=1.0, lexical_weight=2.0, rrf_k=10.0)
    ranked = dict(fused_scores(DENSE, LEXICAL, config))
    assert ranked[2] == pytest.approx(1 / 12 + 2 / 11)
    assert ranked[6] == pytest.approx(2 / 12)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="rrf, convex, milvus-rrf or milvus-weighted"):
        FusionConfig(method="sum")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 1"):
        FusionConfig(lean=1.5)


@pytest.mark.parametrize("method", ["rrf", "convex"])
def test_each_mode_keeps_its_own_list_order(
    page_index: Path, hash_embedder: HashEmbedder, method: str
) -> None:
    snapshot = load_snapshot(page_index)
    retriever = HybridRetriever(snapshot, hash_embedder, FusionConfig(method=method, lean=0.5))
    question = "湘赣边数字贸易总部中心的出资额是多少?"
    dense = retriever.search(question, 5, mode="dense").hits
    assert [h.dense_rank for h in dense] == [1, 2, 3, 4, 5]
    bm25 = retriever.search(question, 5, mode="bm25").hits
    assert [h.lexical_rank for h in bm25] == [1, 2, 3, 4, 5]
    hybrid = retriever.search(question, 5).hits
    assert hybrid[0].article.title == "湘赣边数字贸易总部中心正式运营"
    assert all(a.score >= b.score for a, b in pairwise(hybrid))
