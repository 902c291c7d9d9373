"""Milvus as an index's storage: one collection per generation, an alias names the current one.

An index in Milvus is an alias (``--collection``, "qa_news" by default) that points to a
collection ``<alias>__g000007``. A writer fills a new collection, checks its row count, and
then switches the alias with one ``alter_alias``: a reader resolves the alias once and sees
the old collection or the new one, never a mixture, and a writer killed at any point leaves
the alias where it was. The two collections published before it are kept (a reader that
resolved the alias a minute ago can finish on them); older ones and the debris of killed
writers are dropped by the next commit; a write that fails drops its own collection. The
manifest, the same fields as the folder's ``manifest.json`` bar the file checksums, is a
property of its collection.

Each row is one chunk (the schema is declared once, in ``_schema``):

=============  ==============================================================================
row            primary key: the chunk's row in this generation (rows of the snapshot)
vector_id      the chunk's stable vector id (kept across generations, as in the folder)
chunk_id       ``<article_id>-<ordinal>``
article_id     its article
ordinal        chunk number within the article
start, end     character offsets in the article's matched text
text           the passage as embedded: source and headline, then the chunk's text
terms          the passage's BM25 tokens (``qa.tokens.analyze``, jieba words + CJK bigrams),
               one per word, the input of Milvus's BM25 function (``bm25_word`` says how)
day            published_at's date (``YYYY-MM-DD``, "" when undated), for date filters
source         the source in its matched form, for source filters
article        a piece of the article's JSON (piece i on the article's chunk i, "" after)
vector         the e5 vector (inner product)
sparse         Milvus's BM25 of ``terms`` (a function output: Milvus computes it)
=============  ==============================================================================

Articles are rows' ``article`` pieces, joined: the article's JSON as the folder's
``articles.jsonl`` holds it, so every citation's quote is still the article text at its
offsets. A serving process keeps what the readers and the English expander ask of the
index — the articles, the chunk columns and the BM25 term statistics (IDF, vocabulary,
which rows hold a term) — in a local cache folder per collection, made from the collection
on its first load (collections never change once published, so the cache never goes
stale); the vectors and both searches stay in Milvus.

The BM25 tokens are ours, not Milvus's jieba analyzer's: Milvus's ``standard`` tokenizer
splits ``terms`` into the words we wrote, so Milvus scores the same tokens as the folder's
BM25, with the same k1 and b. What differs is where the statistics come from: Milvus keeps
them per segment (BENCHMARKS.md, "Milvus backend", measures the effect).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from qa.config import cache_dir
from qa.errors import (
    CountMismatchError,
    IndexExistsError,
    IndexNotFoundError,
    QAError,
    SchemaVersionError,
    UsageError,
)
from qa.indexing.backend import Ranked
from qa.indexing.lexical import Bm25Params, LexicalIndex
from qa.indexing.store import SCHEMA_VERSION, IndexSnapshot, qa_version
from qa.indexing.tables import ArticleTable, ChunkTable, chunk_id, write_tables
from qa.textnorm import normalize_line
from qa.tokens import analyze
from qa.types import Article, Chunk, SearchFilters

DEFAULT_COLLECTION = "qa_news"
MANIFEST_PROPERTY = "qa.manifest"
INSERT_BATCH = 256
"""Rows per insert: 256 rows of 384 floats and ~10 KB of text stay far below gRPC's 64 MB."""
READ_BATCH = 1000
VARCHAR_BYTES = 65_535
"""Milvus's longest VARCHAR."""
ARTICLE_PIECE_BYTES = 60_000
_GENERATION = re.compile(r"^(?P<alias>[A-Za-z_][A-Za-z0-9_]*)__g(?P<n>\d{6})$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_SAFE_WORD = re.compile(f"^[0-9a-wyz{_CJK}][0-9a-z{_CJK}]*$")
_STORED_FIELDS = ("row", "vector_id", "chunk_id", "article_id", "ordinal", "start", "end",
                  "text", "terms", "day", "source", "article")  # fmt: skip
_CACHE_VERSION = 1
KEEP_GENERATIONS = 3
"""Published collections kept: the current one and the two before it (a serving replica
resolved the alias before a write, and may take a minute to load the next one)."""
HNSW_EF_SEARCH = 128
"""As the folder's HNSW (qa.indexing.vectors); raised to the list depth when that is more,
since a Milvus server refuses an ef below k."""


# --------------------------------------------------------------------------- locations


@dataclass(frozen=True, slots=True)
class MilvusLocation:
    """Where an index lives in Milvus: a URI (a Milvus Lite file or a server) and an alias."""

    uri: str
    """``FILE.db`` (Milvus Lite, embedded) or ``http://HOST:PORT`` (standalone, cluster)."""
    collection: str = DEFAULT_COLLECTION
    """The alias readers resolve; each generation is a collection ``<alias>__gNNNNNN``."""
    token: str = field(default="", repr=False)
    """``user:password`` or an API key, from ``QA_MILVUS_TOKEN``; never recorded."""

    @classmethod
    def parse(cls, uri: str, collection: str | None = None, token: str | None = None) -> Self:
        """A location from a ``--milvus-uri``: ``FILE.db``, ``http(s)://HOST:PORT`` or
        ``milvus://HOST:PORT``; the token defaults to ``$QA_MILVUS_TOKEN``."""
        collection = collection or DEFAULT_COLLECTION
        if not _NAME.match(collection) or _GENERATION.match(collection):
            raise UsageError(
                f"collection name {collection!r} is not valid: use letters, digits and _, "
                "starting with a letter, and not ending in __g plus six digits"
            )
        token = os.environ.get("QA_MILVUS_TOKEN", "") if token is None else token
        parts = urlsplit(uri)
        if parts.scheme in ("http", "https", "milvus", "tcp", "grpc"):
            scheme = "https" if parts.scheme == "https" else "http"
            if parts.username or parts.password:
                # Credentials in the URI become the token, so that no manifest or log shows them.
                token = token or f"{parts.username or ''}:{parts.password or ''}"
            host = parts.hostname or "localhost"
            host = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
            netloc = f"{host}:{parts.port or 19530}"
            return cls(urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", "")), collection,
                       token)  # fmt: skip
        if parts.scheme:
            raise UsageError(
                f"--milvus-uri {uri!r}: use a Milvus Lite file (index.db) or a server "
                "(http://HOST:19530)"
            )
        if not uri.endswith(".db"):
            raise UsageError(f"--milvus-uri {uri!r}: a Milvus Lite file name must end in .db")
        return cls(str(Path(uri).expanduser().resolve()), collection, token)

    @property
    def is_lite(self) -> bool:
        """True for a Milvus Lite file."""
        return not self.uri.startswith(("http://", "https://"))

    def display(self) -> str:
        """The URI and alias as reports show them (never the token)."""
        return f"{self.uri}#{self.collection}"

    def cache_folder(self) -> Path:
        """Where serving processes keep this index's local columns: beside a Milvus Lite
        file, in the cache folder (``$QA_CACHE_DIR``) for a server."""
        if self.is_lite:
            return Path(f"{self.uri}.columns")
        key = hashlib.sha256(self.uri.encode("utf-8")).hexdigest()[:12]
        return cache_dir() / "milvus" / key


def _pymilvus() -> Any:
    try:
        import pymilvus
    except ImportError as exc:  # the extra is optional: the default install stays lean
        raise QAError(
            "the Milvus backend needs pymilvus and milvus-lite: "
            "`.venv/bin/pip install -e \".[milvus]\"`"
        ) from exc
    return pymilvus


def connect(location: MilvusLocation) -> Any:
    """A ``MilvusClient`` for ``location`` (errors that say what to do)."""
    pymilvus = _pymilvus()
    # Its query iterator warns on every read of a Milvus Lite file that it keeps its own
    # timestamps; that is expected there and says nothing to our users.
    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    if location.is_lite:
        # Milvus Lite's in-process gRPC server logs a traceback for each timestamp request
        # it does not implement; the client falls back to its own clock.
        logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
        # A file another process holds makes it log a traceback; our error below says
        # what happened and what to do.
        logging.getLogger("milvus_lite").setLevel(logging.CRITICAL)
        Path(location.uri).parent.mkdir(parents=True, exist_ok=True)
    try:
        return pymilvus.MilvusClient(uri=location.uri, token=location.token)
    except pymilvus.exceptions.MilvusException as exc:
        if location.is_lite:
            raise QAError(
                f"could not open the Milvus Lite file {location.uri} ({exc.message}): Milvus "
                "Lite lets one process open a file at a time, so stop the web chat or the "
                "writer that has it open, or serve from Milvus standalone (README, 'Scale out')"
            ) from exc
        raise QAError(
            f"could not reach Milvus at {location.uri} ({exc.message}): is the server up "
            "(README, 'Scale out'), and is QA_MILVUS_TOKEN right?"
        ) from exc


def release(location: MilvusLocation) -> None:
    """Close this process's Milvus Lite server of ``location`` so that another process can
    open the file (every client of it in this process stops working); no-op for a server."""
    if location.is_lite:
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(location.uri)


# --------------------------------------------------------------------------- BM25 words


def bm25_word(token: str) -> str:
    """A BM25 token as one word that Milvus's ``standard`` tokenizer keeps whole.

    That tokenizer splits at anything but letters and digits and lowercases; our tokens
    are lowercased already, so a token of ASCII lowercase, digits and CJK passes as it is.
    Any other ("13.5%", "e5-small") becomes ``x`` + the hex of its UTF-8 (so do tokens
    that start with x, which keeps the code reversible).
    """
    return token if _SAFE_WORD.match(token) else "x" + token.encode("utf-8").hex()


def token_of_word(word: str) -> str:
    """The token ``bm25_word`` wrote as ``word``."""
    return bytes.fromhex(word[1:]).decode("utf-8") if word.startswith("x") else word


def bm25_terms(tokens: Iterable[str]) -> str:
    """The ``terms`` field for a passage's (or a query's) tokens."""
    return " ".join(bm25_word(t) for t in tokens)


# --------------------------------------------------------------------------- schema


def _schema(client: Any, dimension: int) -> Any:
    pymilvus = _pymilvus()
    types = pymilvus.DataType
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", types.INT64, is_primary=True)
    schema.add_field("vector_id", types.INT64)
    schema.add_field("chunk_id", types.VARCHAR, max_length=512)
    schema.add_field("article_id", types.VARCHAR, max_length=512)
    schema.add_field("ordinal", types.INT32)
    schema.add_field("start", types.INT32)
    schema.add_field("end", types.INT32)
    schema.add_field("text", types.VARCHAR, max_length=VARCHAR_BYTES)
    schema.add_field("terms", types.VARCHAR, max_length=VARCHAR_BYTES, enable_analyzer=True,
                     analyzer_params={"tokenizer": "standard"})  # fmt: skip
    schema.add_field("day", types.VARCHAR, max_length=10)
    schema.add_field("source", types.VARCHAR, max_length=1024)
    schema.add_field("article", types.VARCHAR, max_length=VARCHAR_BYTES)
    schema.add_field("vector", types.FLOAT_VECTOR, dim=dimension)
    schema.add_field("sparse", types.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        pymilvus.Function(name="bm25", function_type=pymilvus.FunctionType.BM25,
                          input_field_names=["terms"], output_field_names=["sparse"])
    )  # fmt: skip
    return schema


def _index_params(client: Any, params: Bm25Params, vector_index: str, *, lite: bool) -> Any:
    index = client.prepare_index_params()
    if vector_index == "FLAT":
        index.add_index("vector", index_type="FLAT", metric_type="IP")
    else:  # HNSW, as the folder's large indexes (HNSW32, efSearch in qa.indexing.vectors)
        index.add_index("vector", index_type="HNSW", metric_type="IP",
                        params={"M": 32, "efConstruction": 40})  # fmt: skip
    bm25 = {"bm25_k1": params.k1, "bm25_b": params.b}
    if lite:
        # pymilvus sends index parameters as separate key-value pairs, which a Milvus server
        # reads; Milvus Lite reads only a "params" pair holding them as JSON, and without it
        # scores with its own k1 of 1.5.
        bm25 = {**bm25, "params": json.dumps(bm25)}
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                    params=bm25)  # fmt: skip
    return index


