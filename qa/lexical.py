"""BM25 over jieba tokens (bm25s), kept in row order with the chunks.

The token ids of every chunk are stored beside the bm25s matrices, so that adding or
removing chunks re-tokenises only the new text: the BM25 statistics are then rebuilt
from the stored ids, which takes seconds even for hundreds of thousands of chunks.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ANALYZERS = ("jieba", "jieba+bigram")

# Function words and question words: frequent in questions, useless for matching.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 也 都 就 而 之 其 这 那 有 为 对 把 被 将 从 以 于 中 上 下 "
    "呢 吗 吧 啊 哪 哪些 哪个 哪里 哪家 谁 何 什么 多少 几 怎么 怎样 如何 是否 请问 "
    "a an the of in on at to for by is are was were be been what which who whom when "
    "where how much many does did do and or".split()
)
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_jieba_lock = threading.Lock()


def _jieba() -> ModuleType:
    import jieba

    with _jieba_lock:
        if not jieba.dt.initialized:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
    return jieba


def analyze(text: str, analyzer: str = "jieba") -> list[str]:
    """Tokens of ``text`` for BM25: jieba search-mode words (and CJK bigrams if asked)."""
    if analyzer not in ANALYZERS:
        raise ValueError(f"unknown analyzer {analyzer!r}: use one of {ANALYZERS}")
    lowered = text.lower()
    tokens = [
        token
        for token in (t.strip() for t in _jieba().lcut_for_search(lowered))
        if token and token not in STOPWORDS and _WORD.search(token)
    ]
    if analyzer == "jieba+bigram":
        for run in _CJK_RUN.findall(lowered):
            tokens.extend(f"#{run[i : i + 2]}" for i in range(len(run) - 1))
    return tokens


@dataclass(frozen=True, slots=True)
class Bm25Params:
    """BM25 settings, saved in the manifest."""

    analyzer: str = "jieba+bigram"
    """Words and character bigrams: bigrams rescue words jieba splits badly ("1400多张房票"
    → "张房票"); on the benchmark with 5,000 distractor articles they raised Chinese
    chunk R@1 from 0.89 (words only) to 0.93."""
    k1: float = 1.2
    b: float = 0.75


class LexicalIndex:
    """BM25 over the chunks, row i ↔ chunk i. Immutable: ``extended``/``kept`` return new ones.

    On disk: the token ids of every row (``tokens.npy`` + ``offsets.npy``, the source of
    truth for add/remove), the vocabulary, the document frequencies, and the bm25s score
    matrices, which load memory-mapped so that a large index opens in seconds.
    """

    def __init__(
        self,
        params: Bm25Params,
        vocab: list[str],
        token_ids: np.ndarray,
        offsets: np.ndarray,
        *,
        bm25: Any = None,
        document_frequency: np.ndarray | None = None,
    ) -> None:
        self.params = params
        self.vocab = vocab
        self.token_ids = token_ids
        self.offsets = offsets
        self._vocab_index = {token: i for i, token in enumerate(vocab)}
        self._bm25 = bm25 if bm25 is not None else self._index()
        self._document_frequency = document_frequency

    def _index(self) -> Any:
        import bm25s

        bm25 = bm25s.BM25(k1=self.params.k1, b=self.params.b, method="lucene")
        if self.size:
            documents = [
                self.token_ids[self.offsets[i] : self.offsets[i + 1]].tolist()
                for i in range(self.size)
            ]
            empty = len(self.vocab)  # an id no document holds, so bm25s takes empty documents
            bm25.index(
                ([d or [empty] for d in documents], {**self._vocab_index, "": empty}),
                show_progress=False,
            )
        return bm25

    @property
    def size(self) -> int:
        """Number of documents (chunks)."""
        return len(self.offsets) - 1

    def document_frequency(self) -> np.ndarray:
        """In how many rows each vocabulary term occurs (aligned with ``vocab``)."""
        if self._document_frequency is None:
            lengths = np.diff(self.offsets)
            rows = np.repeat(np.arange(self.size, dtype=np.int64), lengths)
            pairs = np.unique(rows * (len(self.vocab) + 1) + self.token_ids)
            counts = np.bincount(pairs % (len(self.vocab) + 1), minlength=len(self.vocab))
            self._document_frequency = counts[: len(self.vocab)].astype(np.int32)
        return self._document_frequency

    def document_frequencies(self) -> dict[str, int]:
        """Document frequency by term."""
        return dict(zip(self.vocab, self.document_frequency().tolist(), strict=True))

    @classmethod
    def build(
        cls, texts: Sequence[str], params: Bm25Params, *, progress: bool = False
    ) -> LexicalIndex:
        """Tokenise ``texts`` and index them."""
        empty = cls(params, [], np.zeros(0, np.int32), np.zeros(1, np.int64))
        return empty.extended(texts, progress=progress)

    def extended(self, texts: Sequence[str], *, progress: bool = False) -> LexicalIndex:
        """A new index with ``texts`` appended as the last rows."""
        from tqdm.auto import tqdm

        vocab = list(self.vocab)
        index = dict(self._vocab_index)
        new_ids: list[int] = []
        new_offsets = [int(self.offsets[-1])]
        for text in tqdm(texts, desc="BM25 tokens", unit="chunk", disable=not progress):
            for token in analyze(text, self.params.analyzer):
                if token not in index:
                    index[token] = len(vocab)
                    vocab.append(token)
                new_ids.append(index[token])
            new_offsets.append(int(self.offsets[-1]) + len(new_ids))
        token_ids = np.concatenate([self.token_ids, np.asarray(new_ids, np.int32)])
        offsets = np.concatenate([self.offsets, np.asarray(new_offsets[1:], np.int64)])
        return LexicalIndex(self.params, vocab, token_ids, offsets)

    def kept(self, keep: np.ndarray) -> LexicalIndex:
        """A new index with only the rows where ``keep`` is true, in order."""
        lengths = np.diff(self.offsets)
        row_of_token = np.repeat(np.arange(self.size), lengths)
        token_ids = np.asarray(self.token_ids)[keep[row_of_token]]
        offsets = np.concatenate([[0], np.cumsum(lengths[keep])]).astype(np.int64)
        return LexicalIndex(self.params, self.vocab, token_ids, offsets)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query`` (zeros when no query token is known)."""
        ids = [
            self._vocab_index[t]
            for t in analyze(query, self.params.analyzer)
            if t in self._vocab_index
        ]
        if not ids or self.size == 0:
            return np.zeros(self.size, np.float32)
        return np.asarray(self._bm25.get_scores(ids), np.float32)

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows and scores of the best ``k`` matches with a positive score, best first.

        ``allowed`` is an optional boolean mask over rows (filters).
        """
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        return order, scores[order]

    def save(self, folder: Path) -> None:
        """Write the index into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "tokens.npy", np.asarray(self.token_ids))
        np.save(folder / "offsets.npy", self.offsets)
        np.save(folder / "df.npy", self.document_frequency())
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), "utf-8")
        if self.size:
            self._bm25.save(str(folder / "bm25s"), show_progress=False)

    @classmethod
    def load(cls, folder: Path, params: Bm25Params) -> LexicalIndex:
        """Read an index written by ``save``; arrays are memory-mapped."""
        import bm25s

        vocab = json.loads((folder / "vocab.json").read_text("utf-8"))
        token_ids = np.load(folder / "tokens.npy", mmap_mode="r")
        offsets = np.load(folder / "offsets.npy")
        document_frequency = np.load(folder / "df.npy")
        bm25 = None
        if (folder / "bm25s").is_dir():
            bm25 = bm25s.BM25.load(str(folder / "bm25s"), mmap=True, load_vocab=False,
                                   show_progress=False)  # fmt: skip
        return cls(params, vocab, token_ids, offsets, bm25=bm25,
                   document_frequency=document_frequency)  # fmt: skip
