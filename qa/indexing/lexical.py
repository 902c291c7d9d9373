"""BM25 over jieba tokens, kept in row order with the chunks.

The token ids of every chunk are stored beside the score matrix, so that adding or
removing chunks re-tokenises only the new text: the BM25 statistics are then rebuilt
from the stored ids, which takes seconds even for hundreds of thousands of chunks.

The score of every (term, row) pair is precomputed into a term-major sparse matrix, as
bm25s does (Lucene's BM25 variant), but built with vectorised scipy/numpy from the stored
token ids: bm25s builds it in a Python loop per document, which took 58 s for the 60k-article
archive on every add (tests check the scores against bm25s).

A served index never loads its vocabulary as Python strings (a 60k-article archive has
over a million terms, most of them character bigrams: seconds and hundreds of MB). A term
is found by a 64-bit hash in a sorted, memory-mapped array; the word list is read only by
writers (``extended``) and by callers that enumerate terms.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.tokens import analyze

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

    def get_many(self, terms: Sequence[str]) -> list[int | None]:
        """The id of each of ``terms`` (None where the vocabulary lacks it), found in one
        search: a query's 40 terms one by one cost half a millisecond of numpy overhead."""
        if not terms or not len(self.hashes):
            return [None] * len(terms)
        keys = np.fromiter((term_hash(t) for t in terms), np.uint64, count=len(terms))
        at = np.minimum(np.searchsorted(self.hashes, keys), len(self.hashes) - 1)
        found = (self.hashes[at] == keys).tolist()
        return [int(i) if ok else None for i, ok in zip(self.ids[at].tolist(), found, strict=True)]

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


def top_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and scores of the ``k`` best positive scores, best first (ties by row)."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    order = candidates[np.lexsort((candidates, -scores[candidates]))]
    return order, scores[order]


@dataclass(frozen=True, slots=True)
class Bm25Params:
    """BM25 settings, saved in the manifest."""

    analyzer: str = "jieba+bigram"
    """Words and character bigrams: bigrams rescue words jieba splits badly ("1400多张房票"
    → "张房票"); on the benchmark with 5,000 distractor articles they raised Chinese
    chunk R@1 from 0.89 (words only) to 0.93, and beyond the page (``python -m
    eval.retrieval --bm25``, five open-mode sets) mean dev R@1 from 0.833 to 0.858. There
    k1 0.9 gained 0.003 over 1.2, under the 0.005 a change must earn, so k1/b stay."""
    k1: float = 1.2
    b: float = 0.75


