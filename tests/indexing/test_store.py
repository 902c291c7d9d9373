from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import qa.indexing.vectors
from qa.checksums import sha256_file
from qa.config import FLAT_MAX_VECTORS, ChunkingConfig, resolve_faiss_factory
from qa.encoders.embedding import HashEmbedder
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
from qa.indexing.build import IndexOptions, add_articles, build_index, remove_articles
from qa.indexing.chunking import chunk_articles
from qa.indexing.store import check_embedder, load_snapshot, read_manifest, writer_lock
from qa.ingest import read_articles
from qa.textnorm import normalize_line
from qa.types import Article
from tests.conftest import PAGE, run_killed_at


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
        "hidden": 0,
    }
    listed = {name.removeprefix(f"{snapshot.generation}/") for name in manifest["files"]}
    assert {"articles.jsonl", "articles.index.json", "chunks.npz", "vectors.faiss",
            "bm25/tokens.npy", "bm25/offsets.npy", "bm25/vocab.json", "bm25/vocab_hashes.npy",
            "bm25/vocab_ids.npy", "bm25/short_words.npy", "bm25/scores.data.npy",
            "bm25/scores.rows.npy", "bm25/scores.indptr.npy"} == listed  # fmt: skip
    on_disk = {p.relative_to(page_index / snapshot.generation).as_posix()
               for p in (page_index / snapshot.generation).rglob("*") if p.is_file()}  # fmt: skip
    assert listed == on_disk  # every file is covered by a checksum
    assert np.array_equal(snapshot.vector_ids, np.arange(len(snapshot.chunks)))
    fresh_chunks = chunk_articles(page_articles, ChunkingConfig())
    assert list(snapshot.chunks) == fresh_chunks  # rebuilt from columns, equal to the chunker's
    assert snapshot.chunks[-1] == fresh_chunks[-1]
    with pytest.raises(IndexError):
        snapshot.chunks[len(fresh_chunks)]
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
    articles_file = page_index / manifest["generation"] / "articles.jsonl"
    articles_file.write_text(articles_file.read_text("utf-8").replace("株洲", "珠洲", 1), "utf-8")
    with pytest.raises(ChecksumError, match=r"articles\.jsonl is corrupt"):
        load_snapshot(page_index)


def test_a_corrupt_file_is_named_even_when_it_cannot_be_parsed(page_index: Path) -> None:
    manifest = read_manifest(page_index)
    (page_index / manifest["generation"] / "chunks.npz").write_bytes(b"not a zip")
    with pytest.raises(ChecksumError, match=r"chunks\.npz is corrupt"):
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


def test_an_hnsw_index_hides_removed_rows_across_load_and_add(
    tmp_path: Path,
    page_articles: tuple[Article, ...],
    hash_embedder: HashEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(qa.indexing.vectors, "MAX_HIDDEN_SHARE", 0.5)
    index_dir = tmp_path / "index"
    build_index(index_dir, page_articles, hash_embedder, IndexOptions(factory="HNSW16"))
    before = load_snapshot(index_dir)
    doomed = page_articles[2].id
    doomed_ids = {v for c, v in zip(before.chunks, before.vector_ids, strict=True)
                  if c.article_id == doomed}  # fmt: skip
    remove_articles(index_dir, [doomed])
    after = load_snapshot(index_dir)
    assert after.manifest["faiss"]["hidden"] == len(doomed_ids) > 0
    assert after.vectors.rows == len(before.chunks)
    assert after.vectors.ntotal == len(after.chunks) == len(before.chunks) - len(doomed_ids)
    queries = hash_embedder.embed_queries([c.text for c in before.chunks])
    _, found = after.vectors.search(queries, 10)
    assert not set(found.ravel().tolist()) & doomed_ids
    assert set(found.ravel().tolist()) - {-1} <= set(after.vector_ids.tolist())

    add_articles(index_dir, page_articles, hash_embedder)  # the removed article comes back
    readded = load_snapshot(index_dir)
    assert readded.manifest["faiss"]["hidden"] == len(doomed_ids)
    assert len(readded.chunks) == len(before.chunks)
    assert readded.vectors.rows == len(before.chunks) + len(doomed_ids)

    _rewrite_manifest(index_dir, lambda m: m["faiss"].update(hidden=len(doomed_ids) - 1))
    with pytest.raises(CountMismatchError, match="hidden vectors"):
        load_snapshot(index_dir)


def test_count_mismatch_is_caught(page_index: Path) -> None:
    _rewrite_manifest(page_index, lambda m: m["counts"].update(chunks=m["counts"]["chunks"] + 1))
    with pytest.raises(CountMismatchError, match="chunks"):
        load_snapshot(page_index)


def _rewrite_chunk_columns(index_dir: Path, change) -> None:
    """Change chunks.npz and re-sign it, so that only the consistency checks can object."""
    manifest = read_manifest(index_dir)
    path = index_dir / manifest["generation"] / "chunks.npz"
    with np.load(path) as data:
        columns = {name: data[name].copy() for name in data.files}
    change(columns)
    with path.open("wb") as handle:
        np.savez(handle, **columns)
    _rewrite_manifest(
        index_dir, lambda m: m["files"].update({f"{m['generation']}/chunks.npz": sha256_file(path)})
    )


def _swap_first_vector_ids(columns: dict[str, np.ndarray]) -> None:
    columns["vector_id"][[0, 1]] = columns["vector_id"][[1, 0]]


def _stretch_first_chunk(columns: dict[str, np.ndarray]) -> None:
    columns["end"][0] = 10**6


def _point_past_the_articles(columns: dict[str, np.ndarray]) -> None:
    columns["article_row"][-1] = 8


def _drop_a_column_row(columns: dict[str, np.ndarray]) -> None:
    columns["start"] = columns["start"][:-1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_swap_first_vector_ids, "row order"),
        (_stretch_first_chunk, "ends beyond its article"),
        (_point_past_the_articles, "article row that does not exist"),
        (_drop_a_column_row, "differ in length"),
    ],
)
def test_inconsistent_chunk_columns_are_caught(page_index: Path, change, message: str) -> None:
    _rewrite_chunk_columns(page_index, change)
    with pytest.raises(CountMismatchError, match=message):
        load_snapshot(page_index)


