"""The articles and chunks of an index generation as columns, made into objects on demand.

A large archive holds hundreds of thousands of chunks. Loading each as a Python object
took most of an index's load time and memory (10k articles: 0.5 s and 80 MB, growing
linearly). Here the articles stay lines of ``articles.jsonl`` in a memory-mapped file,
located by byte offsets; a chunk is four integers (article row, ordinal, start, end) and
its text is a slice of its article's text. An ``Article`` or ``Chunk`` is built only when
a caller asks for it, so a question touches a handful of articles, not the archive.

Files (in a generation folder)::

    articles.jsonl        one article per line (as before)
    articles.index.json   ids, byte offsets of the lines, matched-text lengths, dates, sources
    chunks.npz            article_row, ordinal, start, end, vector_id; row i ↔ FAISS row i
"""

from __future__ import annotations

import functools
import json
import mmap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from qa.types import Article, Chunk

ARTICLES = "articles.jsonl"
ARTICLES_INDEX = "articles.index.json"
CHUNKS = "chunks.npz"
_CACHED_ARTICLES = 4096
"""Parsed articles kept per table: retrieval asks for the same few again and again."""


def chunk_id(article_id: str, ordinal: int) -> str:
    """The id of an article's chunk number ``ordinal`` (as ``qa.indexing.chunking`` names them)."""
    return f"{article_id}-{ordinal}"


class ArticleTable(Mapping[str, Article]):
    """Articles by id, in index order, parsed from a memory-mapped JSON-lines file on access.

    ``published_at`` and ``sources`` are kept as columns for the retriever's filters.
    """

    def __init__(self, path: Path, columns: Mapping[str, Any]) -> None:
        self.path = path
        self.ids: list[str] = list(columns["ids"])
        self.offsets = np.asarray(columns["offsets"], np.int64)
        self.lengths = np.asarray(columns["lengths"], np.int64)
        self.published_at: list[str | None] = list(columns["published_at"])
        self.sources: list[str] = list(columns["sources"])
        self._rows = {article_id: row for row, article_id in enumerate(self.ids)}
        self._file = path.open("rb")
        size = path.stat().st_size
        # mmap cannot map an empty file; an empty table never reads it.
        self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        self.article = functools.lru_cache(maxsize=_CACHED_ARTICLES)(self._parse)

    @classmethod
    def open(cls, folder: Path) -> ArticleTable:
        """The table of the generation in ``folder``."""
        columns = json.loads((folder / ARTICLES_INDEX).read_text("utf-8"))
        return cls(folder / ARTICLES, columns)

    def _parse(self, row: int) -> Article:
        """The article in ``row`` (cached by ``article``)."""
        assert self._map is not None
        line = self._map[int(self.offsets[row]) : int(self.offsets[row + 1])]
        return Article.from_dict(json.loads(line))

    def row(self, article_id: str) -> int:
        """Row of an article id (KeyError if absent)."""
        return self._rows[article_id]

    def __getitem__(self, article_id: str) -> Article:
        return self.article(self._rows[article_id])

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def check(self) -> list[str]:
        """What is inconsistent in the table's columns and file (empty when nothing)."""
        problems = []
        count = len(self.ids)
        if len(self._rows) != count:
            problems.append("article ids are not unique")
        if not len(self.offsets) == count + 1 == len(self.lengths) + 1:
            problems.append(f"{len(self.offsets)} line offsets for {count} articles")
        elif len(self.published_at) != count or len(self.sources) != count:
            problems.append("the date or source column does not have one row per article")
        elif (
            self.offsets[0] != 0
            or np.any(np.diff(self.offsets) <= 0)
            or self.offsets[-1] != self.path.stat().st_size
            or (self._map is not None
                and np.any(np.frombuffer(self._map, np.uint8)[self.offsets[1:] - 1] != ord("\n")))
        ):  # fmt: skip
            problems.append(f"line offsets do not cover {self.path.name} line by line")
        return problems


