"""Build, add to, remove from and migrate into an index held in Milvus.

The same verbs as ``qa.indexing.build``, for ``qa.indexing.milvus``: every write makes a new
collection and switches the alias to it (``write_milvus_generation``), so a failure or a kill
before the switch leaves the index as it was. ``migrate_to_milvus`` copies a folder index's
vectors and BM25 tokens into Milvus without embedding anything again.

One writer at a time: Milvus Lite opens a file in one process only; a Milvus server has no
lock this code can hold, so two writers at once would both publish, the later one winning.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from qa.encoders.embedding import Embedder
from qa.errors import QAError
from qa.indexing.build import (
    PASSAGE_TEMPLATE,
    IndexOptions,
    WriteReport,
    doomed_articles,
    doomed_chunk_rows,
)
from qa.indexing.chunking import chunk_articles, embedding_text
from qa.indexing.milvus import (
    ChunkRow,
    MilvusLocation,
    check_can_create,
    chunk_row,
    connect,
    load_milvus_snapshot,
    records,
    resolve,
    stored_record,
    stored_rows,
    with_pieces,
    write_milvus_generation,
)
from qa.indexing.store import check_embedder, load_snapshot
from qa.tokens import analyze
from qa.types import Article, Chunk

VECTOR_INDEXES = ("FLAT", "HNSW")
_CARRIED = ("created_at", "embedding", "chunking", "lexical", "passage_template")


def _tokens(texts: Sequence[str], analyzer: str, *, progress: bool) -> list[list[str]]:
    from tqdm.auto import tqdm

    return [analyze(t, analyzer) for t in tqdm(texts, desc="BM25 tokens", unit="chunk",
                                               disable=not progress)]  # fmt: skip


def _new_rows(
    articles: Mapping[str, Article],
    chunks: Sequence[Chunk],
    embedder: Embedder,
    analyzer: str,
    first_id: int,
    timings: dict[str, float],
    *,
    progress: bool,
) -> Iterator[tuple[ChunkRow, str]]:
    started = time.perf_counter()
    texts = [embedding_text(articles[c.article_id], c) for c in chunks]
    vectors = embedder.embed_passages(texts, progress=progress)
    timings["embed"] = time.perf_counter() - started
    started = time.perf_counter()
    tokens = _tokens(texts, analyzer, progress=progress)
    timings["bm25"] = time.perf_counter() - started
    rows = (
        chunk_row(first_id + i, articles[c.article_id], c, texts[i], tokens[i], vectors[i])
        for i, c in enumerate(chunks)
    )
    return with_pieces(articles, rows, Counter(c.article_id for c in chunks))


def build_milvus(
    location: MilvusLocation,
    articles: Sequence[Article],
    embedder: Embedder,
    options: IndexOptions | None = None,
    *,
    force: bool = False,
    vector_index: str = "FLAT",
    progress: bool = False,
) -> WriteReport:
    """Create (or with ``force`` replace) the index at ``location`` from ``articles``."""
    options = options or IndexOptions()
    if not articles:
        raise QAError("no articles to index")
    if vector_index not in VECTOR_INDEXES:
        raise QAError(f"--milvus-index {vector_index}: use one of {', '.join(VECTOR_INDEXES)}")
    client = connect(location)
    check_can_create(client, location, force=force)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    by_id = {a.id: a for a in articles}
    chunks = chunk_articles(by_id.values(), options.chunking)
    timings["chunk"] = time.perf_counter() - started
    pairs = list(_new_rows(by_id, chunks, embedder, options.bm25.analyzer, 0, timings,
                           progress=progress))  # fmt: skip
    started = time.perf_counter()
    manifest = write_milvus_generation(
        client, location, records(pairs), article_count=len(by_id), chunk_count=len(chunks),
        next_vector_id=len(chunks), vector_index=vector_index, progress=progress,
        manifest_fields={
            "embedding": embedder.identity.to_dict(),
            "chunking": asdict(options.chunking),
            "lexical": {"library": "milvus.bm25", "params": asdict(options.bm25)},
            "passage_template": PASSAGE_TEMPLATE,
        },
    )  # fmt: skip
    timings["write"] = time.perf_counter() - started
    return WriteReport(len(by_id), 0, len(chunks), 0, len(by_id), len(chunks), 0, timings,
                       manifest)  # fmt: skip


def add_milvus(
    location: MilvusLocation,
    articles: Sequence[Article],
    embedder: Embedder,
    *,
    progress: bool = False,
) -> WriteReport:
    """Append the articles not yet in the index; articles already present are skipped."""
    from qa.config import ChunkingConfig

    timings: dict[str, float] = {}
    started = time.perf_counter()
    client = connect(location)
    snapshot = load_milvus_snapshot(location, client=client)
    manifest = snapshot.manifest
    check_embedder(manifest, embedder.identity.to_dict())
    timings["load"] = time.perf_counter() - started
    new = {a.id: a for a in articles if a.id not in snapshot.articles}
    skipped = len({a.id for a in articles}) - len(new)
    if not new:
        return WriteReport(0, 0, 0, 0, len(snapshot.articles), len(snapshot.chunks), skipped,
                           timings, manifest)  # fmt: skip
    chunks = chunk_articles(new.values(), ChunkingConfig(**manifest["chunking"]))
    first_id = int(manifest["next_vector_id"])
    params = manifest["lexical"]["params"]
    pairs = list(_new_rows(new, chunks, embedder, params["analyzer"], first_id, timings,
                           progress=progress))  # fmt: skip
    started = time.perf_counter()
    old = (stored_record(row) for row in stored_rows(client, resolve(client, location)))
    written = write_milvus_generation(
        client, location, chain(old, records(pairs)),
        article_count=len(snapshot.articles) + len(new),
        chunk_count=len(snapshot.chunks) + len(chunks), next_vector_id=first_id + len(chunks),
        vector_index=manifest["milvus"]["vector_index"], progress=progress,
        manifest_fields={k: manifest[k] for k in _CARRIED},
    )  # fmt: skip
    timings["write"] = time.perf_counter() - started
    counts = written["counts"]
    return WriteReport(len(new), 0, len(chunks), 0, counts["articles"], counts["chunks"], skipped,
                       timings, written)  # fmt: skip


def remove_milvus(location: MilvusLocation, article_ids: Sequence[str]) -> WriteReport:
    """Remove articles (and their chunks) by id; unknown ids are an error."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    client = connect(location)
    snapshot = load_milvus_snapshot(location, client=client)
    manifest = snapshot.manifest
    timings["load"] = time.perf_counter() - started
    doomed = doomed_articles(
        snapshot, article_ids, location.display(),
        f"python -m qa info --backend milvus --milvus-uri {location.uri} --articles",
    )  # fmt: skip
    removed = int(doomed_chunk_rows(snapshot, doomed).sum())
    started = time.perf_counter()
    kept = (stored_record(row) for row in stored_rows(client, resolve(client, location))
            if row["article_id"] not in doomed)  # fmt: skip
    written = write_milvus_generation(
        client, location, kept, article_count=len(snapshot.articles) - len(doomed),
        chunk_count=len(snapshot.chunks) - removed,
        next_vector_id=int(manifest["next_vector_id"]),
        vector_index=manifest["milvus"]["vector_index"],
        manifest_fields={k: manifest[k] for k in _CARRIED},
    )  # fmt: skip
    timings["write"] = time.perf_counter() - started
    counts = written["counts"]
    return WriteReport(0, len(doomed), 0, removed, counts["articles"], counts["chunks"], 0,
                       timings, written)  # fmt: skip


