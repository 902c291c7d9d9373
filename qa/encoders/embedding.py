"""Text encoders behind one protocol.

``SentenceTransformerEmbedder`` runs a local sentence-transformers folder (by default the
provisioned multilingual-e5-small). ``HashEmbedder`` is a deterministic bag-of-n-grams
encoder for fast unit tests only: it has no notion of meaning.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa.config import DEFAULT_EMBED_MODEL, EMBED_BATCH_SIZE
from qa.errors import ModelError

QUERY_BACKENDS = ("onnx", "onnx-int8", "torch")
"""How questions are encoded (``QA_QUERY_ENCODER``); passages always go through torch."""


@dataclass(frozen=True, slots=True)
class EmbedderIdentity:
    """What must match between the encoder that built an index and the one querying it."""

    model: str
    fingerprint: str
    dimension: int
    normalized: bool
    query_prompt: str
    passage_prompt: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in the manifest."""
        return asdict(self)


class Embedder(Protocol):
    """Encodes passages and queries into L2-normalised float32 vectors."""

    @property
    def identity(self) -> EmbedderIdentity:
        """Model name, weights fingerprint, dimension and prompts."""
        ...

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Vectors (n, dimension) of passages, with the passage prompt."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors (n, dimension) of questions, with the query prompt."""
        ...


