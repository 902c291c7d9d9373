"""Where the retriever's hits come from: the seam between retrieval and storage.

The retriever asks a ``SearchBackend`` for dense hits, lexical hits and the rows a filter
admits; it never learns which storage it has. Two implementations:

- ``FolderBackend`` (here): the index folder's FAISS vectors and BM25 matrix, in process;
  the default.
- ``qa.indexing.milvus.MilvusBackend``: a Milvus collection (Milvus Lite in a file, or a
  standalone or distributed server), whose BM25 is Milvus's own function.

Rows are the snapshot's chunk rows in both: ``snapshot.chunks[row]`` is the hit's chunk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from qa.textnorm import normalize_line
from qa.types import SearchFilters

if TYPE_CHECKING:
    from qa.indexing.store import IndexSnapshot

Ranked = tuple[np.ndarray, np.ndarray]
"""Rows (int64) and their scores (float32), best first."""


def _empty() -> Ranked:
    return np.zeros(0, np.int64), np.zeros(0, np.float32)


class SearchBackend(Protocol):
    """Dense and lexical search over one immutable generation of an index."""

    name: str
    """"folder" or "milvus", for reports."""

    def dense(
        self, vectors: np.ndarray, depth: int, filters: SearchFilters | None = None
    ) -> list[Ranked]:
        """For each query vector: the rows of the ``depth`` nearest chunks that pass
        ``filters``, with their inner products, best first."""
        ...

    def lexical(self, query: str, depth: int, filters: SearchFilters | None = None) -> Ranked:
        """The rows of the ``depth`` best BM25 matches of ``query`` (positive scores only)
        that pass ``filters``, best first."""
        ...

    def candidates(self, filters: SearchFilters | None) -> np.ndarray | None:
        """A boolean mask of the rows ``filters`` admit (None when nothing is filtered)."""
        ...


class FolderBackend:
    """Search over an index folder's FAISS vectors and BM25 matrix."""

    name = "folder"

    def __init__(self, snapshot: IndexSnapshot) -> None:
        if snapshot.vectors is None:
            raise ValueError("a FolderBackend needs a snapshot with its FAISS vectors")
        self.snapshot = snapshot
        self.vectors = snapshot.vectors
        rows = snapshot.chunks.article_rows
        published = np.array([p or "" for p in snapshot.articles.published_at], dtype=str)
        self._days = np.array([p[:10] for p in published], dtype=str)[rows]
        # Sources compare in the matched form: "株洲日报" whether printed in full width or not.
        matched = {s: normalize_line(s) for s in set(snapshot.articles.sources)}
        self._sources = np.array([matched[s] for s in snapshot.articles.sources], dtype=str)[rows]

    def candidates(self, filters: SearchFilters | None) -> np.ndarray | None:
        """A boolean mask of the rows ``filters`` admit (None when nothing is filtered)."""
        if filters is None or filters.is_empty():
            return None
        allowed = np.ones(len(self.snapshot.chunks), dtype=bool)
        days = self._days
        if filters.published_from or filters.published_to:
            allowed &= days != ""
        if filters.published_from:
            allowed &= days >= filters.published_from[:10]
        if filters.published_to:
            allowed &= days <= filters.published_to[:10]
        if filters.sources:
            allowed &= np.isin(self._sources, [normalize_line(s) for s in filters.sources])
        return allowed

    def dense(
        self, vectors: np.ndarray, depth: int, filters: SearchFilters | None = None
    ) -> list[Ranked]:
        """For each query vector: rows and inner products of the nearest chunks, best first."""
        allowed = self.candidates(filters)
        allowed_ids = None if allowed is None else self.snapshot.vector_ids[allowed]
        if allowed_ids is not None and len(allowed_ids) == 0:
            return [_empty() for _ in range(len(vectors))]
        scores, ids = self.vectors.search(vectors, depth, allowed_ids)
        results = []
        for row_scores, row_ids in zip(scores, ids, strict=True):
            valid = row_ids >= 0
            results.append((self.snapshot.rows_of_ids(row_ids[valid]), row_scores[valid]))
        return results

    def lexical(self, query: str, depth: int, filters: SearchFilters | None = None) -> Ranked:
        """Rows and BM25 scores of the best matches of ``query``, best first."""
        return self.snapshot.lexical.search(query, depth, self.candidates(filters))
