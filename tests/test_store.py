from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from qa.checksums import sha256_file
from qa.config import FLAT_MAX_VECTORS, resolve_faiss_factory
from qa.embedding import HashEmbedder
from qa.errors import (
    ChecksumError,
    CountMismatchError,
    EmbedderMismatchError,
    IndexExistsError,
    IndexLockedError,
    IndexNotFoundError,
    QAError,
    SchemaVersionError,
)
from qa.indexing import IndexOptions, add_articles, build_index, remove_articles
from qa.store import check_embedder, load_snapshot, read_manifest, writer_lock
from qa.types import Article


def test_build_then_load_round_trips(page_index: Path, page_articles: tuple[Article, ...]) -> None:
    snapshot = load_snapshot(page_index)
    assert list(snapshot.articles.values()) == list(page_articles)
    manifest = snapshot.manifest
    assert manifest["counts"] == {"articles": 8, "chunks": len(snapshot.chunks)}
    assert manifest["embedding"]["model"] == "hash:64"
    assert manifest["faiss"] == {
        "factory": "Flat",
        "metric": "inner_product",
        "ntotal": len(snapshot.chunks),
    }
    listed = {name.removeprefix(f"{snapshot.generation}/") for name in manifest["files"]}
    assert {"articles.jsonl", "chunks.jsonl", "vectors.faiss", "bm25/tokens.npy",
            "bm25/offsets.npy", "bm25/df.npy", "bm25/vocab.json"} <= listed  # fmt: skip
    assert any(name.startswith("bm25/bm25s/") for name in listed)
    on_disk = {p.relative_to(page_index / snapshot.generation).as_posix()
               for p in (page_index / snapshot.generation).rglob("*") if p.is_file()}  # fmt: skip
    assert listed == on_disk  # every file is covered by a checksum
    assert np.array_equal(snapshot.vector_ids, np.arange(len(snapshot.chunks)))
    for chunk in snapshot.chunks:
        assert snapshot.articles[chunk.article_id].text[chunk.start : chunk.end] == chunk.text
    texts = "\n".join(c.text for c in snapshot.chunks)
    assert "下转3版" not in texts
    assert "治理水平" in texts and "持续发力" in texts


def test_faiss_search_matches_brute_force(page_index: Path, hash_embedder: HashEmbedder) -> None:
    snapshot = load_snapshot(page_index)
    stored = np.vstack([snapshot.vectors.index.reconstruct(int(i)) for i in snapshot.vector_ids])
    queries = hash_embedder.embed_queries(
        ["株洲节约了多少社会物流成本?", "半导体", "炎陵 铝基材料"]
    )
    scores, ids = snapshot.vectors.search(queries, 5)
    brute = queries @ stored.T
    for q in range(len(queries)):
        rows = snapshot.rows_of_ids(ids[q])
        # The reported scores are the true inner products of the rows returned...
        assert np.allclose(brute[q][rows], scores[q], atol=1e-5)
        # ...and they are the five best (compared by score, so ties cannot flake).
        assert np.allclose(np.sort(brute[q])[::-1][:5], scores[q], atol=1e-5)


def test_filtered_search_only_returns_allowed_ids(
    page_index: Path, hash_embedder: HashEmbedder
) -> None:
    snapshot = load_snapshot(page_index)
    allowed = snapshot.vector_ids[::3]
    _, ids = snapshot.vectors.search(hash_embedder.embed_queries(["株洲"]), 5, allowed_ids=allowed)
    assert set(ids[0][ids[0] >= 0]) <= set(allowed)


def test_build_refuses_to_overwrite_without_force(
    page_index: Path, page_articles, hash_embedder
) -> None:
    before = read_manifest(page_index)
    with pytest.raises(IndexExistsError, match="--force"):
        build_index(page_index, page_articles[:2], hash_embedder)
    assert read_manifest(page_index) == before
    build_index(page_index, page_articles[:2], hash_embedder, force=True)
    assert read_manifest(page_index)["counts"]["articles"] == 2


def test_build_refuses_a_folder_that_is_not_an_index(
    tmp_path: Path, page_articles, hash_embedder
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(IndexExistsError, match="not empty"):
        build_index(tmp_path, page_articles, hash_embedder)


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="python -m qa build"):
        load_snapshot(tmp_path / "nothing")


