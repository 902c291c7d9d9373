"""The index folder: one manifest, generations of files, atomic commits, verified loads.

Layout::

    index/
      manifest.json        the only entry point: versions, model, counts, sha256 of files
      g000007/             the files of the current generation
        articles.jsonl     one article per line
        articles.index.json  ids, line offsets, lengths, dates, sources (see qa.indexing.tables)
        chunks.npz         chunk i ↔ row i of the vectors and of the BM25 index
        vectors.faiss      IndexIDMap2; its ids, in row order, are the chunks' vector_id
                           (and, in an approximate index, those of removed chunks it
                           hides: manifest faiss.hidden counts them)
        bm25/              token ids per chunk (see qa.indexing.lexical)
      .lock                held by the writer

A writer fills a new generation folder, fsyncs it, then replaces manifest.json with one
``os.replace``: a reader sees the old index or the new one, never a mixture, and a writer
killed at any point leaves the previous index loadable. The previous generation is kept
(a reader that read the old manifest a moment ago can still open its files); older ones
and the debris of killed writers are removed by the next commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qa.checksums import sha256_file
from qa.errors import (
    ChecksumError,
    CountMismatchError,
    EmbedderMismatchError,
    IndexExistsError,
    IndexLockedError,
    IndexNotFoundError,
    SchemaVersionError,
)
from qa.indexing.lexical import Bm25Params, LexicalIndex
from qa.indexing.tables import ArticleTable, ChunkTable, write_tables
from qa.indexing.vectors import VectorIndex
from qa.types import Article, Chunk

if TYPE_CHECKING:
    from qa.indexing.backend import SearchBackend

SCHEMA_VERSION = 4
"""4: articles keep their printed text (qa.textnorm), chunks index its matched view; 3 stored
the text normalised, 2 also had chunks.jsonl. ``qa upgrade`` turns either into 4 by reading
the printed text again from the articles' sources (their ``origin``), keeping the vectors."""
UPGRADABLE_SCHEMAS = (2, 3)
MANIFEST = "manifest.json"
LOCK = ".lock"
_GENERATION = re.compile(r"^g(\d{6})$")


def qa_version() -> str:
    """Version of this package, recorded in every manifest."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qa-news")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class IndexSnapshot:
    """Everything in one generation of an index, loaded and cross-checked.

    Row i of ``vectors`` and of ``lexical`` is ``chunks[i]``, whose FAISS id is
    ``vector_ids[i]``.
    """

    path: Path
    manifest: Mapping[str, Any]
    articles: ArticleTable
    chunks: ChunkTable
    vectors: VectorIndex | None
    """The FAISS vectors (None when a search backend such as Milvus holds them)."""
    lexical: LexicalIndex
    verification: _Verification | None = None
    """Checksums still being computed (``load_snapshot(..., wait=False)``)."""
    backend: SearchBackend | None = None
    """Where searches go when not to ``vectors`` and ``lexical`` (qa.indexing.milvus)."""

    def search_backend(self) -> SearchBackend:
        """What the retriever searches: ``backend``, or this folder's FAISS and BM25."""
        if self.backend is not None:
            return self.backend
        from qa.indexing.backend import FolderBackend

        return FolderBackend(self)

    def wait_verified(self) -> None:
        """Return once every file's checksum matched; raise ChecksumError if one did not."""
        if self.verification is not None:
            self.verification.result()

    @property
    def vector_ids(self) -> np.ndarray:
        """FAISS id of each chunk, in row order (increasing)."""
        return self.chunks.vector_ids

    @property
    def generation(self) -> str:
        """Name of the generation folder this snapshot was read from."""
        return str(self.manifest["generation"])

    def rows_of_ids(self, ids: np.ndarray) -> np.ndarray:
        """Row numbers of FAISS ids (ids are increasing in row order)."""
        return np.searchsorted(self.vector_ids, ids)


# --------------------------------------------------------------------------- reading


def manifest_path(index_dir: Path) -> Path:
    """Path of an index's manifest."""
    return index_dir / MANIFEST