@dataclass(frozen=True)
class ScoreMatrix:
    """BM25 scores, term-major: term t's rows are ``rows[indptr[t]:indptr[t+1]]``."""

    data: np.ndarray
    """float32 score of each (term, row) pair that occurs."""
    rows: np.ndarray
    """int32 row of each score."""
    indptr: np.ndarray
    """int64, one more than the number of terms."""
    size: int
    """Number of rows."""

    _FILES = ("data", "rows", "indptr")

    @classmethod
    def build(
        cls, token_ids: np.ndarray, offsets: np.ndarray, terms: int, params: Bm25Params
    ) -> ScoreMatrix:
        """Lucene BM25 of every term in every row: idf · tf / (tf + k1 · (1 - b + b · dl/avgdl)).

        As bm25s counted them, an empty row has length 1 in the average length.
        """
        from scipy.sparse import csr_matrix

        size = len(offsets) - 1
        if size == 0:
            empty = np.zeros(0, np.float32)
            return cls(empty, np.zeros(0, np.int32), np.zeros(terms + 1, np.int64), 0)
        counts = csr_matrix(
            # Copies: scipy sorts and merges its index arrays in place.
            (np.ones(len(token_ids), np.float32), np.array(token_ids, np.int32), np.array(offsets)),
            shape=(size, terms),
        )
        counts.sum_duplicates()  # data: the term frequency of each (row, term)
        lengths = np.maximum(np.diff(offsets), 1).astype(np.float32)
        frequency = np.bincount(counts.indices, minlength=terms)
        idf = np.log1p((size - frequency + 0.5) / (frequency + 0.5)).astype(np.float32)
        row_of = np.repeat(np.arange(size), np.diff(counts.indptr))
        norm = params.k1 * ((1 - params.b) + params.b * lengths / lengths.mean())
        tf = counts.data
        scores = idf[counts.indices] * (tf / (norm[row_of] + tf))
        by_term = csr_matrix(
            (scores.astype(np.float32), counts.indices, counts.indptr), shape=(size, terms)
        ).tocsc()
        by_term.sort_indices()
        return cls(
            by_term.data.astype(np.float32, copy=False),
            by_term.indices.astype(np.int32, copy=False),
            by_term.indptr.astype(np.int64, copy=False),
            size,
        )

    def document_frequency(self) -> np.ndarray:
        """In how many rows each term occurs."""
        return np.diff(self.indptr).astype(np.int32)

    def scores(self, term_ids: Sequence[int]) -> np.ndarray:
        """Sum of the terms' scores per row (a term given twice counts twice, as in bm25s)."""
        total = np.zeros(self.size, np.float32)
        rows, data, ids = self.rows, self.data, np.asarray(term_ids, np.int64)
        bounds = zip(self.indptr[ids].tolist(), self.indptr[ids + 1].tolist(), strict=True)
        for begin, end in bounds:
            total[rows[begin:end]] += data[begin:end]
        return total

    def rows_of(self, term_id: int) -> np.ndarray:
        """The rows that hold a term, ascending."""
        return self.rows[self.indptr[term_id] : self.indptr[term_id + 1]]

    def save(self, folder: Path) -> None:
        """Write the three arrays into ``folder``."""
        for name in self._FILES:
            np.save(folder / f"scores.{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder: Path, size: int) -> ScoreMatrix | None:
        """The arrays written by ``save``, memory-mapped (None if the folder lacks them).

        They are kept as plain ndarray views of the maps: slicing a np.memmap pays a
        subclass finalisation each time, a quarter of a millisecond over a query's terms.
        """
        if not (folder / "scores.data.npy").is_file():
            return None
        data, rows, indptr = (
            np.asarray(np.load(folder / f"scores.{n}.npy", mmap_mode="r")) for n in cls._FILES
        )
        return cls(data, rows, indptr, size)


class LexicalIndex:
    """BM25 over the chunks, row i ↔ chunk i. Immutable: ``extended``/``kept`` return new ones.

    On disk: the token ids of every row (``tokens.npy`` + ``offsets.npy``, the source of
    truth for add/remove), the vocabulary and its hash lookup, the short CJK words and the
    score matrix; all but the vocabulary load memory-mapped, so that a large index opens
    in a fraction of a second.
    """

    def __init__(
        self,
        params: Bm25Params,
        vocab: list[str] | None,
        token_ids: np.ndarray,
        offsets: np.ndarray,
        *,
        matrix: ScoreMatrix | None = None,
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
        self._frequencies: np.ndarray | None = None
        self.matrix = matrix or ScoreMatrix.build(token_ids, offsets, len(self.vocab), params)

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

    def rows_holding(self, term: str) -> np.ndarray:
        """The rows whose tokens include ``term``, ascending (none when no row does)."""
        term_id = self.term_id(term)
        return np.zeros(0, np.int32) if term_id is None else self.matrix.rows_of(term_id)

    def frequency(self, term: str) -> int:
        """In how many rows ``term`` occurs (0 when none does)."""
        term_id = self.term_id(term)
        return 0 if term_id is None else int(self.document_frequency()[term_id])

    def idf(self) -> TermIdf:
        """BM25-style IDF of each term, looked up by hash."""
        return TermIdf(self)

    @property
    def size(self) -> int:
        """Number of documents (chunks)."""
        return len(self.offsets) - 1

    def document_frequency(self) -> np.ndarray:
        """In how many rows each vocabulary term occurs (aligned with ``vocab``); computed
        once, read-only."""
        if self._frequencies is None:
            frequencies = self.matrix.document_frequency()
            frequencies.setflags(write=False)
            self._frequencies = frequencies
        return self._frequencies

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
        # The vocabulary stays, so its term lookup and short words (2 s at 1.4M terms) do too.
        return LexicalIndex(self.params, self.vocab, token_ids, offsets, lookup=self.lookup,
                            short_words=self.short_words)  # fmt: skip

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query`` (zeros when no query token is known)."""
        found = self.lookup.get_many(analyze(query, self.params.analyzer))
        ids = [i for i in found if i is not None]
        if not ids or self.size == 0:
            return np.zeros(self.size, np.float32)
        return self.matrix.scores(ids)

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows and scores of the best ``k`` matches with a positive score, best first.

        ``allowed`` is an optional boolean mask over rows (filters).
        """
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        return top_rows(scores, k)

    def save(self, folder: Path) -> None:
        """Write the index into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "tokens.npy", np.asarray(self.token_ids))
        np.save(folder / "offsets.npy", self.offsets)
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), "utf-8")
        np.save(folder / "vocab_hashes.npy", self.lookup.hashes)
        np.save(folder / "vocab_ids.npy", self.lookup.ids)
        np.save(folder / "short_words.npy", self.short_words)
        self.matrix.save(folder)

    @classmethod
    def load(cls, folder: Path, params: Bm25Params) -> LexicalIndex:
        """Read an index written by ``save``; arrays are memory-mapped.

        An index of schema 2 (bm25s files, no hash lookup) is read for ``qa upgrade``: its
        lookup and score matrix are rebuilt from the vocabulary and the token ids.
        """
        lookup = short_words = None
        if (folder / "vocab_hashes.npy").is_file():  # older indexes (schema 2) lack them
            lookup = TermLookup(
                np.load(folder / "vocab_hashes.npy", mmap_mode="r"),
                np.load(folder / "vocab_ids.npy", mmap_mode="r"),
            )
            short_words = np.load(folder / "short_words.npy", mmap_mode="r")
        token_ids = np.load(folder / "tokens.npy", mmap_mode="r")
        offsets = np.load(folder / "offsets.npy")
        matrix = ScoreMatrix.load(folder, len(offsets) - 1)
        return cls(params, None, token_ids, offsets, matrix=matrix, lookup=lookup,
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