class ChunkTable(Sequence[Chunk]):
    """Chunks in index row order: integer columns, a ``Chunk`` built per access."""

    def __init__(self, articles: ArticleTable, columns: Mapping[str, np.ndarray]) -> None:
        self.articles = articles
        self.article_rows = np.asarray(columns["article_row"], np.int64)
        self.ordinals = np.asarray(columns["ordinal"], np.int64)
        self.starts = np.asarray(columns["start"], np.int64)
        self.ends = np.asarray(columns["end"], np.int64)
        self.vector_ids = np.asarray(columns["vector_id"], np.int64)

    @classmethod
    def open(cls, folder: Path, articles: ArticleTable) -> ChunkTable:
        """The chunks of the generation in ``folder``."""
        with np.load(folder / CHUNKS) as data:
            return cls(articles, {name: data[name] for name in data.files})

    def __len__(self) -> int:
        return len(self.article_rows)

    @overload
    def __getitem__(self, row: int) -> Chunk: ...

    @overload
    def __getitem__(self, row: slice) -> Sequence[Chunk]: ...

    def __getitem__(self, row: int | slice) -> Chunk | Sequence[Chunk]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if not -len(self) <= row < len(self):
            raise IndexError(f"chunk row {row} out of range for {len(self)} chunks")
        article = self.articles.article(int(self.article_rows[row]))
        start, end, ordinal = int(self.starts[row]), int(self.ends[row]), int(self.ordinals[row])
        return Chunk(
            id=chunk_id(article.id, ordinal),
            article_id=article.id,
            ordinal=ordinal,
            start=start,
            end=end,
            text=article.matched.text[start:end],
        )

    def check(self) -> list[str]:
        """What is inconsistent in the columns (empty when nothing)."""
        count = len(self)
        columns = (self.ordinals, self.starts, self.ends, self.vector_ids)
        if any(len(column) != count for column in columns):
            return ["the chunk columns differ in length"]
        if not count:
            return []
        rows = self.article_rows
        if rows.min() < 0 or rows.max() >= len(self.articles):
            return ["a chunk points to an article row that does not exist"]
        if np.any(self.starts < 0) or np.any(self.starts >= self.ends):
            return ["a chunk has an empty or negative character span"]
        if np.any(self.ends > self.articles.lengths[rows]):
            return ["a chunk ends beyond its article's text"]
        return []


def write_tables(
    folder: Path, articles: Iterable[Article], chunks: Iterable[Chunk], vector_ids: np.ndarray
) -> tuple[int, int]:
    """Write ``articles.jsonl``, its index and ``chunks.npz`` into ``folder``; count both.

    Every chunk's id must be ``chunk_id(article_id, ordinal)`` and its text the article's
    matched text at its offsets: both are derived, not stored, so they are checked here.
    """
    ids: list[str] = []
    offsets = [0]
    lengths: list[int] = []
    published_at: list[str | None] = []
    sources: list[str] = []
    texts: dict[str, str] = {}
    with (folder / ARTICLES).open("wb") as handle:
        for article in articles:
            line = (json.dumps(article.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
            handle.write(line)
            offsets.append(offsets[-1] + len(line))
            ids.append(article.id)
            lengths.append(len(article.matched.text))
            published_at.append(article.published_at)
            sources.append(article.source)
            texts[article.id] = article.matched.text
    row_of = {article_id: row for row, article_id in enumerate(ids)}
    columns: dict[str, list[int]] = {"article_row": [], "ordinal": [], "start": [], "end": []}
    for chunk in chunks:
        if chunk.id != chunk_id(chunk.article_id, chunk.ordinal):
            raise ValueError(f"chunk id {chunk.id!r} is not article id + '-' + ordinal")
        if texts[chunk.article_id][chunk.start : chunk.end] != chunk.text:
            raise ValueError(f"chunk {chunk.id} does not match its article's text")
        columns["article_row"].append(row_of[chunk.article_id])
        columns["ordinal"].append(chunk.ordinal)
        columns["start"].append(chunk.start)
        columns["end"].append(chunk.end)
    if len(columns["start"]) != len(vector_ids):
        raise ValueError(f"{len(columns['start'])} chunks for {len(vector_ids)} vector ids")
    index = {"ids": ids, "offsets": offsets, "lengths": lengths,
             "published_at": published_at, "sources": sources}  # fmt: skip
    (folder / ARTICLES_INDEX).write_text(json.dumps(index, ensure_ascii=False), "utf-8")
    with (folder / CHUNKS).open("wb") as handle:
        np.savez(
            handle,
            article_row=np.asarray(columns["article_row"], np.int32),
            ordinal=np.asarray(columns["ordinal"], np.int32),
            start=np.asarray(columns["start"], np.int32),
            end=np.asarray(columns["end"], np.int32),
            vector_id=np.asarray(vector_ids, np.int64),
        )
    return len(ids), len(vector_ids)