# --------------------------------------------------------------------------- reading


def resolve(client: Any, location: MilvusLocation) -> str:
    """The collection the alias points to now (IndexNotFoundError if none)."""
    target = alias_target(client, location.collection)
    if target is None:
        raise IndexNotFoundError(
            f"no index {location.collection!r} in Milvus at {location.uri}: build one with "
            f"`python -m qa build --backend milvus --milvus-uri {location.uri} "
            f"--collection {location.collection}`"
        )
    return target


def read_milvus_manifest(client: Any, collection: str) -> dict[str, Any]:
    """The manifest stored on ``collection`` (its schema must be this code's)."""
    properties = client.describe_collection(collection).get("properties") or {}
    if MANIFEST_PROPERTY not in properties:
        raise CountMismatchError(
            f"Milvus collection {collection} has no {MANIFEST_PROPERTY} property: it was not "
            "written by `python -m qa build --backend milvus`; build the index again"
        )
    manifest = json.loads(properties[MANIFEST_PROPERTY])
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"Milvus collection {collection} has index schema {manifest.get('schema_version')!r}, "
            f"this code reads schema {SCHEMA_VERSION}: rebuild it with "
            "`python -m qa build --backend milvus --force`"
        )
    return manifest


def current_generation(location: MilvusLocation, client: Any | None = None) -> str:
    """The collection the alias names now (what ``LivePipeline`` polls)."""
    return resolve(client or connect(location), location)


