"""Build, add to and remove from an index: chunk, embed, index, commit.

Everything is computed in memory first and committed by ``qa.indexing.store.write_generation``;
a failure (or a kill) before the commit leaves the existing index as it was.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import DEFAULT_FAISS_FACTORY, ChunkingConfig, resolve_faiss_factory
from qa.encoders.embedding import Embedder
from qa.errors import IndexExistsError, IndexLockedError, QAError
from qa.indexing.chunking import chunk_articles, embedding_text
from qa.indexing.lexical import Bm25Params, LexicalIndex
from qa.indexing.store import (
    SCHEMA_VERSION,
    UPGRADABLE_SCHEMAS,
    IndexSnapshot,
    check_can_create,
    check_embedder,
    load_snapshot,
    read_legacy_generation,
    read_manifest,
    write_generation,
    writer_lock,
)
from qa.indexing.vectors import VectorIndex
from qa.textnorm import normalize_line
from qa.types import Article, Chunk

PASSAGE_TEMPLATE = "{source} {title}\\n{chunk}"
_CARRIED = (
    "created_at",
    "embedding",
    "faiss",
    "chunking",
    "lexical",
    "passage_template",
    "next_vector_id",
)


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """How a new index is built; recorded in its manifest."""

    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)
    factory: str = DEFAULT_FAISS_FACTORY
    bm25: Bm25Params = field(default_factory=Bm25Params)


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What a build, add or remove did, and how long its stages took."""

    articles_added: int
    articles_removed: int
    chunks_added: int
    chunks_removed: int
    articles_total: int
    chunks_total: int
    skipped_existing: int
    seconds: Mapping[str, float]
    manifest: Mapping[str, Any]


def _indexed_texts(articles: Mapping[str, Article], chunks: Sequence[Chunk]) -> list[str]:
    return [embedding_text(articles[c.article_id], c) for c in chunks]


def build_index(
    index_dir: Path,
    articles: Sequence[Article],
    embedder: Embedder,
    options: IndexOptions | None = None,
    *,
    force: bool = False,
    progress: bool = False,
) -> WriteReport:
    """Create (or with ``force`` replace) the index in ``index_dir`` from ``articles``."""
    options = options or IndexOptions()
    if not articles:
        raise QAError("no articles to index")
    check_can_create(index_dir, force=force)
    timings: dict[str, float] = {}
    with writer_lock(index_dir):
        check_can_create(index_dir, force=force)
        started = time.perf_counter()
        by_id = {a.id: a for a in articles}
        chunks = chunk_articles(by_id.values(), options.chunking)
        texts = _indexed_texts(by_id, chunks)
        timings["chunk"] = time.perf_counter() - started

        started = time.perf_counter()
        vectors = embedder.embed_passages(texts, progress=progress)
        timings["embed"] = time.perf_counter() - started

        started = time.perf_counter()
        ids = np.arange(len(chunks), dtype=np.int64)
        factory = resolve_faiss_factory(options.factory, len(chunks))
        vector_index = VectorIndex.create(factory, embedder.identity.dimension, vectors, ids)
        timings["faiss"] = time.perf_counter() - started

        started = time.perf_counter()
        lexical = LexicalIndex.build(texts, options.bm25, progress=progress)
        timings["bm25"] = time.perf_counter() - started

        started = time.perf_counter()
        manifest = write_generation(
            index_dir,
            articles=list(by_id.values()),
            chunks=chunks,
            vector_ids=ids,
            vectors=vector_index,
            lexical=lexical,
            manifest_fields={
                "embedding": embedder.identity.to_dict(),
                "faiss": {"factory": factory, "metric": "inner_product"},
                "chunking": asdict(options.chunking),
                "lexical": {"library": "qa.lexical", "params": asdict(options.bm25)},
                "passage_template": PASSAGE_TEMPLATE,
            },
        )
        timings["write"] = time.perf_counter() - started
    return WriteReport(len(by_id), 0, len(chunks), 0, len(by_id), len(chunks), 0, timings, manifest)


