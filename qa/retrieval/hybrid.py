"""Hybrid retrieval: dense (e5) and BM25 (jieba), fused as qa.retrieval.fusion says.

English questions also get a Chinese lexical query (qa.retrieval.crosslingual), since BM25 over
Chinese text cannot match English words, and the top of their fused list is re-ordered by how
many of the question's rendered words each chunk holds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from qa.encoders.embedding import Embedder
from qa.errors import UsageError
from qa.indexing.backend import SearchBackend
from qa.indexing.store import IndexSnapshot
from qa.retrieval.crosslingual import EnglishExpander, rendered_cover
from qa.retrieval.fusion import FusionConfig, fused_scores, question_leans_lexical, weighted_rrf
from qa.tokens import is_english
from qa.types import Expansion, Hit, SearchFilters

__all__ = ["FusionConfig", "HybridRetriever", "Retrieval", "Retriever", "SearchFilters",
           "weighted_rrf"]  # fmt: skip

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")


@dataclass(frozen=True, slots=True)
class Retrieval:
    """The hits for a question, and what went into finding them."""

    hits: tuple[Hit, ...]
    expansion: Expansion | None = None
    """Chinese terms used for an English question."""
    seconds: float = 0.0


class Retriever(Protocol):
    """Finds the chunks most likely to answer a question."""

    def search(
        self, question: str, k: int, filters: SearchFilters | None = None, mode: Mode = "hybrid"
    ) -> Retrieval:
        """The best ``k`` chunks for ``question``."""
        ...


class HybridRetriever:
    """Dense + BM25 retrieval over one index snapshot."""

    def __init__(
        self, snapshot: IndexSnapshot, embedder: Embedder, config: FusionConfig | None = None
    ) -> None:
        self.snapshot = snapshot
        self.embedder = embedder
        self.config = config or FusionConfig()
        self.backend: SearchBackend = snapshot.search_backend()
        lexical = snapshot.lexical
        self.expander = EnglishExpander(
            lexical.__contains__, lexical.short_words, lexical.frequency, lexical.rows_holding
        )

    def expand(self, question: str) -> Expansion | None:
        """Chinese terms for an English question (None for other questions)."""
        return self.expander.expand(question) if is_english(question) else None

    def _by_cover(
        self, fused: list[tuple[int, float]], expansion: Expansion, question: str
    ) -> list[tuple[int, float]]:
        """The fused list with its top ``cover_depth`` rows ordered by how many rendered
        words each holds, ties in fused order. The scores stay where they were, each now
        on the row at its position: the readers weigh passages by score relative to the
        top one, and the order, not the scale, is what the counts decide."""
        depth = min(self.config.cover_depth, len(fused))
        if depth == 0:
            return fused
        head = np.array([row for row, _ in fused[:depth]], np.int64)
        counts = rendered_cover(expansion, question, head, self.snapshot.lexical.rows_holding)
        order = np.argsort(-counts, kind="stable")
        scores = [score for _, score in fused[:depth]]
        reordered = [(int(head[i]), scores[at]) for at, i in enumerate(order.tolist())]
        return reordered + fused[depth:]

    def _milvus_fused(
        self, vectors: np.ndarray | None, query: str, depth: int, filters: SearchFilters | None
    ) -> list[tuple[int, float]]:
        hybrid = getattr(self.backend, "hybrid", None)
        if hybrid is None or vectors is None:
            raise UsageError(f"fusion {self.config.method} runs inside Milvus: use it with "
                             "--backend milvus")  # fmt: skip
        return hybrid(vectors, query, depth, filters, self.config)

    def search(
        self, question: str, k: int, filters: SearchFilters | None = None, mode: Mode = "hybrid"
    ) -> Retrieval:
        """The best ``k`` chunks for ``question`` by ``mode`` (hybrid, dense or bm25)."""
        if mode not in MODES:
            raise UsageError(f"unknown retrieval mode {mode!r}: use one of {', '.join(MODES)}")
        total = len(self.snapshot.chunks)
        if k < 1:
            raise UsageError(f"k={k} must be at least 1")
        if k > total:
            raise UsageError(f"k={k} > {total} chunks in the index: lower k")
        started = time.perf_counter()
        depth = max(k, self.config.candidates)
        empty = np.zeros(0)
        dense_rows = dense_scores = lexical_rows = lexical_scores = empty
        translated: tuple[np.ndarray, np.ndarray] | None = None
        expansion = self.expand(question)
        vectors = None
        if mode in ("hybrid", "dense"):
            queries = [question]
            if expansion is not None and expansion.terms:
                queries.append(expansion.query_text())
            vectors = self.embedder.embed_queries(queries)
            results = self.backend.dense(vectors, depth, filters)
            dense_rows, dense_scores = results[0]
            if len(results) > 1:
                translated = results[1]
        query = question
        if mode in ("hybrid", "bm25"):
            query = f"{question} {expansion.query_text()}" if expansion else question
            lexical_rows, lexical_scores = self.backend.lexical(query, depth, filters)
        if mode == "hybrid" and self.config.method.startswith("milvus"):
            best = self._milvus_fused(vectors, query, depth, filters)
        else:
            # One list alone (dense or BM25 mode) keeps its order under any fusion; Milvus's
            # rankers fuse only inside Milvus, so such a list is ranked by ours.
            single = self.config.method.startswith("milvus")
            best = fused_scores(
                (dense_rows, dense_scores),
                (lexical_rows, lexical_scores),
                FusionConfig(candidates=self.config.candidates) if single else self.config,
                translated=translated,
                lean_lexical=mode == "hybrid" and bool(self.config.lean)
                and question_leans_lexical(question),
            )
        if mode == "hybrid" and expansion is not None and expansion.groups:
            best = self._by_cover(best, expansion, question)
        best = best[:k]
        dense_at = {
            int(r): (i + 1, float(s))
            for i, (r, s) in enumerate(zip(dense_rows, dense_scores, strict=True))
        }
        lexical_at = {
            int(r): (i + 1, float(s))
            for i, (r, s) in enumerate(zip(lexical_rows, lexical_scores, strict=True))
        }
        hits = []
        for rank, (row, score) in enumerate(best, start=1):
            chunk = self.snapshot.chunks[row]
            dense_rank, dense_score = dense_at.get(row, (None, None))
            lexical_rank, lexical_score = lexical_at.get(row, (None, None))
            hits.append(
                Hit(
                    chunk=chunk,
                    article=self.snapshot.articles[chunk.article_id],
                    row=row,
                    score=score,
                    rank=rank,
                    dense_score=dense_score,
                    dense_rank=dense_rank,
                    lexical_score=lexical_score,
                    lexical_rank=lexical_rank,
                )
            )
        return Retrieval(tuple(hits), expansion, time.perf_counter() - started)