def read_manifest(index_dir: Path, *, schemas: Sequence[int] = (SCHEMA_VERSION,)) -> dict[str, Any]:
    """The manifest of the index in ``index_dir``, whose schema must be one of ``schemas``."""
    path = manifest_path(index_dir)
    if not path.is_file():
        raise IndexNotFoundError(
            f"no index in {index_dir} (no {MANIFEST}): build one with "
            f"`python -m qa build --source corpus --index {index_dir}`"
        )
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChecksumError(
            f"{path} is not valid JSON ({exc}): rebuild the index with --force"
        ) from exc
    version = manifest.get("schema_version") if isinstance(manifest, dict) else None
    if version in UPGRADABLE_SCHEMAS and version not in schemas:
        raise SchemaVersionError(
            f"{index_dir} has index schema {version}, this code reads schema {SCHEMA_VERSION}: "
            f"upgrade it in place with `python -m qa upgrade --index {index_dir}` (reads the "
            "printed text again from the articles' source files and keeps the vectors) or "
            "rebuild it with `python -m qa build --force`"
        )
    if version not in schemas:
        raise SchemaVersionError(
            f"{index_dir} has index schema {version!r}, this code reads schema {SCHEMA_VERSION}: "
            "rebuild it with `python -m qa build --force`"
        )
    return manifest


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def verify_files(index_dir: Path, manifest: Mapping[str, Any]) -> None:
    """Check every file listed in the manifest against its sha256."""
    for name, expected in manifest["files"].items():
        path = index_dir / name
        if not path.is_file():
            raise ChecksumError(
                f"{path} is missing from the index: rebuild it with `python -m qa build --force`"
            )
        actual = sha256_file(path)
        if actual != expected:
            raise ChecksumError(
                f"{path} is corrupt (sha256 {actual[:12]}…, manifest says {expected[:12]}…): "
                "rebuild the index with `python -m qa build --force`"
            )


def check_embedder(manifest: Mapping[str, Any], identity: Mapping[str, Any]) -> None:
    """Refuse a query encoder that is not the one that built the index."""
    built = manifest["embedding"]
    fields = ("model", "fingerprint", "dimension", "query_prompt", "passage_prompt")
    differing = [f for f in fields if built.get(f) != identity.get(f)]
    if differing:
        details = ", ".join(
            f"{f}: index {built.get(f)!r} vs encoder {identity.get(f)!r}" for f in differing
        )
        raise EmbedderMismatchError(
            f"the query encoder is not the one that built the index ({details}): query with "
            f"--model {built.get('model')} or rebuild the index with this model (--force)"
        )


def load_snapshot(
    index_dir: Path, *, verify: bool = True, mmap: bool = True, wait: bool = True
) -> IndexSnapshot:
    """Load the current generation of an index and cross-check all its parts.

    ``verify`` also checks every file's sha256, on a second thread while the files load;
    with ``wait=False`` the snapshot returns before the checksums are done, and the caller
    must call ``wait_verified()`` before it answers anyone (it overlaps hashing with loading
    the models). ``mmap`` maps the FAISS vectors instead of reading them (for serving); a
    writer that adds to the index needs ``mmap=False``.
    """
    for attempt in range(3):
        manifest = read_manifest(index_dir)
        try:
            snapshot = _load_generation(index_dir, manifest, verify=verify, mmap=mmap)
            if wait:
                snapshot.wait_verified()
            return snapshot
        except FileNotFoundError:
            # A writer committed a new generation and pruned this one while we read; retry.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


class _Verification:
    """``verify_files`` on a thread: hashing releases the GIL, so it overlaps the parsing."""

    def __init__(self, index_dir: Path, manifest: Mapping[str, Any]) -> None:
        self.error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(index_dir, manifest), name="verify-index", daemon=True
        )
        self._thread.start()

    def _run(self, index_dir: Path, manifest: Mapping[str, Any]) -> None:
        try:
            verify_files(index_dir, manifest)
        except BaseException as exc:  # re-raised by the loading thread in ``result``
            self.error = exc

    def result(self) -> None:
        """Wait for the checksums; raise what they found."""
        self._thread.join()
        if self.error is not None:
            raise self.error