def test_corrupted_file_is_a_checksum_error(page_index: Path) -> None:
    manifest = read_manifest(page_index)
    chunks_file = page_index / manifest["generation"] / "chunks.jsonl"
    chunks_file.write_text(chunks_file.read_text("utf-8").replace("株洲", "珠洲", 1), "utf-8")
    with pytest.raises(ChecksumError, match=r"chunks\.jsonl is corrupt"):
        load_snapshot(page_index)


def test_deleted_file_is_a_checksum_error(page_index: Path) -> None:
    manifest = read_manifest(page_index)
    (page_index / manifest["generation"] / "vectors.faiss").unlink()
    with pytest.raises(ChecksumError, match="missing"):
        load_snapshot(page_index)


def _rewrite_manifest(index_dir: Path, change) -> None:
    path = index_dir / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), "utf-8")


def test_count_mismatch_is_caught(page_index: Path) -> None:
    _rewrite_manifest(page_index, lambda m: m["counts"].update(chunks=m["counts"]["chunks"] + 1))
    with pytest.raises(CountMismatchError, match="chunks"):
        load_snapshot(page_index)


def test_rows_out_of_order_are_caught(page_index: Path) -> None:
    manifest = read_manifest(page_index)
    chunks_file = page_index / manifest["generation"] / "chunks.jsonl"
    lines = chunks_file.read_text("utf-8").splitlines()
    lines[0], lines[1] = lines[1], lines[0]
    chunks_file.write_text("\n".join(lines) + "\n", "utf-8")
    _rewrite_manifest(
        page_index,
        lambda m: m["files"].update({f"{m['generation']}/chunks.jsonl": sha256_file(chunks_file)}),
    )
    with pytest.raises(CountMismatchError, match="row order"):
        load_snapshot(page_index)


def test_schema_version_mismatch(page_index: Path) -> None:
    _rewrite_manifest(page_index, lambda m: m.update(schema_version=99))
    with pytest.raises(SchemaVersionError, match="rebuild"):
        load_snapshot(page_index)


def test_query_encoder_must_match(page_index: Path) -> None:
    manifest = read_manifest(page_index)
    check_embedder(manifest, HashEmbedder(64).identity.to_dict())
    with pytest.raises(EmbedderMismatchError, match="dimension"):
        check_embedder(manifest, HashEmbedder(32).identity.to_dict())


def test_add_skips_present_articles_and_keeps_rows_consistent(
    tmp_path: Path, page_articles: tuple[Article, ...], hash_embedder: HashEmbedder
) -> None:
    index_dir = tmp_path / "index"
    build_index(index_dir, page_articles[:5], hash_embedder)
    report = add_articles(index_dir, page_articles, hash_embedder)
    assert (report.articles_added, report.skipped_existing) == (3, 5)
    snapshot = load_snapshot(index_dir)
    assert [a.id for a in snapshot.articles.values()] == [a.id for a in page_articles]
    fresh = tmp_path / "fresh"
    build_index(fresh, page_articles[:5] + page_articles[5:], hash_embedder)
    fresh_snapshot = load_snapshot(fresh)
    assert [c.id for c in snapshot.chunks] == [c.id for c in fresh_snapshot.chunks]
    query = "株洲节约了多少社会物流成本?"
    assert np.allclose(snapshot.lexical.scores(query), fresh_snapshot.lexical.scores(query))
    again = add_articles(index_dir, page_articles, hash_embedder)
    assert again.articles_added == 0
    assert read_manifest(index_dir)["generation"] == snapshot.generation


def test_add_with_another_encoder_is_refused(page_index: Path, page_articles) -> None:
    with pytest.raises(EmbedderMismatchError):
        add_articles(page_index, page_articles, HashEmbedder(32))


@pytest.mark.parametrize("factory", ["Flat", "HNSW16"])
def test_remove_drops_an_article_everywhere(
    tmp_path: Path, page_articles: tuple[Article, ...], hash_embedder: HashEmbedder, factory: str
) -> None:
    index_dir = tmp_path / "index"
    build_index(index_dir, page_articles, hash_embedder, IndexOptions(factory=factory))
    before = load_snapshot(index_dir)
    doomed = page_articles[1].id
    report = remove_articles(index_dir, [doomed])
    after = load_snapshot(index_dir)
    assert doomed not in after.articles
    assert all(c.article_id != doomed for c in after.chunks)
    assert report.chunks_removed == len(before.chunks) - len(after.chunks) > 0
    kept_ids = [
        v for c, v in zip(before.chunks, before.vector_ids, strict=True) if c.article_id != doomed
    ]
    assert list(after.vector_ids) == kept_ids
    # Removing and re-adding gives fresh ids: ids are never reused.
    add_articles(index_dir, page_articles, hash_embedder)
    readded = load_snapshot(index_dir)
    assert readded.vector_ids.max() >= before.vector_ids.max() + 1
    assert len(readded.chunks) == len(before.chunks)
    with pytest.raises(QAError, match="no article"):
        remove_articles(index_dir, ["does-not-exist"])


