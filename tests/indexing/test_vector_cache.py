"""The on-disk passage-vector cache that lets a long build resume (qa.indexing.vector_cache)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from qa.cli import main
from qa.encoders.embedding import HashEmbedder
from qa.indexing.vector_cache import CachingEmbedder, VectorCache, VectorCacheError
from tests.conftest import PAGE

TEXTS = [f"株洲第{i}条新闻,物流成本下降{i}%。" for i in range(10)]


class CountingEmbedder(HashEmbedder):
    """A hash embedder that counts passages and can fail after some calls, like a kill."""

    def __init__(self, fail_after_calls: int | None = None) -> None:
        super().__init__(32)
        self.embedded: list[str] = []
        self.fail_after_calls = fail_after_calls
        self.calls = 0

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if self.fail_after_calls is not None and self.calls >= self.fail_after_calls:
            raise KeyboardInterrupt
        self.calls += 1
        self.embedded.extend(texts)
        return super().embed_passages(texts)


def test_cached_vectors_equal_fresh_ones_and_are_not_embedded_again(tmp_path: Path) -> None:
    first = CountingEmbedder()
    vectors = CachingEmbedder(first, tmp_path, piece=4).embed_passages(TEXTS)
    assert np.array_equal(vectors, HashEmbedder(32).embed_passages(TEXTS))
    assert len(first.embedded) == 10 and first.calls == 3  # pieces of 4, 4, 2

    second = CountingEmbedder()
    caching = CachingEmbedder(second, tmp_path, piece=4)
    again = caching.embed_passages([*TEXTS[::-1], "新的一条"])
    assert second.embedded == ["新的一条"]
    assert caching.reused == 10
    assert np.array_equal(again[:10], vectors[::-1])


def test_an_interrupted_run_keeps_the_finished_pieces(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        CachingEmbedder(CountingEmbedder(fail_after_calls=2), tmp_path, piece=3).embed_passages(
            TEXTS
        )
    resumed = CountingEmbedder()
    vectors = CachingEmbedder(resumed, tmp_path, piece=3).embed_passages(TEXTS)
    assert len(resumed.embedded) == 4  # 6 of 10 were done before the interruption
    assert np.array_equal(vectors, HashEmbedder(32).embed_passages(TEXTS))
    assert not list(tmp_path.rglob(".tmp-*"))


def test_duplicates_are_embedded_once_and_other_encoders_do_not_share(tmp_path: Path) -> None:
    counting = CountingEmbedder()
    CachingEmbedder(counting, tmp_path).embed_passages(["同一段", "同一段", "另一段"])
    assert counting.embedded == ["同一段", "另一段"]
    assert len(VectorCache(tmp_path, HashEmbedder(64).identity)) == 0
    assert len(VectorCache(tmp_path, HashEmbedder(32).identity)) == 2


def test_a_damaged_shard_is_named_with_the_fix(tmp_path: Path) -> None:
    CachingEmbedder(CountingEmbedder(), tmp_path).embed_passages(TEXTS)
    (shard,) = tmp_path.rglob("shard-*.npz")
    shard.write_bytes(shard.read_bytes()[:100])
    with pytest.raises(VectorCacheError, match=rf"{shard.name}.*delete that file"):
        VectorCache(tmp_path, HashEmbedder(32).identity)


def test_cli_build_reuses_cached_vectors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index, cache = str(tmp_path / "index"), str(tmp_path / "vectors")
    reports = []
    for _ in range(2):
        code = main(["build", "--source", str(PAGE), "--index", index, "--model", "hash",
                     "--vector-cache", cache, "--force", "--json"])  # fmt: skip
        assert code == 0
        reports.append(json.loads(capsys.readouterr().out))
    assert reports[0]["vectors_reused"] == 0
    assert reports[1]["vectors_reused"] == reports[1]["chunks_total"] > 0


def test_half_written_shards_of_killed_runs_are_removed(tmp_path: Path) -> None:
    import os
    import time

    folder = VectorCache(tmp_path, HashEmbedder(64).identity).folder
    stale, fresh = folder / ".tmp-killed", folder / ".tmp-in-progress"
    stale.write_bytes(b"half a shard")
    fresh.write_bytes(b"another run is writing this")
    an_hour_and_more = time.time() - 3700
    os.utime(stale, (an_hour_and_more, an_hour_and_more))
    VectorCache(tmp_path, HashEmbedder(64).identity)
    assert not stale.exists() and fresh.exists()
