"""One XLM-R tokenizer per model, shared by the question encoder and the neural reader.

A loaded XLM-R tokenizer (250k SentencePiece pieces) takes about 300 MB of memory
(measured: 282–296 MB per object), as much as the encoder's weights without their word
table; two copies were a fifth of a serving process's memory. Truncation and padding are
settings of the tokenizer object and each user needs its own, so every use holds the
shared lock while it sets them and encodes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import ModelError


@dataclass(frozen=True, slots=True)
class SharedTokenizer:
    """A ``tokenizers.Tokenizer`` and the lock its users hold."""

    tokenizer: Any
    pad_id: int
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False)

    @contextmanager
    def configured(
        self, max_length: int, *, stride: int = 0, strategy: str = "longest_first"
    ) -> Iterator[Any]:
        """The tokenizer, truncating as asked and not padding, held for this block only."""
        with self.lock:
            self.tokenizer.no_padding()
            self.tokenizer.enable_truncation(max_length, stride=stride, strategy=strategy)
            yield self.tokenizer

    def encode_batch(
        self, inputs: Sequence[str | tuple[str, str]], max_length: int, **truncation: Any
    ) -> list[Any]:
        """Encodings of texts or (question, context) pairs, truncated to ``max_length``."""
        with self.configured(max_length, **truncation) as tokenizer:
            return list(tokenizer.encode_batch(list(inputs)))

    def padded(self, encodings: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, attention mask) of ``encodings``, right-padded to the longest, as int64."""
        width = max(len(encoding.ids) for encoding in encodings)
        ids = np.full((len(encodings), width), self.pad_id, np.int64)
        mask = np.zeros((len(encodings), width), np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        return ids, mask


def shared_tokenizer(tokenizer_file: Path) -> SharedTokenizer:
    """The process's one tokenizer loaded from ``tokenizer_file``."""
    return _load(Path(tokenizer_file).resolve())


@cache
def _load(tokenizer_file: Path) -> SharedTokenizer:
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
    except Exception as exc:  # tokenizers raises its own exception type
        raise ModelError(f"cannot load the tokenizer {tokenizer_file}: {exc}") from exc
    pad_id = tokenizer.token_to_id("<pad>")
    return SharedTokenizer(tokenizer, 0 if pad_id is None else pad_id)
