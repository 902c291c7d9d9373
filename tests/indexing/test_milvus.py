"""The Milvus backend on Milvus Lite: every verb, its atomic alias switch, and its answers
checked against the folder backend (FAISS brute force and our BM25 are the oracles)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="the Milvus backend needs the [milvus] extra")

from qa.cli import main as cli_main
from qa.encoders.embedding import HashEmbedder
from qa.errors import (
    CountMismatchError,
    EmbedderMismatchError,
    IndexExistsError,
    IndexNotFoundError,
    QAError,
    UsageError,
)
from qa.indexing.milvus import (
    MilvusLocation,
    bm25_word,
    connect,
    filter_expression,
    load_milvus_snapshot,
    release,
    token_of_word,
)
from qa.indexing.milvus_writes import add_milvus, build_milvus, migrate_to_milvus, remove_milvus
from qa.indexing.store import load_snapshot
from qa.live import LivePipeline
from qa.pipeline import Pipeline
from qa.types import Article, SearchFilters
from tests.conftest import run_killed_at

pytestmark = pytest.mark.milvus

QUERIES = ("株洲节约了多少物流成本", "石峰区 2026年 13.5%", "城市综合竞争力", "Zhuzhou logistics",
           "曹慧泉 座谈会")  # fmt: skip


@pytest.fixture()
def location(tmp_path: Path) -> MilvusLocation:
    return MilvusLocation.parse(str(tmp_path / "milvus.db"))


@pytest.fixture()
def milvus_index(location: MilvusLocation, page_articles, hash_embedder) -> MilvusLocation:
    build_milvus(location, page_articles, hash_embedder)
    return location


def _collections(location: MilvusLocation) -> list[str]:
    return sorted(connect(location).list_collections())


def test_bm25_words_survive_the_standard_tokenizer_and_decode() -> None:
    for token in ("株洲", "1400多张", "13.5%", "e5-small", "xi", "x41", "ﬁ", "a b"):
        word = bm25_word(token)
        assert word.isalnum() and word == word.lower()
        assert token_of_word(word) == token


def test_uris_keep_credentials_out_of_what_is_recorded(tmp_path: Path) -> None:
    server = MilvusLocation.parse("milvus://root:secret@db.example:19530", "news")
    assert server.uri == "http://db.example:19530" and server.token == "root:secret"
    assert "secret" not in server.display()
    assert MilvusLocation.parse("http://db.example").uri == "http://db.example:19530"
    lite = MilvusLocation.parse(str(tmp_path / "x.db"))
    assert lite.is_lite and lite.uri == str((tmp_path / "x.db").resolve())
    for uri, collection in (("index/", None), ("ftp://x", None), ("a.db", "bad-name"),
                            ("a.db", "news__g000001")):  # fmt: skip
        with pytest.raises(UsageError):
            MilvusLocation.parse(uri, collection)


def test_migrate_copies_a_folder_index_exactly(page_index: Path, location) -> None:
    migrate_to_milvus(page_index, location)
    folder, milvus = load_snapshot(page_index), load_milvus_snapshot(location)
    assert milvus.manifest["backend"] == "milvus"
    assert milvus.manifest["embedding"] == folder.manifest["embedding"]
    assert [a.to_dict() for a in milvus.articles.values()] == [
        a.to_dict() for a in folder.articles.values()
    ]
    assert list(milvus.chunks) == list(folder.chunks)
    assert np.array_equal(milvus.vector_ids, folder.vector_ids)
    assert milvus.lexical.vocab == folder.lexical.vocab
    assert np.array_equal(milvus.lexical.token_ids, folder.lexical.token_ids)


def test_dense_hits_match_brute_force(milvus_index, hash_embedder) -> None:
    snapshot = load_milvus_snapshot(milvus_index)
    backend = snapshot.search_backend()
    stored = hash_embedder.embed_passages(
        [_indexed(snapshot, row) for row in range(len(snapshot.chunks))]
    )
    queries = hash_embedder.embed_queries(list(QUERIES))
    for query, (rows, scores) in zip(queries, backend.dense(queries, 10), strict=True):
        exact = stored @ query
        assert np.allclose(scores, np.sort(exact)[::-1][:10], atol=1e-5)
        assert np.allclose(exact[rows], scores, atol=1e-5)


def _indexed(snapshot, row: int) -> str:
    from qa.indexing.chunking import embedding_text

    chunk = snapshot.chunks[row]
    return embedding_text(snapshot.articles[chunk.article_id], chunk)


def test_milvus_bm25_is_our_bm25_times_k1_plus_one_on_one_segment(page_index: Path, location):
    migrate_to_milvus(page_index, location)
    ours = load_snapshot(page_index).search_backend()
    milvus = load_milvus_snapshot(location).search_backend()
    k1 = load_snapshot(page_index).manifest["lexical"]["params"]["k1"]
    for query in QUERIES:
        our_rows, our_scores = ours.lexical(query, 20)
        rows, scores = milvus.lexical(query, 20)
        # Milvus's BM25 carries Lucene's (k1 + 1) factor, which bm25s and ours drop: on one
        # segment (the same statistics) every score is ours times k1 + 1, row by row.
        ours_of = dict(zip(our_rows.tolist(), our_scores.tolist(), strict=True))
        assert set(rows.tolist()) == set(ours_of), query
        expected = np.array([ours_of[r] * (k1 + 1) for r in rows.tolist()])
        assert np.allclose(scores, expected, rtol=1e-5), query
        assert np.all(np.diff(scores) <= 1e-6)


def test_filters_admit_the_same_rows_as_the_folder(page_index: Path, location) -> None:
    migrate_to_milvus(page_index, location)
    folder = load_snapshot(page_index)
    ours, milvus = folder.search_backend(), load_milvus_snapshot(location).search_backend()
    day = sorted(d for d in folder.articles.published_at if d)[0][:10]
    source = folder.articles.sources[0]
    cases = (SearchFilters(published_from=day), SearchFilters(published_to="2000-01-01"),
             SearchFilters(sources=(source,)), SearchFilters(sources=('名"字\\',)),
             SearchFilters(published_from=day, published_to=day, sources=(source,)))  # fmt: skip
    for filters in cases:
        assert np.array_equal(ours.candidates(filters), milvus.candidates(filters)), filters
        allowed = set(np.flatnonzero(ours.candidates(filters)).tolist())
        rows, _ = milvus.lexical("株洲 物流", 30, filters)
        assert set(rows.tolist()) <= allowed
    assert filter_expression(None) == "" and milvus.candidates(SearchFilters()) is None


def test_the_pipeline_answers_alike_on_both_backends(page_index: Path, location) -> None:
    migrate_to_milvus(page_index, location)
    embedder = HashEmbedder(64)
    folder = Pipeline(load_snapshot(page_index), embedder, reader="fast", calibrator=False)
    milvus = Pipeline.load(location, embedder=embedder, reader="fast", calibrator=False)
    for question in ("株洲节约了多少物流成本?", "株洲物流总费用与GDP的比率是多少?"):
        a, b = folder.ask(question), milvus.ask(question)
        assert (a.answer, a.abstained) == (b.answer, b.abstained)
        assert [c.chunk_id for c in a.citations] == [c.chunk_id for c in b.citations]
        for citation in b.citations:
            text = milvus.snapshot.articles[citation.article_id].text
            assert text[citation.start : citation.end] == citation.quote


def test_add_skips_present_articles_and_remove_drops_one(
    location, page_articles, hash_embedder
) -> None:
    build_milvus(location, page_articles[:5], hash_embedder)
    report = add_milvus(location, page_articles, hash_embedder)
    assert (report.articles_added, report.skipped_existing, report.articles_total) == (3, 5, 8)
    snapshot = load_milvus_snapshot(location)
    assert list(snapshot.articles) == [a.id for a in page_articles]
    assert len(set(snapshot.vector_ids.tolist())) == len(snapshot.chunks)
    assert snapshot.manifest["next_vector_id"] == int(snapshot.vector_ids.max()) + 1
    doomed = page_articles[2].id
    removed = remove_milvus(location, [doomed])
    assert removed.articles_total == 7 and removed.chunks_removed > 0
    after = load_milvus_snapshot(location)
    assert doomed not in after.articles
    assert all(c.article_id != doomed for c in after.chunks)
    kept = [v for v, c in zip(snapshot.vector_ids.tolist(), snapshot.chunks, strict=True)
            if c.article_id != doomed]  # fmt: skip
    assert after.vector_ids.tolist() == kept  # vector ids are stable across generations
    rows, _ = after.search_backend().lexical("株洲", 50)
    assert all(after.chunks[r].article_id != doomed for r in rows.tolist())
    # The current collection and the two published before it stay.
    assert _collections(location) == ["qa_news__g000001", "qa_news__g000002", "qa_news__g000003"]
    with pytest.raises(QAError, match="no article nope"):
        remove_milvus(location, ["nope"])
    with pytest.raises(QAError, match="empty"):
        remove_milvus(location, list(after.articles))
    add_milvus(location, [replace(page_articles[2], id="again")], hash_embedder)
    assert _collections(location) == ["qa_news__g000002", "qa_news__g000003", "qa_news__g000004"]


def test_build_refuses_to_replace_without_force(milvus_index, page_articles, hash_embedder):
    with pytest.raises(IndexExistsError, match="--force"):
        build_milvus(milvus_index, page_articles, hash_embedder)
    build_milvus(milvus_index, page_articles[:2], hash_embedder, force=True)
    assert len(load_milvus_snapshot(milvus_index).articles) == 2


def test_a_missing_index_says_how_to_build_one(location) -> None:
    with pytest.raises(IndexNotFoundError, match="qa build --backend milvus"):
        load_milvus_snapshot(location)


def test_another_encoder_is_refused(milvus_index, page_articles) -> None:
    with pytest.raises(EmbedderMismatchError):
        add_milvus(milvus_index, page_articles, HashEmbedder(32))


def test_a_collection_missing_rows_is_caught(milvus_index) -> None:
    client = connect(milvus_index)
    collection = client.describe_alias(milvus_index.collection)["collection_name"]
    client.delete(collection, filter="row == 0")
    with pytest.raises(CountMismatchError, match="rebuild"):
        load_milvus_snapshot(milvus_index)


def test_a_manifest_that_disagrees_with_the_collection_is_caught(milvus_index) -> None:
    client = connect(milvus_index)
    collection = client.describe_alias(milvus_index.collection)["collection_name"]
    manifest = json.loads(client.describe_collection(collection)["properties"]["qa.manifest"])
    manifest["embedding"]["dimension"] = 32
    client.alter_collection_properties(collection, properties={"qa.manifest": json.dumps(manifest)})
    with pytest.raises(CountMismatchError, match="dimension"):
        load_milvus_snapshot(milvus_index)


def test_stale_local_columns_are_made_again(milvus_index, page_articles, hash_embedder) -> None:
    first = load_milvus_snapshot(milvus_index)
    build_milvus(milvus_index, page_articles[:3], hash_embedder, force=True)
    second = load_milvus_snapshot(milvus_index)
    assert len(first.articles) == 8 and len(second.articles) == 3
    assert first.path != second.path


def test_a_long_article_is_carried_in_pieces(location, hash_embedder) -> None:
    text = "株洲物流园区今年节约成本近12亿元。" * 4000  # 72k characters, over 200 KB of JSON
    article = Article(id="long", title="长文", text=text, published_at="2026-01-15")
    build_milvus(location, [article], hash_embedder)
    assert load_milvus_snapshot(location).articles["long"] == article


def test_the_live_pipeline_follows_the_alias(milvus_index, page_articles, hash_embedder) -> None:
    live = LivePipeline(milvus_index, embedder=hash_embedder, reader="fast", check_seconds=0)
    first = live.generation
    add_milvus(milvus_index, [replace(page_articles[0], id="copy")], hash_embedder)
    assert live.refresh(wait=True)
    assert live.generation != first and "copy" in live.current.snapshot.articles


def test_every_verb_through_the_cli(tmp_path: Path, capsys) -> None:
    from tests.conftest import PAGE

    db = str(tmp_path / "cli.db")
    base = ["--backend", "milvus", "--milvus-uri", db, "--collection", "news"]
    assert cli_main(["build", "--source", str(PAGE), "--model", "hash:64", *base, "--json"]) == 0
    built = json.loads(capsys.readouterr().out)
    assert built["articles_total"] == 8 and built["index"].endswith("#news")
    assert cli_main(["info", *base, "--articles", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["verification"]["ok"] and info["backend"] == "milvus"
    first = info["articles"][0]["id"]
    assert cli_main(["remove", "--article", first, *base, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles_total"] == 7
    assert cli_main(["add", "--source", str(PAGE), *base, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles_added"] == 1
    assert cli_main(["ask", "株洲节约了多少物流成本?", *base, "--reader", "fast", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["citations"]
    assert cli_main(["check", "株洲节约社会物流成本近12亿元。", *base, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdicts"]
    capsys.readouterr()
    assert cli_main(["info", "--backend", "milvus", "--milvus-uri", db]) != 0
    assert "qa build --backend milvus" in capsys.readouterr().err
    assert cli_main(["ask", "x", "--milvus-uri", db]) == 2
    assert "--backend milvus" in capsys.readouterr().err


def test_migrate_through_the_cli(page_index: Path, tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "m.db")
    assert cli_main(["migrate", "--from", str(page_index), "--to", db, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["chunks_total"] == len(load_snapshot(page_index).chunks)
    assert cli_main(["migrate", "--from", str(page_index), "--to", db]) != 0
    assert "--force" in capsys.readouterr().err


KILL_POINTS = {
    # where the writer dies: rows sent but not flushed; all written, alias not yet switched;
    # alias switched, old collections not yet dropped
    "inserting": "pymilvus.MilvusClient.flush",
    "before_switch": "pymilvus.MilvusClient.alter_alias",
    "after_switch": "qa.indexing.milvus.prune",
}
WRITES = {
    "build": (8, 3, "build_milvus(location, articles[:3], HashEmbedder(64), force=True)"),
    "add": (5, 8, "add_milvus(location, articles, HashEmbedder(64))"),
    "remove": (8, 7, "remove_milvus(location, [articles[0].id])"),
}


@pytest.mark.parametrize("verb", sorted(WRITES))
@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_kill_9_during_a_write_leaves_the_alias_on_the_old_collection(
    location, page_articles, hash_embedder, verb: str, point: str
) -> None:
    before, after, call = WRITES[verb]
    build_milvus(location, page_articles[:before], hash_embedder)
    release(location)  # Milvus Lite: one process per file
    setup = f"""