def _folder_fingerprint(folder: Path) -> str:
    """Cheap identity of a model folder: its configs, and the sizes and edges of its weights."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        relative = path.relative_to(folder).as_posix()
        if path.suffix in {".json", ".txt", ".model"} and path.stat().st_size < 1 << 20:
            digest.update(relative.encode() + path.read_bytes())
        elif path.suffix in {".safetensors", ".bin", ".pt", ".onnx"}:
            size = path.stat().st_size
            with path.open("rb") as handle:
                head = handle.read(1 << 20)
                handle.seek(max(0, size - (1 << 20)))
                tail = handle.read()
            digest.update(f"{relative}:{size}".encode() + head + tail)
    return digest.hexdigest()[:16]


def _torch_threads() -> int | None:
    threads = os.environ.get("QA_TORCH_THREADS")
    return int(threads) if threads else None


class SentenceTransformerEmbedder:
    """A sentence-transformers model folder on the CPU.

    Passages are encoded by torch, loaded on first use; questions by ONNX Runtime where the
    folder is a plain mean-pooled encoder (``QA_QUERY_ENCODER=onnx``, the default), since
    that is several times faster for one short text and gives the same vectors. A process
    that only answers questions therefore never loads the torch copy of the encoder.
    """

    def __init__(
        self,
        folder: Path,
        name: str,
        *,
        batch_size: int = EMBED_BATCH_SIZE,
        query_encoder: str | None = None,
    ) -> None:
        from qa.encoders.onnx import plain_layout

        self.folder = folder
        self.batch_size = batch_size
        backend = query_encoder or os.environ.get("QA_QUERY_ENCODER", "onnx")
        if backend not in QUERY_BACKENDS:
            raise ModelError(
                f"QA_QUERY_ENCODER={backend!r}: use one of {', '.join(QUERY_BACKENDS)}"
            )
        self._model: Any = None
        self._onnx: Any = None
        layout = plain_layout(folder)
        self._plain_layout = layout is not None
        self.query_backend = backend if backend != "torch" and layout is not None else "torch"
        if layout is None:
            dimension, prompts = self._load_torch_layout()
        else:
            dimension, prompts = layout
        self._identity = EmbedderIdentity(
            model=name,
            fingerprint=_folder_fingerprint(folder),
            dimension=dimension,
            normalized=True,
            query_prompt=prompts.get("query", ""),
            passage_prompt=prompts.get("passage", ""),
        )

    def _load_torch_layout(self) -> tuple[int, dict[str, str]]:
        dimension = self.model.get_embedding_dimension()
        if dimension is None:
            raise ModelError(f"model in {self.folder} does not declare its embedding dimension")
        return int(dimension), dict(self.model.prompts or {})

    @property
    def model(self) -> Any:
        """The sentence-transformers model (loaded on first use)."""
        if self._model is None:
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.disable_progress_bar()
            threads = _torch_threads()
            if threads:
                torch.set_num_threads(threads)
            try:
                model = SentenceTransformer(str(self.folder), device="cpu", local_files_only=True)
            except (OSError, ValueError) as exc:
                raise ModelError(
                    f"cannot load sentence-transformers model from {self.folder}: {exc}"
                ) from exc
            model.eval()
            self._model = model
        return self._model

    @property
    def identity(self) -> EmbedderIdentity:
        """Model name, weights fingerprint, dimension and prompts."""
        return self._identity

    def _encode(self, texts: Sequence[str], prompt: str, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._identity.dimension), np.float32)
        vectors = self.model.encode(
            list(texts),
            prompt=prompt or None,
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Vectors of passages (batches are length-sorted by sentence-transformers)."""
        return self._encode(texts, self._identity.passage_prompt, progress)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of questions (ONNX Runtime where available, else torch)."""
        if self.query_backend == "torch":
            return self._encode(texts, self._identity.query_prompt, False)
        if not texts:
            return np.zeros((0, self._identity.dimension), np.float32)
        prompt = self._identity.query_prompt
        return self.onnx_encoder.encode([prompt + text for text in texts])

    @property
    def onnx_encoder(self) -> Any:
        """The ONNX Runtime encoder (exported on first use; ModelError if the layout has none)."""
        if self._onnx is None:
            from qa.encoders.onnx import (
                ONNX_FILE,
                OnnxQueryEncoder,
                export_encoder,
                quantize_export,
            )
            from qa.encoders.word_table import word_table

            if not self._plain_layout:
                raise ModelError(f"{self.folder} is not a plain mean-pooled encoder: no ONNX path")
            fingerprint = self._identity.fingerprint
            export = export_encoder(self.folder, fingerprint)
            tokenizer, words = self.folder / "tokenizer.json", word_table(self.folder, fingerprint)
            graph = ONNX_FILE
            if self.query_backend == "onnx-int8":
                graph = quantize_export(export, tokenizer, words).name
            self._onnx = OnnxQueryEncoder(export, tokenizer, words, _torch_threads(), graph=graph)
        return self._onnx


class HashEmbedder:
    """Deterministic test encoder: hashed character 1–2-grams, signed, L2-normalised.

    Texts that share characters get similar vectors, which is enough to test the plumbing
    (FAISS, fusion, storage) quickly; it knows nothing of meaning or languages.
    """

    def __init__(self, dimension: int = 64) -> None:
        self._identity = EmbedderIdentity(
            model=f"hash:{dimension}",
            fingerprint="hash-char-1-2-gram-v1",
            dimension=dimension,
            normalized=True,
            query_prompt="",
            passage_prompt="",
        )

    @property
    def identity(self) -> EmbedderIdentity:
        """Model name, fingerprint, dimension and (empty) prompts."""
        return self._identity

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self._identity.dimension, np.float32)
        grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
        for gram in grams:
            digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            vector[value % self._identity.dimension] += 1.0 if value >> 63 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return vector / norm

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._identity.dimension), np.float32)
        return np.vstack([self._vector(t) for t in texts]).astype(np.float32)

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Vectors of passages."""
        return self._encode(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of questions."""
        return self._encode(texts)


def make_embedder(spec: str = DEFAULT_EMBED_MODEL) -> Embedder:
    """An embedder from a name: the default e5 model, a model folder, or ``hash[:DIM]``."""
    if spec == "hash" or spec.startswith("hash:"):
        _, _, dim = spec.partition(":")
        return HashEmbedder(int(dim) if dim else 64)
    from qa.encoders.provision import resolve_embed_model

    folder = resolve_embed_model(spec)
    # The name is stored in manifests and must lead back to the same model.
    name = spec if spec == DEFAULT_EMBED_MODEL else str(folder.resolve())
    return SentenceTransformerEmbedder(folder, name)


def identity_from_manifest(data: dict[str, Any]) -> EmbedderIdentity:
    """Rebuild the identity stored in a manifest."""
    return EmbedderIdentity(**data)


def describe(identity: EmbedderIdentity) -> str:
    """One-line description for messages."""
    return json.dumps(
        {
            "model": identity.model,
            "fingerprint": identity.fingerprint,
            "dimension": identity.dimension,
        }
    )