def _count(client: Any, collection: str) -> int:
    result = client.query(collection, filter="", output_fields=["count(*)"])
    return int(result[0]["count(*)"])


def _vector_dimension(client: Any, collection: str) -> int:
    for described in client.describe_collection(collection)["fields"]:
        if described["name"] == "vector":
            return int(described["params"]["dim"])
    raise CountMismatchError(f"Milvus collection {collection} has no vector field")


def iter_rows(
    client: Any, collection: str, fields: Sequence[str], expression: str = "",
    *, size: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Every row's ``fields`` (of the rows ``expression`` admits), in row order.

    Rows are numbered 0…n-1 in every collection, so they are read in ranges of row
    numbers: a query iterator needs timestamps that Milvus Lite does not serve.
    """
    size = _count(client, collection) if size is None else size
    for begin in range(0, size, READ_BATCH):
        ranged = f"row >= {begin} and row < {begin + READ_BATCH}"
        batch = client.query(collection, filter=f"{ranged} and ({expression})" if expression
                             else ranged, output_fields=list(fields))  # fmt: skip
        yield from sorted(batch, key=lambda r: r["row"])


def load_milvus_snapshot(location: MilvusLocation, *, client: Any | None = None) -> IndexSnapshot:
    """The current generation of the index at ``location``, cross-checked against its
    manifest, with its local columns (made on first use) and a ``MilvusBackend``."""
    client = client or connect(location)
    collection = resolve(client, location)
    manifest = read_milvus_manifest(client, collection)
    client.load_collection(collection)  # a no-op when another client loaded it already

    def mismatch(what: str) -> CountMismatchError:
        return CountMismatchError(
            f"{location.display()} ({collection}): {what}; the index is inconsistent: rebuild "
            f"it with `python -m qa build --backend milvus --force --milvus-uri {location.uri}`"
        )

    counts = manifest["counts"]
    if manifest.get("generation") != collection:
        raise mismatch(f"its manifest was written for collection {manifest.get('generation')!r}")
    rows = _count(client, collection)
    if rows != counts["chunks"]:
        raise mismatch(f"{rows} rows, manifest says {counts['chunks']} chunks")
    dimension = _vector_dimension(client, collection)
    if dimension != manifest["embedding"]["dimension"]:
        raise mismatch(f"vectors have dimension {dimension}, the model "
                       f"{manifest['embedding']['dimension']}")  # fmt: skip
    folder = _local_columns(client, location, collection, manifest, rows)
    articles = ArticleTable.open(folder)
    chunks = ChunkTable.open(folder, articles)
    lexical = LexicalIndex.load(folder / "bm25", Bm25Params(**manifest["lexical"]["params"]))
    for problem in (*articles.check(), *chunks.check()):
        raise mismatch(problem)
    if len(articles) != counts["articles"]:
        raise mismatch(f"{len(articles)} articles, manifest says {counts['articles']}")
    if len(chunks) != rows or lexical.size != rows:
        raise mismatch(f"the local columns hold {len(chunks)} chunks for {rows} rows")
    backend = MilvusBackend(client, collection, rows, Bm25Params(**manifest["lexical"]["params"]))
    return IndexSnapshot(folder, manifest, articles, chunks, None, lexical, backend=backend)


def _local_columns(
    client: Any, location: MilvusLocation, collection: str, manifest: Mapping[str, Any],
    size: int,
) -> Path:
    """The cache folder of ``collection``'s articles, chunk columns and BM25 statistics,
    made from the collection if it is missing or not this collection's."""
    root = location.cache_folder()
    folder = root / collection
    stamp = {"cache_version": _CACHE_VERSION, "collection": collection,
             "created_at": manifest["updated_at"], "counts": manifest["counts"]}  # fmt: skip
    done = folder / "done.json"
    with contextlib.suppress(OSError, ValueError):
        if json.loads(done.read_text("utf-8")) == stamp:
            return folder
    root.mkdir(parents=True, exist_ok=True)
    _remove_dead_temporaries(root)
    tmp = root / f".tmp-{collection}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    articles, chunks, vector_ids, tokens = _read_columns(client, collection, size)
    write_tables(tmp, articles, chunks, vector_ids)
    lexical = _lexical_from_tokens(tokens, Bm25Params(**manifest["lexical"]["params"]))
    lexical.save(tmp / "bm25")
    (tmp / "done.json").write_text(json.dumps(stamp), "utf-8")
    with contextlib.suppress(OSError, ValueError):
        if json.loads(done.read_text("utf-8")) == stamp:
            # Another process finished first (and may be reading it): keep its copy.
            shutil.rmtree(tmp, ignore_errors=True)
            return folder
    if folder.exists():
        # A copy of another collection of this name (the file was built anew): set aside
        # first, since a directory cannot replace a non-empty one.
        aside = root / f".tmp-old-{collection}-{os.getpid()}"
        os.replace(folder, aside)
        shutil.rmtree(aside, ignore_errors=True)
    try:
        os.replace(tmp, folder)
    except OSError:  # another process made it in the meantime
        shutil.rmtree(tmp, ignore_errors=True)
    _prune_cache(root, keep=collection)
    return folder


def _remove_dead_temporaries(root: Path) -> None:
    """Delete the half-made columns of processes that were killed while making them."""
    for path in root.glob(".tmp-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(path, ignore_errors=True)


def _prune_cache(root: Path, keep: str) -> None:
    """Drop cached columns of collections that no longer exist beside ``keep``'s alias."""
    match = _GENERATION.match(keep)
    if match is None:
        return
    alias, number = match["alias"], int(match["n"])
    for path in root.iterdir():
        other = _GENERATION.match(path.name)
        if other and other["alias"] == alias and int(other["n"]) < number - KEEP_GENERATIONS:
            shutil.rmtree(path, ignore_errors=True)


def _read_columns(
    client: Any, collection: str, size: int
) -> tuple[list[Article], list[Chunk], np.ndarray, list[list[str]]]:
    """Articles (joined from their pieces), chunks, vector ids and BM25 tokens, row order."""
    fields = ("row", "vector_id", "article_id", "ordinal", "start", "end", "terms", "article")
    pieces: dict[str, list[tuple[int, str]]] = {}
    spans: list[tuple[str, int, int, int]] = []
    vector_ids: list[int] = []
    tokens: list[list[str]] = []
    for expected, row in enumerate(iter_rows(client, collection, fields, size=size)):
        if row["row"] != expected:
            raise CountMismatchError(f"Milvus collection {collection}: row {expected} is missing")
        spans.append((row["article_id"], row["ordinal"], row["start"], row["end"]))
        vector_ids.append(row["vector_id"])
        tokens.append([token_of_word(w) for w in row["terms"].split()])
        pieces.setdefault(row["article_id"], [])
        if row["article"]:
            pieces[row["article_id"]].append((row["ordinal"], row["article"]))
    articles: dict[str, Article] = {}
    for article_id, parts in pieces.items():
        text = "".join(piece for _, piece in sorted(parts))
        try:
            articles[article_id] = Article.from_dict(json.loads(text))
        except (ValueError, TypeError) as exc:
            raise CountMismatchError(
                f"Milvus collection {collection}: article {article_id} does not read back "
                f"({exc}); rebuild the index"
            ) from exc
    chunks = []
    for article_id, ordinal, start, end in spans:
        matched = articles[article_id].matched.text
        chunks.append(Chunk(chunk_id(article_id, ordinal), article_id, ordinal, start, end,
                            matched[start:end]))  # fmt: skip
    return list(articles.values()), chunks, np.asarray(vector_ids, np.int64), tokens


def _lexical_from_tokens(tokens: Sequence[Sequence[str]], params: Bm25Params) -> LexicalIndex:
    """Our BM25 statistics from tokens already analysed (no jieba: seconds, not minutes)."""
    vocab: list[str] = []
    ids: dict[str, int] = {}
    token_ids: list[int] = []
    offsets = [0]
    for row in tokens:
        for token in row:
            term = ids.get(token)
            if term is None:
                term = ids[token] = len(vocab)
                vocab.append(token)
            token_ids.append(term)
        offsets.append(len(token_ids))
    return LexicalIndex(params, vocab, np.asarray(token_ids, np.int32),
                        np.asarray(offsets, np.int64))  # fmt: skip


# --------------------------------------------------------------------------- searching


def filter_expression(filters: SearchFilters | None) -> str:
    """The Milvus boolean expression of ``filters`` ("" when nothing is filtered)."""
    if filters is None or filters.is_empty():
        return ""
    clauses = []
    if filters.published_from or filters.published_to:
        clauses.append('day != ""')
    if filters.published_from:
        clauses.append(f"day >= {json.dumps(filters.published_from[:10])}")
    if filters.published_to:
        clauses.append(f"day <= {json.dumps(filters.published_to[:10])}")
    if filters.sources:
        names = sorted({normalize_line(s) for s in filters.sources})
        clauses.append(f"source in {json.dumps(names, ensure_ascii=False)}")
    return " and ".join(clauses)


class MilvusBackend:
    """Dense and BM25 search in one Milvus collection (one generation of an index)."""

    name = "milvus"

    def __init__(self, client: Any, collection: str, size: int, params: Bm25Params) -> None:
        self.client = client
        self.collection = collection
        self.size = size
        self.params = params

    def candidates(self, filters: SearchFilters | None) -> np.ndarray | None:
        """A boolean mask of the rows ``filters`` admit (None when nothing is filtered)."""
        expression = filter_expression(filters)
        if not expression:
            return None
        allowed = np.zeros(self.size, dtype=bool)
        rows = [r["row"] for r in iter_rows(self.client, self.collection, ["row"], expression,
                                            size=self.size)]  # fmt: skip
        allowed[rows] = True
        return allowed

    def _ranked(self, hits: Sequence[Any]) -> Ranked:
        rows = np.fromiter((h["row"] for h in hits), np.int64, count=len(hits))
        scores = np.fromiter((h["distance"] for h in hits), np.float32, count=len(hits))
        return rows, scores

    def dense(
        self, vectors: np.ndarray, depth: int, filters: SearchFilters | None = None
    ) -> list[Ranked]:
        """For each query vector: rows and inner products of the nearest chunks, best first."""
        results = self.client.search(
            self.collection, data=np.asarray(vectors, np.float32).tolist(), anns_field="vector",
            limit=max(1, min(depth, self.size)), filter=filter_expression(filters),
            output_fields=["row"], search_params={"metric_type": "IP",
                                                 "params": {"ef": max(HNSW_EF_SEARCH, depth)}},
        )  # fmt: skip
        return [self._ranked(hits) for hits in results]

    def lexical(self, query: str, depth: int, filters: SearchFilters | None = None) -> Ranked:
        """Rows and Milvus BM25 scores of the best matches of ``query``, best first."""
        terms = bm25_terms(analyze(query, self.params.analyzer))
        if not terms:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        (hits,) = self.client.search(
            self.collection, data=[terms], anns_field="sparse",
            limit=max(1, min(depth, self.size)), filter=filter_expression(filters),
            output_fields=["row"], search_params={"metric_type": "BM25"},
        )  # fmt: skip
        rows, scores = self._ranked(hits)
        # Milvus Lite reports BM25 as a negative distance, a server as the score.
        scores = np.abs(scores)
        keep = scores > 0
        return rows[keep], scores[keep]

    def hybrid(
        self, vectors: np.ndarray, query: str, depth: int, filters: SearchFilters | None,
        fusion: Any,
    ) -> list[tuple[int, float]]:  # fmt: skip
        """Milvus's own fusion (``hybrid_search`` with RRFRanker or WeightedRanker) of the
        dense list of each query vector and the BM25 list of ``query``: rows and fused
        scores, best first. ``fusion`` is a ``qa.retrieval.fusion.FusionConfig`` whose
        method is milvus-rrf or milvus-weighted (compared with ours in BENCHMARKS.md)."""
        pymilvus = _pymilvus()
        expression = filter_expression(filters)
        limit = max(1, min(depth, self.size))
        requests = [
            pymilvus.AnnSearchRequest(data=[np.asarray(v, np.float32).tolist()],
                                      anns_field="vector",
                                      param={"metric_type": "IP",
                                             "params": {"ef": max(HNSW_EF_SEARCH, limit)}},
                                      limit=limit, expr=expression)
            for v in vectors
        ]  # fmt: skip
        weights = [fusion.dense_weight] + [fusion.translated_weight] * (len(vectors) - 1)
        terms = bm25_terms(analyze(query, self.params.analyzer))
        if terms:
            requests.append(pymilvus.AnnSearchRequest(
                data=[terms], anns_field="sparse", param={"metric_type": "BM25"}, limit=limit,
                expr=expression))  # fmt: skip
            weights.append(fusion.lexical_weight)
        ranker = (pymilvus.RRFRanker(int(fusion.rrf_k)) if fusion.method == "milvus-rrf"
                  else pymilvus.WeightedRanker(*weights))  # fmt: skip
        (hits,) = self.client.hybrid_search(self.collection, requests, ranker, limit=limit,
                                            output_fields=["row"])  # fmt: skip
        # Milvus Lite returns a weighted score negated (as a distance), a server as it is.
        return [(int(h["row"]), abs(float(h["distance"]))) for h in hits]


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True, slots=True)
class ChunkRow:
    """One chunk as written to a collection (its row number is given on write)."""

    vector_id: int
    chunk: Chunk
    text: str
    """The passage as embedded (``qa.indexing.chunking.embedding_text``)."""
    tokens: Sequence[str]
    vector: np.ndarray
    day: str
    source: str


def article_pieces(article: Article) -> list[str]:
    """The article's JSON cut into pieces of at most ``ARTICLE_PIECE_BYTES`` UTF-8 bytes."""
    text = json.dumps(article.to_dict(), ensure_ascii=False)
    pieces, current, size = [], [], 0
    for char in text:
        width = len(char.encode("utf-8"))
        if size + width > ARTICLE_PIECE_BYTES:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    pieces.append("".join(current))
    return pieces


def chunk_row(vector_id: int, article: Article, chunk: Chunk, text: str,
              tokens: Sequence[str], vector: np.ndarray) -> ChunkRow:  # fmt: skip
    """The row of ``chunk`` of ``article``."""
    day = (article.published_at or "")[:10]
    return ChunkRow(vector_id, chunk, text, tokens, vector, day, normalize_line(article.source))


def records(pairs: Iterable[tuple[ChunkRow, str]]) -> Iterator[dict[str, Any]]:
    """Insert records (without their row number) of rows paired with their article pieces."""
    for row, piece in pairs:
        terms = bm25_terms(row.tokens)
        for name, value in (("text", row.text), ("terms", terms), ("article", piece)):
            if len(value.encode("utf-8")) > VARCHAR_BYTES:
                raise QAError(
                    f"chunk {row.chunk.id}: its {name} is over Milvus's {VARCHAR_BYTES} bytes: "
                    "build with a smaller --chunk-size"
                )
        yield {
            "vector_id": int(row.vector_id), "chunk_id": row.chunk.id,
            "article_id": row.chunk.article_id, "ordinal": row.chunk.ordinal,
            "start": row.chunk.start, "end": row.chunk.end, "text": row.text, "terms": terms,
            "day": row.day, "source": row.source, "article": piece,
            "vector": np.asarray(row.vector, np.float32).tolist(),
        }  # fmt: skip


def with_pieces(
    articles: Mapping[str, Article], rows: Iterable[ChunkRow], chunk_counts: Mapping[str, int]
) -> Iterator[tuple[ChunkRow, str]]:
    """Each row with its article's JSON piece (piece i on the article's chunk ordinal i);
    ``chunk_counts`` is how many chunks each article has."""
    cut: dict[str, list[str]] = {}
    for row in rows:
        article_id = row.chunk.article_id
        if article_id not in cut:
            cut[article_id] = article_pieces(articles[article_id])
            if len(cut[article_id]) > chunk_counts[article_id]:
                raise QAError(
                    f"article {article_id}: its {chunk_counts[article_id]} chunks cannot carry "
                    f"its {len(cut[article_id])} pieces of {ARTICLE_PIECE_BYTES} bytes: build "
                    "with a smaller --chunk-size"
                )
        pieces = cut[article_id]
        ordinal = row.chunk.ordinal
        yield row, pieces[ordinal] if ordinal < len(pieces) else ""


def next_collection(client: Any, alias: str) -> str:
    """The name of the next generation's collection."""
    numbers = [int(m["n"]) for name in client.list_collections()
               if (m := _GENERATION.match(name)) and m["alias"] == alias]  # fmt: skip
    return f"{alias}__g{max(numbers, default=0) + 1:06d}"


def alias_target(client: Any, alias: str) -> str | None:
    """The collection ``alias`` points to, or None."""
    # Listed first: describe_alias of a missing alias logs an error inside pymilvus.
    if alias not in client.list_aliases().get("aliases", []):
        return None
    return str(client.describe_alias(alias)["collection_name"])


def check_can_create(client: Any, location: MilvusLocation, *, force: bool) -> None:
    """Refuse to replace an index without ``force``."""
    if alias_target(client, location.collection) is not None and not force:
        raise IndexExistsError(
            f"Milvus already holds an index {location.collection!r} at {location.uri}: pass "
            "--force to replace it, or use `python -m qa add --backend milvus` to add to it"
        )
    if location.collection in client.list_collections():
        raise IndexExistsError(
            f"{location.uri} has a collection named {location.collection!r} that is not an "
            "index alias: choose another --collection"
        )


def write_milvus_generation(
    client: Any,
    location: MilvusLocation,
    rows: Iterable[dict[str, Any]],
    *,
    article_count: int,
    chunk_count: int,
    next_vector_id: int,
    manifest_fields: Mapping[str, Any],
    vector_index: str = "FLAT",
    progress: bool = False,
) -> dict[str, Any]:
    """Write ``rows`` (insert records, see ``records``; numbered here) as a new collection,
    check it, then point the alias at it.

    Nothing a reader can see changes until ``alter_alias``; the manifest is the new
    collection's property from its creation (an unpublished collection is invisible).
    """
    alias = location.collection
    previous = alias_target(client, alias)
    name = next_collection(client, alias)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "qa_version": qa_version(),
        **manifest_fields,
        "backend": "milvus",
        "milvus": {"uri": location.uri, "collection": alias, "vector_index": vector_index,
                   "bm25": "milvus BM25 function over qa tokens (standard tokenizer)"},
        "updated_at": now,
        "generation": name,
        "counts": {"articles": article_count, "chunks": chunk_count},
        "next_vector_id": next_vector_id,
    }  # fmt: skip
    manifest.setdefault("created_at", now)
    params = Bm25Params(**manifest["lexical"]["params"])
    dimension = int(manifest["embedding"]["dimension"])
    # The generations kept for readers that resolved the alias before this commit: the
    # previous one and the one before it (a replica may still be loading or serving them).
    kept = [previous, *read_milvus_manifest(client, previous).get("previous", [])][
        : KEEP_GENERATIONS - 1] if previous else []  # fmt: skip
    manifest["previous"] = kept
    client.create_collection(
        name, schema=_schema(client, dimension),
        index_params=_index_params(client, params, vector_index, lite=location.is_lite),
        properties={MANIFEST_PROPERTY: json.dumps(manifest, ensure_ascii=False)},
    )  # fmt: skip
    try:
        _fill(client, name, rows, chunk_count, progress=progress)
    except BaseException:
        # Not published, so no reader has it: free the server of it now (a kill leaves it
        # to the next writer's prune).
        with contextlib.suppress(Exception):
            client.drop_collection(name)
        raise
    if previous is None:
        client.create_alias(name, alias)
    else:
        client.alter_alias(name, alias)
    prune(client, alias, keep={name, *kept})
    return manifest