def _load_generation(
    index_dir: Path, manifest: Mapping[str, Any], *, verify: bool, mmap: bool
) -> IndexSnapshot:
    verification = _Verification(index_dir, manifest) if verify else None
    try:
        return _read_generation(index_dir, manifest, mmap=mmap, verification=verification)
    except Exception:
        if verification is not None:
            verification.result()  # a corrupt file explains the failure better than the parser
        raise


def _read_generation(
    index_dir: Path,
    manifest: Mapping[str, Any],
    *,
    mmap: bool,
    verification: _Verification | None,
) -> IndexSnapshot:
    generation = index_dir / manifest["generation"]
    articles = ArticleTable.open(generation)
    chunks = ChunkTable.open(generation, articles)
    vectors = VectorIndex.load(
        generation / "vectors.faiss", manifest["faiss"]["factory"], mmap=mmap
    )
    lexical = LexicalIndex.load(generation / "bm25", Bm25Params(**manifest["lexical"]["params"]))

    def mismatch(what: str) -> CountMismatchError:
        return CountMismatchError(
            f"{index_dir}: {what}; the index is inconsistent: rebuild it with "
            "`python -m qa build --force`"
        )

    counts = manifest["counts"]
    hidden = int(manifest["faiss"].get("hidden", 0))
    if hidden:
        # Rows of removed chunks that an approximate index keeps (qa.indexing.vectors says why).
        vectors = vectors.hiding(np.setdiff1d(vectors.row_ids(), chunks.vector_ids))
        if len(vectors.hidden) != hidden:
            raise mismatch(f"{len(vectors.hidden)} hidden vectors, manifest says {hidden}")
    for problem in (*articles.check(), *chunks.check()):
        raise mismatch(problem)
    if len(articles) != counts["articles"]:
        raise mismatch(f"{len(articles)} articles, manifest says {counts['articles']}")
    if len(chunks) != counts["chunks"]:
        raise mismatch(f"{len(chunks)} chunks, manifest says {counts['chunks']}")
    if vectors.ntotal != len(chunks):
        raise mismatch(f"{vectors.ntotal} vectors for {len(chunks)} chunks")
    if lexical.size != len(chunks):
        raise mismatch(f"{lexical.size} BM25 rows for {len(chunks)} chunks")
    if not np.array_equal(vectors.ids(), chunks.vector_ids):
        raise mismatch("FAISS ids are not the chunks' vector ids in row order")
    if len(chunks) > 1 and not np.all(np.diff(chunks.vector_ids) > 0):
        raise mismatch("vector ids are not increasing")
    if vectors.dimension != manifest["embedding"]["dimension"]:
        expected = manifest["embedding"]["dimension"]
        raise mismatch(f"vectors have dimension {vectors.dimension}, the model {expected}")
    return IndexSnapshot(index_dir, manifest, articles, chunks, vectors, lexical, verification)


@dataclass(frozen=True)
class LegacyGeneration:
    """A schema-2 or schema-3 generation, read whole for ``qa upgrade``: its articles hold
    the normalised text that those schemas stored."""

    manifest: Mapping[str, Any]
    articles: list[Article]
    chunks: list[Chunk]
    vector_ids: np.ndarray
    vectors: VectorIndex
    lexical: LexicalIndex


def read_legacy_generation(index_dir: Path) -> LegacyGeneration:
    """Read a schema-2 (chunks.jsonl) or schema-3 index with its checksums verified."""
    manifest = read_manifest(index_dir, schemas=UPGRADABLE_SCHEMAS)
    if manifest["schema_version"] == 3:
        # Schema 3 is today's layout; only what its article text means has changed.
        snapshot = _load_generation(index_dir, manifest, verify=True, mmap=False)
        return LegacyGeneration(
            manifest, list(snapshot.articles.values()), list(snapshot.chunks),
            snapshot.vector_ids, snapshot.vectors, snapshot.lexical,
        )  # fmt: skip
    verify_files(index_dir, manifest)
    generation = index_dir / manifest["generation"]
    articles = [Article.from_dict(d) for d in _read_jsonl(generation / "articles.jsonl")]
    rows = list(_read_jsonl(generation / "chunks.jsonl"))
    chunks = [Chunk.from_dict({k: v for k, v in r.items() if k != "vector_id"}) for r in rows]
    vector_ids = np.asarray([row["vector_id"] for row in rows], np.int64)
    vectors = VectorIndex.load(generation / "vectors.faiss", manifest["faiss"]["factory"])
    lexical = LexicalIndex.load(generation / "bm25", Bm25Params(**manifest["lexical"]["params"]))
    if not np.array_equal(vectors.ids(), vector_ids) or lexical.size != len(chunks):
        raise CountMismatchError(
            f"{index_dir}: vectors, BM25 rows and chunks disagree; rebuild it with "
            "`python -m qa build --force`"
        )
    return LegacyGeneration(manifest, articles, chunks, vector_ids, vectors, lexical)