def add_articles(
    index_dir: Path, articles: Sequence[Article], embedder: Embedder, *, progress: bool = False
) -> WriteReport:
    """Append the articles not yet in the index; articles already present are skipped."""
    timings: dict[str, float] = {}
    with writer_lock(index_dir):
        started = time.perf_counter()
        snapshot = load_snapshot(index_dir, mmap=False)
        check_embedder(snapshot.manifest, embedder.identity.to_dict())
        timings["load"] = time.perf_counter() - started

        new = {a.id: a for a in articles if a.id not in snapshot.articles}
        skipped = len({a.id for a in articles}) - len(new)
        if not new:
            return WriteReport(
                0,
                0,
                0,
                0,
                len(snapshot.articles),
                len(snapshot.chunks),
                skipped,
                timings,
                snapshot.manifest,
            )
        started = time.perf_counter()
        chunking = ChunkingConfig(**snapshot.manifest["chunking"])
        chunks = chunk_articles(new.values(), chunking)
        texts = _indexed_texts(new, chunks)
        vectors = embedder.embed_passages(texts, progress=progress)
        timings["embed"] = time.perf_counter() - started

        started = time.perf_counter()
        first_id = int(snapshot.manifest["next_vector_id"])
        ids = np.arange(first_id, first_id + len(chunks), dtype=np.int64)
        snapshot.vectors.add(vectors, ids)
        lexical = snapshot.lexical.extended(texts, progress=progress)
        timings["index"] = time.perf_counter() - started

        started = time.perf_counter()
        manifest = write_generation(
            index_dir,
            articles=chain(snapshot.articles.values(), new.values()),
            chunks=chain(snapshot.chunks, chunks),
            vector_ids=np.concatenate([snapshot.vector_ids, ids]),
            vectors=snapshot.vectors,
            lexical=lexical,
            manifest_fields={k: snapshot.manifest[k] for k in _CARRIED},
        )
        timings["write"] = time.perf_counter() - started
    counts = manifest["counts"]
    return WriteReport(
        len(new), 0, len(chunks), 0, counts["articles"], counts["chunks"], skipped, timings,
        manifest,
    )  # fmt: skip


def doomed_articles(
    snapshot: IndexSnapshot, article_ids: Sequence[str], where: str, listing: str
) -> set[str]:
    """The ids to remove, checked: each must be in ``snapshot`` (``listing``: the command
    that lists them) and at least one article must stay in the index ``where``."""
    unknown = [i for i in article_ids if i not in snapshot.articles]
    if unknown:
        raise QAError(
            f"no article {', '.join(unknown[:5])} in {where}: list the ids with `{listing}`"
        )
    doomed = set(article_ids)
    if len(doomed) == len(snapshot.articles):
        raise QAError(
            f"removing all {len(doomed)} articles would leave {where} empty: "
            "build a new index instead"
        )
    return doomed


def doomed_chunk_rows(snapshot: IndexSnapshot, doomed: set[str]) -> np.ndarray:
    """A boolean mask of the chunk rows of the ``doomed`` articles."""
    rows = [snapshot.articles.row(article_id) for article_id in doomed]
    return np.isin(snapshot.chunks.article_rows, rows)


def remove_articles(index_dir: Path, article_ids: Sequence[str]) -> WriteReport:
    """Remove articles (and their chunks) by id; unknown ids are an error."""
    timings: dict[str, float] = {}
    with writer_lock(index_dir):
        started = time.perf_counter()
        snapshot = load_snapshot(index_dir, mmap=False)
        timings["load"] = time.perf_counter() - started
        doomed = doomed_articles(snapshot, article_ids, str(index_dir),
                                 f"python -m qa info --index {index_dir} --articles")  # fmt: skip
        keep = ~doomed_chunk_rows(snapshot, doomed)
        started = time.perf_counter()
        vectors = snapshot.vectors.without(snapshot.vector_ids[~keep])
        lexical = snapshot.lexical.kept(keep)
        timings["index"] = time.perf_counter() - started
        started = time.perf_counter()
        manifest = write_generation(
            index_dir,
            articles=(a for a in snapshot.articles.values() if a.id not in doomed),
            chunks=(snapshot.chunks[row] for row in np.flatnonzero(keep).tolist()),
            vector_ids=snapshot.vector_ids[keep],
            vectors=vectors,
            lexical=lexical,
            manifest_fields={k: snapshot.manifest[k] for k in _CARRIED},
        )
        timings["write"] = time.perf_counter() - started
    counts = manifest["counts"]
    return WriteReport(
        0, len(doomed), 0, int((~keep).sum()), counts["articles"], counts["chunks"], 0, timings,
        manifest,
    )  # fmt: skip


def _schema(index_dir: Path) -> int:
    """The schema of the index in ``index_dir`` (current or upgradable; others are errors)."""
    return int(
        read_manifest(index_dir, schemas=(*UPGRADABLE_SCHEMAS, SCHEMA_VERSION))["schema_version"]
    )