from qa.encoders.embedding import HashEmbedder
from qa.indexing.milvus import MilvusLocation
from qa.indexing.milvus_writes import add_milvus, build_milvus, remove_milvus
location = MilvusLocation.parse({location.uri!r})
"""
    result = run_killed_at(KILL_POINTS[point], setup, call)
    assert result.returncode == -9, result.stderr[-2000:]
    expected = after if point == "after_switch" else before
    snapshot = load_milvus_snapshot(location)
    assert len(snapshot.articles) == expected
    assert snapshot.manifest["counts"]["articles"] == expected
    # The next writer drops the killed one's collection and works normally; what it keeps
    # is published collections only (after the switch the killed writer's was published).
    build_milvus(location, page_articles, hash_embedder, force=True)
    assert len(_collections(location)) == (3 if point == "after_switch" else 2)
    assert len(load_milvus_snapshot(location).articles) == 8


@pytest.mark.parametrize("fusion", ["milvus-rrf", "milvus-weighted"])
def test_milvus_rankers_fuse_inside_milvus_and_only_there(
    page_index: Path, location, fusion: str
) -> None:
    from qa.retrieval.fusion import FUSIONS
    from qa.retrieval.hybrid import HybridRetriever

    migrate_to_milvus(page_index, location)
    embedder = HashEmbedder(64)
    milvus = HybridRetriever(load_milvus_snapshot(location), embedder, FUSIONS[fusion])
    hits = milvus.search("株洲节约了多少物流成本", 5).hits
    assert len(hits) == 5 and all(h.score >= 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    folder = HybridRetriever(load_snapshot(page_index), embedder, FUSIONS[fusion])
    with pytest.raises(UsageError, match="--backend milvus"):
        folder.search("株洲节约了多少物流成本", 5)


def test_a_lite_file_open_elsewhere_is_refused_with_what_to_do(milvus_index, tmp_path) -> None:
    from tests.conftest import PAGE

    load_milvus_snapshot(milvus_index)  # this process now holds the file
    result = subprocess.run(
        [sys.executable, "-m", "qa", "add", "--backend", "milvus", "--milvus-uri",
         milvus_index.uri, "--source", str(PAGE)],
        cwd=Path(__file__).parents[2], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "one process" in result.stderr and "Traceback" not in result.stderr


def test_an_hnsw_collection_finds_what_flat_finds(location, page_articles, hash_embedder):
    build_milvus(location, page_articles, hash_embedder, vector_index="HNSW")
    snapshot = load_milvus_snapshot(location)
    assert snapshot.manifest["milvus"]["vector_index"] == "HNSW"
    stored = hash_embedder.embed_passages(
        [_indexed(snapshot, row) for row in range(len(snapshot.chunks))]
    )
    queries = hash_embedder.embed_queries(list(QUERIES))
    for query, (rows, _) in zip(queries, snapshot.search_backend().dense(queries, 5), strict=True):
        assert set(rows.tolist()) == set(np.argsort(-(stored @ query))[:5].tolist())
    with pytest.raises(QAError, match="FLAT, HNSW"):
        build_milvus(location, page_articles, hash_embedder, force=True, vector_index="IVF")


def test_a_failed_write_drops_its_collection_and_keeps_the_index(
    milvus_index, page_articles, hash_embedder, monkeypatch
) -> None:
    import qa.indexing.milvus as milvus

    monkeypatch.setattr(milvus, "_count", lambda client, name: -1)
    with pytest.raises(CountMismatchError):
        add_milvus(milvus_index, [replace(page_articles[0], id="new")], hash_embedder)
    monkeypatch.undo()
    assert _collections(milvus_index) == ["qa_news__g000001"]
    assert "new" not in load_milvus_snapshot(milvus_index).articles


def test_locations_keep_tokens_out_of_repr_and_ipv6_in_brackets() -> None:
    location = MilvusLocation.parse("http://root:secret@[::1]:19530")
    assert location.uri == "http://[::1]:19530" and "secret" not in repr(location)


def test_milvus_rankers_leave_single_list_modes_to_ours(milvus_index) -> None:
    from qa.retrieval.fusion import FUSIONS
    from qa.retrieval.hybrid import HybridRetriever

    snapshot = load_milvus_snapshot(milvus_index)
    plain = HybridRetriever(snapshot, HashEmbedder(64))
    milvus = HybridRetriever(snapshot, HashEmbedder(64), FUSIONS["milvus-rrf"])
    for mode in ("dense", "bm25"):
        assert [h.row for h in milvus.search("株洲 物流", 5, mode=mode).hits] == [
            h.row for h in plain.search("株洲 物流", 5, mode=mode).hits
        ]