@pytest.mark.parametrize("shift", ["onto the next line", "inside a line"])
def test_article_offsets_must_cover_the_file(page_index: Path, shift: str) -> None:
    manifest = read_manifest(page_index)
    path = page_index / manifest["generation"] / "articles.index.json"
    columns = json.loads(path.read_text("utf-8"))
    columns["offsets"][3] = (
        columns["offsets"][4] if shift == "onto the next line" else columns["offsets"][3] + 1
    )
    path.write_text(json.dumps(columns, ensure_ascii=False), "utf-8")
    _rewrite_manifest(
        page_index,
        lambda m: m["files"].update({f"{m['generation']}/articles.index.json": sha256_file(path)}),
    )
    with pytest.raises(CountMismatchError, match="line offsets"):
        load_snapshot(page_index)


def _files_of(index_dir: Path, folder: Path) -> dict[str, str]:
    return {
        p.relative_to(index_dir).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _downgrade_to_schema_3(index_dir: Path) -> None:
    """Rewrite an index as schema 3 wrote it: the articles' text normalised."""
    snapshot = load_snapshot(index_dir)
    folder = index_dir / snapshot.generation
    offsets = [0]
    articles = list(snapshot.articles.values())
    # A new file, renamed over the old: the snapshot still maps the old one.
    with (folder / "articles.jsonl.new").open("wb") as handle:
        for article in articles:
            stored = replace(article, text=article.matched.text,
                             title=normalize_line(article.title),
                             byline=normalize_line(article.byline))  # fmt: skip
            line = (json.dumps(stored.to_dict(), ensure_ascii=False) + "\n").encode()
            handle.write(line)
            offsets.append(offsets[-1] + len(line))
    (folder / "articles.jsonl.new").replace(folder / "articles.jsonl")
    index_path = folder / "articles.index.json"
    index = json.loads(index_path.read_text("utf-8"))
    index["offsets"] = offsets
    index_path.write_text(json.dumps(index, ensure_ascii=False), "utf-8")
    _rewrite_manifest(
        index_dir, lambda m: m.update(schema_version=3, files=_files_of(index_dir, folder))
    )


def _downgrade_to_schema_2(index_dir: Path) -> None:
    """Rewrite an index as schema 2 wrote it: chunk objects in chunks.jsonl."""
    snapshot = load_snapshot(index_dir)
    _downgrade_to_schema_3(index_dir)
    folder = index_dir / snapshot.generation
    with (folder / "chunks.jsonl").open("w", encoding="utf-8") as handle:
        for chunk, vector_id in zip(snapshot.chunks, snapshot.vector_ids, strict=True):
            row = {**chunk.to_dict(), "vector_id": int(vector_id)}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    (folder / "chunks.npz").unlink()
    (folder / "articles.index.json").unlink()
    for name in ("vocab_hashes", "vocab_ids", "short_words", "scores.data", "scores.rows",
                 "scores.indptr"):  # fmt: skip
        (folder / "bm25" / f"{name}.npy").unlink()  # schema 2 had bm25s's files instead

    _rewrite_manifest(
        index_dir, lambda m: m.update(schema_version=2, files=_files_of(index_dir, folder))
    )


@pytest.mark.parametrize("schema", [2, 3])
def test_an_earlier_schema_is_upgraded_in_place_with_the_printed_text(
    page_index: Path, capsys, schema: int
) -> None:
    from qa.cli import main

    before = load_snapshot(page_index)
    chunks, vector_ids = list(before.chunks), before.vector_ids.copy()
    articles = list(before.articles.values())
    (_downgrade_to_schema_2 if schema == 2 else _downgrade_to_schema_3)(page_index)
    with pytest.raises(SchemaVersionError, match="python -m qa upgrade --index"):
        load_snapshot(page_index)
    assert main(["upgrade", "--index", str(page_index), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["schema_version"], report["chunks_total"]) == (4, len(chunks))
    after = load_snapshot(page_index)
    assert list(after.chunks) == chunks
    assert list(after.articles.values()) == articles  # read again from the page: printed
    assert any("，" in a.text for a in articles)
    assert np.array_equal(after.vector_ids, vector_ids)
    assert main(["upgrade", "--index", str(page_index)]) != 0
    assert "already has index schema 4: nothing to upgrade" in capsys.readouterr().err


def test_an_upgrade_whose_sources_are_gone_says_to_rebuild(
    tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    from qa.indexing.build import upgrade_index

    page = tmp_path / "page.txt"
    page.write_text(PAGE.read_text("utf-8"), "utf-8")
    index_dir = tmp_path / "index"
    build_index(index_dir, read_articles([page]).articles, hash_embedder)
    _downgrade_to_schema_3(index_dir)
    page.unlink()
    with pytest.raises(QAError, match="is gone: rebuild the index from its sources"):
        upgrade_index(index_dir)
    assert read_manifest(index_dir, schemas=(3,))["schema_version"] == 3  # left as it was


def test_a_served_snapshot_maps_its_vectors_read_only(page_index: Path) -> None:
    served = load_snapshot(page_index)
    with pytest.raises(QAError, match="mmap=False"):
        served.vectors.add(np.zeros((1, 64), np.float32), np.array([10**6]))
    writable = load_snapshot(page_index, mmap=False)
    writable.vectors.add(np.zeros((1, 64), np.float32), np.array([10**6]))
    assert writable.vectors.ntotal == served.vectors.ntotal + 1


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
    "vectors_written": "qa.indexing.vectors.VectorIndex.save",
    "before_commit": "qa.indexing.store.os.replace",
    "after_commit": "qa.indexing.store._prune",
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
    setup = f"""
from pathlib import Path
from qa.encoders.embedding import HashEmbedder
from qa.indexing.build import add_articles, build_index, remove_articles
index = Path({str(index_dir)!r})
"""
    result = run_killed_at(KILL_POINTS[point], setup, call,
                           after_original=point == "vectors_written")  # fmt: skip
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


def test_the_default_index_of_an_earlier_version_is_upgraded_on_start(page_index: Path) -> None:
    from qa.indexing.build import ensure_index

    chunks = list(load_snapshot(page_index).chunks)
    _downgrade_to_schema_2(page_index)
    assert ensure_index(page_index, Path("/nonexistent-corpus")) == page_index
    assert list(load_snapshot(page_index).chunks) == chunks


def test_the_default_index_is_built_again_when_its_sources_moved(
    tmp_path: Path, hash_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qa.indexing.build as build

    page = tmp_path / "moved" / "page.txt"
    page.parent.mkdir()
    page.write_text(PAGE.read_text("utf-8"), "utf-8")
    index_dir = tmp_path / "index"
    build_index(index_dir, read_articles([page]).articles, hash_embedder)
    _downgrade_to_schema_3(index_dir)
    page.unlink()  # the checkout moved: the articles' origins are gone
    monkeypatch.setattr("qa.encoders.embedding.make_embedder", lambda *a, **k: hash_embedder)
    assert build.ensure_index(index_dir, PAGE.parent) == index_dir
    rebuilt = load_snapshot(index_dir)
    assert rebuilt.manifest["schema_version"] == 4
    assert {a.origin.rsplit(":", 1)[0] for a in rebuilt.articles.values()} == {str(PAGE)}