# --------------------------------------------------------------------------- writing


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's writer lock; fail at once if another writer holds it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise IndexLockedError(
                    f"another process is writing {index_dir}: wait for it to finish"
                ) from exc
            raise
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_can_create(index_dir: Path, *, force: bool) -> None:
    """Refuse to overwrite an index without ``force``, or to write into a foreign folder."""
    if manifest_path(index_dir).exists():
        if not force:
            raise IndexExistsError(
                f"{index_dir} already holds an index: pass --force to replace it, or use "
                "`python -m qa add` to add articles to it"
            )
        return
    if index_dir.is_dir():
        foreign = [
            p.name
            for p in index_dir.iterdir()
            if p.name != LOCK and not _GENERATION.match(p.name) and not p.name.startswith(".tmp")
        ]
        if foreign:
            raise IndexExistsError(
                f"{index_dir} is not empty and holds no index ({', '.join(sorted(foreign)[:3])}…): "
                "choose an empty or new folder"
            )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        else:
            _fsync_dir(path)
    _fsync_dir(folder)


def _next_generation(index_dir: Path) -> str:
    numbers = [int(m[1]) for p in index_dir.iterdir() if (m := _GENERATION.match(p.name))]
    return f"g{max(numbers, default=0) + 1:06d}"


def write_generation(
    index_dir: Path,
    *,
    articles: Iterable[Article],
    chunks: Iterable[Chunk],
    vector_ids: np.ndarray,
    vectors: VectorIndex,
    lexical: LexicalIndex,
    manifest_fields: Mapping[str, Any],
) -> dict[str, Any]:
    """Write a complete new generation and commit it; return the new manifest.

    The caller holds ``writer_lock``. Nothing a reader can see changes until the final
    ``os.replace`` of manifest.json.
    """
    previous = _current_generation(index_dir)
    generation = _next_generation(index_dir)
    folder = index_dir / generation
    folder.mkdir()
    article_count, chunk_count = write_tables(folder, articles, chunks, vector_ids)
    vectors.save(folder / "vectors.faiss")
    lexical.save(folder / "bm25")
    _fsync_tree(folder)
    files = {
        path.relative_to(index_dir).as_posix(): sha256_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "qa_version": qa_version(),
        **manifest_fields,
        "updated_at": now,
        "generation": generation,
        "counts": {"articles": article_count, "chunks": chunk_count},
        "next_vector_id": max(
            int(manifest_fields.get("next_vector_id", 0)),
            int(vector_ids.max()) + 1 if len(vector_ids) else 0,
        ),
        "files": files,
    }
    manifest.setdefault("created_at", now)
    manifest["faiss"] = {
        **manifest["faiss"],
        "ntotal": vectors.ntotal,
        "hidden": len(vectors.hidden),
    }
    tmp = index_dir / f".tmp-{MANIFEST}"
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, manifest_path(index_dir))
    _fsync_dir(index_dir)
    _prune(index_dir, keep={generation, previous} if previous else {generation})
    return manifest


def _current_generation(index_dir: Path) -> str | None:
    try:
        generation = json.loads(manifest_path(index_dir).read_text("utf-8")).get("generation")
    except (OSError, ValueError, AttributeError):
        return None
    return generation if isinstance(generation, str) and _GENERATION.match(generation) else None


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Remove generations other than ``keep`` and leftovers of killed writers."""
    for path in index_dir.iterdir():
        if (_GENERATION.match(path.name) and path.name not in keep) or path.name.startswith(".tmp"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