def _fill(
    client: Any, name: str, rows: Iterable[dict[str, Any]], chunk_count: int, *, progress: bool
) -> None:
    """Insert ``rows`` numbered from 0, flush, load and check the count."""
    from tqdm.auto import tqdm

    batch: list[dict[str, Any]] = []
    bar = tqdm(total=chunk_count, desc=f"Milvus {name}", unit="chunk", disable=not progress)
    for number, record in enumerate(rows):
        batch.append({**record, "row": number})
        if len(batch) == INSERT_BATCH:
            client.insert(name, batch)
            bar.update(len(batch))
            batch = []
    if batch:
        client.insert(name, batch)
        bar.update(len(batch))
    bar.close()
    client.flush(name)
    client.load_collection(name)
    written = _count(client, name)
    if written != chunk_count:
        raise CountMismatchError(f"{name}: {written} rows written for {chunk_count} chunks")


def prune(client: Any, alias: str, keep: set[str]) -> None:
    """Drop ``alias``'s generations other than ``keep`` (and killed writers' collections)."""
    for name in client.list_collections():
        match = _GENERATION.match(name)
        if match and match["alias"] == alias and name not in keep:
            client.drop_collection(name)


def stored_rows(client: Any, collection: str) -> Iterator[dict[str, Any]]:
    """Every row of ``collection`` with its vector, in row order (for add and remove)."""
    yield from iter_rows(client, collection, (*_STORED_FIELDS, "vector"))


def stored_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as an insert record (without its row number, which the writer gives)."""
    record = {name: row[name] for name in _STORED_FIELDS if name != "row"}
    record["vector"] = [float(x) for x in row["vector"]]
    return record
