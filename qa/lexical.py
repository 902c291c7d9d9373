"""BM25 over jieba tokens (bm25s), kept in row order with the chunks.

The token ids of every chunk are stored beside the bm25s matrices, so that adding or
removing chunks re-tokenises only the new text: the BM25 statistics are then rebuilt
from the stored ids, which takes seconds even for hundreds of thousands of chunks.

A served index never loads its vocabulary as Python strings (a 60k-article archive has
over a million terms, most of them character bigrams: seconds and hundreds of MB). A term
is found by a 64-bit hash in a sorted, memory-mapped array; the word list is read only by
writers (``extended``) and by callers that enumerate terms.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
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
SHORT_WORD_CHARS = 4
"""``short_words`` holds words of 2 to this many characters that start with a CJK one."""


def term_hash(term: str) -> int:
    """The 64-bit key a term is found by (first 8 bytes of its BLAKE2b digest)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


class TermLookup:
    """Term → id through sorted 64-bit hashes: a few MB instead of a dict of strings."""

    def __init__(self, hashes: np.ndarray, ids: np.ndarray) -> None:
        self.hashes = hashes
        self.ids = ids

    @classmethod
    def of(cls, vocab: Sequence[str]) -> TermLookup:
        """The lookup of a vocabulary (term i has id i); refuses a hash collision."""
        hashes = np.fromiter((term_hash(t) for t in vocab), np.uint64, count=len(vocab))
        order = np.argsort(hashes, kind="stable")
        hashes = hashes[order]
        if len(hashes) > 1 and np.any(hashes[1:] == hashes[:-1]):
            raise ValueError("two BM25 terms share a 64-bit hash: rebuild with another analyzer")
        return cls(hashes, order.astype(np.int32))

    def get(self, term: str) -> int | None:
        """The id of ``term``, or None when the vocabulary lacks it."""
        key = np.uint64(term_hash(term))
        at = int(np.searchsorted(self.hashes, key))
        if at < len(self.hashes) and self.hashes[at] == key:
            return int(self.ids[at])
        return None


def short_words_of(vocab: Sequence[str]) -> np.ndarray:
    """Sorted words of 2–4 characters starting with a CJK one (for pinyin matching)."""
    words = sorted(
        w for w in vocab if 2 <= len(w) <= SHORT_WORD_CHARS and "\u3400" <= w[0] <= "\u9fff"
    )
    return np.array(words, dtype=f"<U{SHORT_WORD_CHARS}")


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
    truth for add/remove), the vocabulary and its hash lookup, the short CJK words, the
    document frequencies, and the bm25s score matrices; all but the vocabulary load
    memory-mapped, so that a large index opens in a fraction of a second.
    """

    def __init__(
        self,
        params: Bm25Params,
        vocab: list[str] | None,
        token_ids: np.ndarray,
        offsets: np.ndarray,
        *,
        bm25: Any = None,
        document_frequency: np.ndarray | None = None,
        lookup: TermLookup | None = None,
        short_words: np.ndarray | None = None,
        vocab_path: Path | None = None,
    ) -> None:
        if vocab is None and vocab_path is None:
            raise ValueError("a LexicalIndex needs its vocabulary or the file that holds it")
        self.params = params
        self._vocab = vocab
        self._vocab_path = vocab_path
        self.token_ids = token_ids
        self.offsets = offsets
        self._lookup = lookup
        self._short_words = short_words
        self._document_frequency = document_frequency
        self._bm25 = bm25 if bm25 is not None else self._index()

    @property
    def vocab(self) -> list[str]:
        """Every term, by id (read from disk on first use for a loaded index)."""
        if self._vocab is None:
            assert self._vocab_path is not None
            self._vocab = json.loads(self._vocab_path.read_text("utf-8"))
        return self._vocab

    @property
    def lookup(self) -> TermLookup:
        """Term → id."""
        if self._lookup is None:
            self._lookup = TermLookup.of(self.vocab)
        return self._lookup

    @property
    def short_words(self) -> np.ndarray:
        """Sorted vocabulary words of 2–4 characters that start with a CJK character."""
        if self._short_words is None:
            self._short_words = short_words_of(self.vocab)
        return self._short_words

    def term_id(self, term: str) -> int | None:
        """The id of a term, or None when no row holds it."""
        return self.lookup.get(term)

    def __contains__(self, term: str) -> bool:
        return self.term_id(term) is not None

    def idf(self) -> TermIdf:
        """BM25-style IDF of each term, looked up by hash."""
        return TermIdf(self)

    def _index(self) -> Any:
        import bm25s

        bm25 = bm25s.BM25(k1=self.params.k1, b=self.params.b, method="lucene")
        if self.size:
            documents = [
                self.token_ids[self.offsets[i] : self.offsets[i + 1]].tolist()
                for i in range(self.size)
            ]
            empty = len(self.vocab)  # an id no document holds, so bm25s takes empty documents
            ids = {token: i for i, token in enumerate(self.vocab)}
            bm25.index(([d or [empty] for d in documents], {**ids, "": empty}), show_progress=False)
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
        index = {token: i for i, token in enumerate(vocab)}
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
        found = (self.term_id(t) for t in analyze(query, self.params.analyzer))
        ids = [i for i in found if i is not None]
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
        np.save(folder / "vocab_hashes.npy", self.lookup.hashes)
        np.save(folder / "vocab_ids.npy", self.lookup.ids)
        np.save(folder / "short_words.npy", self.short_words)
        if self.size:
            self._bm25.save(str(folder / "bm25s"), show_progress=False)

    @classmethod
    def load(cls, folder: Path, params: Bm25Params) -> LexicalIndex:
        """Read an index written by ``save``; arrays are memory-mapped."""
        import bm25s

        lookup = short_words = None
        if (folder / "vocab_hashes.npy").is_file():  # older indexes (schema 2) lack them
            lookup = TermLookup(
                np.load(folder / "vocab_hashes.npy", mmap_mode="r"),
                np.load(folder / "vocab_ids.npy", mmap_mode="r"),
            )
            short_words = np.load(folder / "short_words.npy", mmap_mode="r")
        token_ids = np.load(folder / "tokens.npy", mmap_mode="r")
        offsets = np.load(folder / "offsets.npy")
        document_frequency = np.load(folder / "df.npy")
        bm25 = None
        if (folder / "bm25s").is_dir():
            bm25 = bm25s.BM25.load(str(folder / "bm25s"), mmap=True, load_vocab=False,
                                   show_progress=False)  # fmt: skip
        return cls(params, None, token_ids, offsets, bm25=bm25,
                   document_frequency=document_frequency, lookup=lookup,
                   short_words=short_words, vocab_path=folder / "vocab.json")  # fmt: skip


class TermIdf(Mapping[str, float]):
    """IDF by term, log(1 + (N - df + 0.5) / (df + 0.5)), without a dict of the vocabulary."""

    def __init__(self, lexical: LexicalIndex) -> None:
        self._lexical = lexical
        self._frequency = lexical.document_frequency()

    def _idf(self, df: float) -> float:
        return math.log(1 + (self._lexical.size - df + 0.5) / (df + 0.5))

    def __getitem__(self, term: str) -> float:
        term_id = self._lexical.term_id(term)
        if term_id is None:
            raise KeyError(term)
        return self._idf(float(self._frequency[term_id]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._lexical.vocab)

    def __len__(self) -> int:
        return len(self._frequency)

    def highest(self) -> float:
        """The IDF of the rarest term (1.0 for an empty vocabulary)."""
        return self._idf(float(self._frequency.min())) if len(self._frequency) else 1.0
