"""The English→Chinese tables are built once and read back from the cache
(qa.retrieval.crosslingual)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.retrieval import crosslingual


def test_tables_are_cached_and_a_damaged_cache_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    crosslingual._tables.cache_clear()
    try:
        built = crosslingual._tables()
        (pickled,) = (tmp_path / "crosslingual").glob("tables-*.pickle")
        assert "物流" in built[0]["logistics"] and "株" in built[1]["zhu"]

        crosslingual._tables.cache_clear()
        assert crosslingual._tables() == built

        pickled.write_bytes(b"\x80\x05damaged")
        crosslingual._tables.cache_clear()
        assert crosslingual._tables() == built
        assert pickled.stat().st_size > 1000
    finally:
        crosslingual._tables.cache_clear()