def migrate_to_milvus(
    index_dir: Path,
    location: MilvusLocation,
    *,
    force: bool = False,
    vector_index: str = "FLAT",
    progress: bool = False,
) -> WriteReport:
    """Copy the folder index in ``index_dir`` into Milvus: its vectors, BM25 tokens, chunks
    and articles as they are (nothing is embedded or tokenised again)."""
    if vector_index not in VECTOR_INDEXES:
        raise QAError(f"--milvus-index {vector_index}: use one of {', '.join(VECTOR_INDEXES)}")
    started = time.perf_counter()
    snapshot = load_snapshot(index_dir, verify=True, mmap=False)
    assert snapshot.vectors is not None
    client = connect(location)
    check_can_create(client, location, force=force)
    timings = {"load": time.perf_counter() - started}
    lexical, faiss_index = snapshot.lexical, snapshot.vectors.index
    vocab, token_ids, offsets = lexical.vocab, np.asarray(lexical.token_ids), lexical.offsets
    articles = {a.id: a for a in snapshot.articles.values()}
    chunk_counts = Counter(snapshot.articles.ids[r] for r in snapshot.chunks.article_rows.tolist())

    def rows() -> Iterator[ChunkRow]:
        batch = 1024
        for begin in range(0, len(snapshot.chunks), batch):
            ids = snapshot.vector_ids[begin : begin + batch]
            vectors = faiss_index.reconstruct_batch(ids)
            for offset, vector_id in enumerate(ids.tolist()):
                row = begin + offset
                chunk = snapshot.chunks[row]
                article = articles[chunk.article_id]
                tokens = [vocab[t] for t in token_ids[offsets[row] : offsets[row + 1]].tolist()]
                yield chunk_row(vector_id, article, chunk, embedding_text(article, chunk),
                                tokens, vectors[offset])  # fmt: skip

    manifest: Mapping[str, Any] = snapshot.manifest
    started = time.perf_counter()
    written = write_milvus_generation(
        client, location, records(with_pieces(articles, rows(), chunk_counts)),
        article_count=len(articles), chunk_count=len(snapshot.chunks),
        next_vector_id=int(manifest["next_vector_id"]), vector_index=vector_index,
        progress=progress,
        manifest_fields={**{k: manifest[k] for k in _CARRIED},
                         "lexical": {**manifest["lexical"], "library": "milvus.bm25"},
                         "migrated_from": {"index": str(index_dir),
                                           "generation": manifest["generation"]}},
    )  # fmt: skip
    timings["write"] = time.perf_counter() - started
    counts = written["counts"]
    return WriteReport(counts["articles"], 0, counts["chunks"], 0, counts["articles"],
                       counts["chunks"], 0, timings, written)  # fmt: skip