def printed_articles(index_dir: Path, stored: Sequence[Article]) -> list[Article]:
    """``stored`` (normalised, as schemas 2 and 3 kept them) with their printed text, read
    again from the files their ``origin`` names; an error says to rebuild when a file is
    gone or no longer holds the same article."""
    from qa.ingest import read_articles

    rebuild = (
        f"rebuild the index from its sources with `python -m qa build --force --index "
        f"{index_dir} SOURCES`"
    )
    by_file: dict[str, list[Article]] = {}
    for article in stored:
        path = article.origin.rsplit(":", 1)[0]
        if not path or not Path(path).is_file():
            raise QAError(f"{article.id}: its source file {path!r} is gone: {rebuild}")
        by_file.setdefault(path, []).append(article)
    printed: dict[str, Article] = {}
    for path, articles in by_file.items():
        dates = {a.published_at[:10] for a in articles if a.published_at}
        date = dates.pop() if len(dates) == 1 else None
        # A bad line elsewhere in the file (the index may hold its first N articles only)
        # does not matter: the articles the index holds are checked one by one below.
        for article in read_articles([path], date=date, skip_bad=True).articles:
            printed.setdefault(article.id, article)
    upgraded = []
    for old in stored:
        new = printed.get(old.id)
        if new is None or new.matched.text != old.text:
            raise QAError(f"{old.id}: {old.origin} no longer holds this article: {rebuild}")
        # The source too, where it is the file's own (not one given with --source).
        source = new.source if normalize_line(new.source) == old.source else old.source
        upgraded.append(
            replace(old, text=new.text, title=new.title, kicker=new.kicker, source=source,
                    subtitle=new.subtitle, byline=new.byline, dateline=new.dateline)
        )  # fmt: skip
    return upgraded


def upgrade_index(index_dir: Path) -> WriteReport:
    """Rewrite a schema-2 or -3 index in the current schema: the printed text read again from
    the articles' sources (whose matched view is the text those schemas stored, so every
    chunk, vector and BM25 row is kept)."""
    if _schema(index_dir) == SCHEMA_VERSION:
        raise QAError(f"{index_dir} already has index schema {SCHEMA_VERSION}: nothing to upgrade")
    with writer_lock(index_dir):
        started = time.perf_counter()
        legacy = read_legacy_generation(index_dir)
        manifest = write_generation(
            index_dir,
            articles=printed_articles(index_dir, legacy.articles),
            chunks=legacy.chunks,
            vector_ids=legacy.vector_ids,
            vectors=legacy.vectors,
            lexical=legacy.lexical,
            manifest_fields={k: legacy.manifest[k] for k in _CARRIED},
        )
        seconds = {"upgrade": time.perf_counter() - started}
    counts = manifest["counts"]
    return WriteReport(0, 0, 0, 0, counts["articles"], counts["chunks"], 0, seconds, manifest)


def ensure_index(
    index_dir: Path, corpus_dir: Path, *, progress: bool = False, wait_seconds: float = 1800
) -> Path:
    """Return ``index_dir``, first building it from ``corpus_dir`` if it holds no index.

    The default index made by an earlier version is upgraded in place (its vectors are
    kept). Safe when several processes start at once (the web chat and a CLI call): one
    builds, the others wait for its manifest.
    """
    from qa.encoders.embedding import make_embedder
    from qa.indexing.store import manifest_path
    from qa.ingest import read_articles

    if manifest_path(index_dir).exists():
        if _schema(index_dir) in UPGRADABLE_SCHEMAS:
            if progress:
                print(f"upgrading {index_dir} to index schema {SCHEMA_VERSION}", file=sys.stderr)
            try:
                upgrade_index(index_dir)
            except IndexLockedError:
                pass  # another process is upgrading it: wait for its manifest below
            except QAError:
                # The sources moved (a checkout elsewhere): the default index is the shipped
                # corpus's, so it is built again from there.
                if _schema(index_dir) != SCHEMA_VERSION:
                    if progress:
                        print(f"rebuilding {index_dir} from {corpus_dir}", file=sys.stderr)
                    articles = read_articles([corpus_dir]).articles
                    build_index(index_dir, articles, make_embedder(), progress=progress,
                                force=True)  # fmt: skip
            deadline = time.monotonic() + wait_seconds
            while _schema(index_dir) != SCHEMA_VERSION and time.monotonic() < deadline:
                time.sleep(1.0)
        return index_dir
    if progress:
        print(f"building {index_dir} from {corpus_dir} (first run)", file=sys.stderr)
    try:
        articles = read_articles([corpus_dir]).articles
        build_index(index_dir, articles, make_embedder(), progress=progress)
    except IndexExistsError:
        pass  # another process finished first
    except IndexLockedError:
        deadline = time.monotonic() + wait_seconds
        while not manifest_path(index_dir).exists():
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)
    return index_dir