def test_ivf_needs_enough_vectors(tmp_path: Path, page_articles, hash_embedder) -> None:
    with pytest.raises(QAError, match="Flat"):
        build_index(
            tmp_path / "i", page_articles, hash_embedder, IndexOptions(factory="IVF1024,Flat")
        )
    with pytest.raises(QAError, match="not valid"):
        build_index(
            tmp_path / "j", page_articles, hash_embedder, IndexOptions(factory="Nonsense42")
        )


def test_a_second_writer_is_refused(page_index: Path, page_articles, hash_embedder) -> None:
    with writer_lock(page_index), pytest.raises(IndexLockedError, match="another process"):
        add_articles(page_index, page_articles, hash_embedder)


def test_only_current_and_previous_generations_stay(
    page_index: Path, page_articles, hash_embedder
) -> None:
    for _ in range(3):
        build_index(page_index, page_articles, hash_embedder, force=True)
    generations = sorted(p.name for p in page_index.iterdir() if p.name.startswith("g"))
    assert generations == ["g000003", "g000004"]


# A writer that dies at the worst moments must leave a loadable index: the old one before
# the manifest is replaced, the new one after.
KILL_POINTS = {
    "vectors_written": "qa.vector_index.VectorIndex.save",
    "before_commit": "qa.store.os.replace",
    "after_commit": "qa.store._prune",
}
WRITES = {
    # verb: (articles in the index before, articles after the write, the write)
    "build": (8, 3, "build_index(index, articles[:3], HashEmbedder(64), force=True)"),
    "add": (5, 8, "add_articles(index, articles, HashEmbedder(64))"),
    "remove": (8, 7, "remove_articles(index, [articles[0].id])"),
}


@pytest.mark.parametrize("verb", sorted(WRITES))
@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_kill_9_during_a_write_leaves_a_loadable_index(
    tmp_path: Path, page_articles, hash_embedder, verb: str, point: str
) -> None:
    before, after, call = WRITES[verb]
    index_dir = tmp_path / "index"
    build_index(index_dir, page_articles[:before], hash_embedder)
    module_name, _, attr = KILL_POINTS[point].rpartition(".")
    script = textwrap.dedent(f"""
        import importlib, os, signal
        from pathlib import Path
        from qa.embedding import HashEmbedder
        from qa.indexing import add_articles, build_index, remove_articles
        from qa.ingest import read_articles
        from tests.conftest import PAGE
        try:
            owner = importlib.import_module({module_name!r})
        except ModuleNotFoundError:
            module, _, cls = {module_name!r}.rpartition(".")
            owner = getattr(importlib.import_module(module), cls)
        original = getattr(owner, {attr!r})
        def killer(*args, **kwargs):
            if {point!r} == "vectors_written":
                original(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        setattr(owner, {attr!r}, killer)
        articles = read_articles([PAGE]).articles
        index = Path({str(index_dir)!r})
        {call}
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == -9, result.stderr
    expected = after if point == "after_commit" else before
    snapshot = load_snapshot(index_dir)
    assert len(snapshot.articles) == expected
    assert snapshot.manifest["counts"]["articles"] == expected
    # The next writer cleans up after the killed one and works normally.
    build_index(index_dir, page_articles, hash_embedder, force=True)
    assert not any(p.name.startswith(".tmp") for p in index_dir.iterdir())
    assert len(load_snapshot(index_dir).articles) == 8


def test_auto_factory_is_exact_for_small_corpora_and_hnsw_for_large() -> None:
    assert resolve_faiss_factory("auto", 39) == "Flat"
    assert resolve_faiss_factory("auto", FLAT_MAX_VECTORS) == "Flat"
    assert resolve_faiss_factory("auto", FLAT_MAX_VECTORS + 1) == "HNSW32"
    assert resolve_faiss_factory("IVF256,PQ32x8", 10) == "IVF256,PQ32x8"


def test_default_build_records_the_resolved_factory(page_index: Path) -> None:
    assert load_snapshot(page_index).manifest["faiss"]["factory"] == "Flat"
