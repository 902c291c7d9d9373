"""VectorIndex removal: a flat index drops rows, an approximate one hides them.

The oracle is brute-force inner product over the rows that should still be served.
"""

from __future__ import annotations

import numpy as np
import pytest

import qa.indexing.vectors
from qa.indexing.vectors import VectorIndex

ROWS = 400
DIM = 32


def _unit_vectors(count: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture()
def vectors() -> np.ndarray:
    return _unit_vectors(ROWS, seed=7)


def _ids() -> np.ndarray:
    # Not 0..n-1, so that a row number mistaken for an id shows.
    return np.arange(ROWS, dtype=np.int64) * 3 + 1000


def _brute_force_top(
    vectors: np.ndarray, ids: np.ndarray, served: np.ndarray, queries: np.ndarray, k: int
) -> list[set[int]]:
    mask = np.isin(ids, served)
    scores = queries @ vectors[mask].T
    return [set(ids[mask][np.argsort(-row)[:k]].tolist()) for row in scores]


def test_hnsw_hides_removed_ids_and_still_finds_the_rest(vectors: np.ndarray) -> None:
    ids = _ids()
    index = VectorIndex.create("HNSW16", DIM, vectors, ids)
    removed = ids[::10]
    smaller = index.without(removed)
    served = ids[~np.isin(ids, removed)]

    assert smaller.rows == ROWS and smaller.ntotal == ROWS - len(removed)
    assert np.array_equal(smaller.hidden, np.sort(removed))
    assert np.array_equal(smaller.ids(), served)  # row order kept
    assert np.array_equal(smaller.row_ids(), ids)
    assert index.ntotal == ROWS and not len(index.hidden)  # the original is unchanged

    # The removed vectors themselves are the hardest queries: each is its own best match.
    queries = vectors[::10]
    _, found = smaller.search(queries, 10)
    assert not set(found.ravel().tolist()) & set(removed.tolist())
    expected = _brute_force_top(vectors, ids, served, queries, 10)
    hits = [len(set(row.tolist()) & want) for row, want in zip(found, expected, strict=True)]
    recall = sum(hits) / (10 * len(hits))
    assert recall >= 0.95


def test_hidden_ids_stay_hidden_inside_an_allowed_set(vectors: np.ndarray) -> None:
    ids = _ids()
    smaller = VectorIndex.create("HNSW16", DIM, vectors, ids).without(ids[:40])
    allowed = ids[20:80]  # half of them removed
    _, found = smaller.search(vectors[:30], 10, allowed_ids=allowed)
    returned = set(found[found >= 0].tolist())
    assert returned <= set(ids[40:80].tolist())
    assert returned  # the allowed rows still served are found


def test_adding_to_the_smaller_index_leaves_the_original_alone(vectors: np.ndarray) -> None:
    ids = _ids()
    index = VectorIndex.create("HNSW16", DIM, vectors, ids)
    smaller = index.without(ids[:5])
    smaller.add(_unit_vectors(3, seed=8), np.array([1, 2, 3], np.int64))
    assert index.rows == ROWS and smaller.rows == ROWS + 3
    assert np.array_equal(smaller.ids()[-3:], [1, 2, 3])


def test_too_many_hidden_rows_rebuild_the_index(
    vectors: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(qa.indexing.vectors, "MAX_HIDDEN_SHARE", 0.2)
    ids = _ids()
    index = VectorIndex.create("HNSW16", DIM, vectors, ids)
    first = index.without(ids[:60])  # 15%: hidden
    assert first.rows == ROWS and len(first.hidden) == 60
    second = first.without(ids[60:100])  # 25% in all: rebuilt from the served rows
    assert second.rows == second.ntotal == ROWS - 100 and not len(second.hidden)
    assert np.array_equal(second.ids(), ids[100:])
    scores, found = second.search(vectors[100:110], 1)
    assert np.array_equal(found[:, 0], ids[100:110])  # the stored vectors are the same
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)


def test_a_flat_index_drops_removed_rows(vectors: np.ndarray) -> None:
    ids = _ids()
    smaller = VectorIndex.create("Flat", DIM, vectors, ids).without(ids[::2])
    assert smaller.rows == smaller.ntotal == ROWS // 2 and not len(smaller.hidden)
    _, found = smaller.search(vectors[1::2][:5], 1)
    assert np.array_equal(found[:, 0], ids[1::2][:5])


def test_k_is_capped_by_the_rows_served(vectors: np.ndarray) -> None:
    ids = _ids()[:20]
    smaller = VectorIndex.create("HNSW16", DIM, vectors[:20], ids).without(ids[:3])
    _, found = smaller.search(vectors[:1], 50)
    assert found.shape == (1, 17)
    assert set(found[0].tolist()) == set(ids[3:].tolist())
