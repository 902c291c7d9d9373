"""Passage vectors kept on disk between builds, so a long build can resume where it stopped.

Embedding is nearly all of a build's time (hours for a large archive on a small CPU). With
a cache, each piece of newly embedded passages is written as one shard file as soon as it
is done; a build that is interrupted, or rebuilt with other chunking, embeds only the
passages it has not seen. Vectors are keyed by the SHA-256 of the passage prompt plus the
text, in one folder per encoder fingerprint, so vectors of another model are never reused.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.encoders.embedding import Embedder, EmbedderIdentity
from qa.errors import QAError

PIECE = 1024
STALE_SECONDS = 3600
"""A ``.tmp-*`` file this old is the remains of a killed write (one takes under a second)."""
"""Passages embedded between two shard writes: at most this much work is lost on a kill."""
_DIGEST_BYTES = 32


class VectorCacheError(QAError):
    """A cache shard cannot be read."""


def passage_digests(texts: Sequence[str], prompt: str) -> list[bytes]:
    """The cache key of each passage: SHA-256 of the prompt and the text."""
    return [hashlib.sha256((prompt + text).encode("utf-8")).digest() for text in texts]


class VectorCache:
    """Shards of (digest, vector) pairs for one encoder, in ``root/<fingerprint>-<dim>``."""

    def __init__(self, root: Path, identity: EmbedderIdentity) -> None:
        self.folder = Path(root) / f"{identity.fingerprint}-{identity.dimension}"
        self.dimension = identity.dimension
        self._rows: dict[bytes, tuple[int, int]] = {}
        self._shards: list[np.ndarray] = []
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temporaries()
        for path in sorted(self.folder.glob("shard-*.npz")):
            self._load(path)

    def _remove_stale_temporaries(self) -> None:
        """Delete half-written shards of killed runs; a recent one may be another run's."""
        now = time.time()
        for path in self.folder.glob(".tmp-*"):
            with contextlib.suppress(FileNotFoundError):  # its writer just renamed it
                if now - path.stat().st_mtime > STALE_SECONDS:
                    path.unlink()

    def _load(self, path: Path) -> None:
        try:
            with np.load(path) as data:
                digests, vectors = data["digests"], data["vectors"]
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise VectorCacheError(
                f"vector cache shard {path} is unreadable ({exc}): delete that file "
                "(its passages will be embedded again)"
            ) from exc
        if (
            digests.ndim != 2
            or digests.shape[1] != _DIGEST_BYTES
            or vectors.shape != (len(digests), self.dimension)
        ):
            raise VectorCacheError(
                f"vector cache shard {path} has shapes {digests.shape} and {vectors.shape}, "
                f"not (n, {_DIGEST_BYTES}) and (n, {self.dimension}): delete that file"
            )
        shard = len(self._shards)
        self._shards.append(np.ascontiguousarray(vectors, dtype=np.float32))
        for row, digest in enumerate(digests):
            self._rows[digest.tobytes()] = (shard, row)

    def __len__(self) -> int:
        return len(self._rows)

    def digests(self) -> list[bytes]:
        """The keys of every cached vector."""
        return list(self._rows)

    def __contains__(self, digest: bytes) -> bool:
        return digest in self._rows

    def get(self, digest: bytes) -> np.ndarray:
        """The cached vector of ``digest`` (KeyError if absent)."""
        shard, row = self._rows[digest]
        return self._shards[shard][row]

    def put(self, digests: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store one piece as a new shard, atomically (a kill leaves no partial shard)."""
        if len(digests) != len(vectors):
            raise ValueError(f"{len(digests)} digests for {len(vectors)} vectors")
        if not digests:
            return
        keys = np.frombuffer(b"".join(digests), np.uint8).reshape(len(digests), _DIGEST_BYTES)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        name = f"shard-{len(self._shards):06d}-{uuid.uuid4().hex[:8]}.npz"
        with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".tmp-", delete=False) as handle:
            np.savez(handle, digests=keys, vectors=vectors)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, self.folder / name)
        shard = len(self._shards)
        self._shards.append(vectors)
        for row, digest in enumerate(digests):
            self._rows[digest] = (shard, row)


class CachingEmbedder:
    """An embedder whose passage vectors go through a ``VectorCache``; queries pass through."""

    def __init__(self, embedder: Embedder, cache_root: Path, *, piece: int = PIECE) -> None:
        self.embedder = embedder
        self.cache = VectorCache(cache_root, embedder.identity)
        self.piece = piece
        self.reused = 0
        """Passages whose vectors came from the cache in the last ``embed_passages`` call."""

    @property
    def identity(self) -> EmbedderIdentity:
        """The wrapped encoder's identity: cached vectors are exactly its vectors."""
        return self.embedder.identity

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Vectors of passages: cached ones read back, the rest embedded and cached."""
        digests = passage_digests(texts, self.identity.passage_prompt)
        missing: dict[bytes, str] = {}
        for digest, text in zip(digests, texts, strict=True):
            if digest not in self.cache and digest not in missing:
                missing[digest] = text
        self.reused = sum(1 for d in digests if d in self.cache)
        todo = list(missing.items())
        with tqdm(
            total=len(todo), desc="embedding", unit="chunk", disable=not progress or not todo
        ) as bar:
            for begin in range(0, len(todo), self.piece):
                piece = todo[begin : begin + self.piece]
                vectors = self.embedder.embed_passages([text for _, text in piece])
                self.cache.put([digest for digest, _ in piece], vectors)
                bar.update(len(piece))
        if not digests:
            return np.zeros((0, self.identity.dimension), np.float32)
        return np.vstack([self.cache.get(d) for d in digests]).astype(np.float32, copy=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of questions (never cached)."""
        return self.embedder.embed_queries(texts)
