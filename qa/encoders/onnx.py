"""Question encoding with ONNX Runtime: the same vectors as torch, several times faster.

A question is one forward pass over about 20 tokens. On a small CPU torch spends most of
that pass in per-operator overhead (a short question alone: 31 ms, the same on 1 or 2
threads), ONNX Runtime 7–9 ms; over the benchmark's questions, each right after a torch
call, 36 against 14 ms p50. Batched passages are compute-bound, and there torch is faster
(19.8 against 13.1 chunks/s at batch 16), so passages stay on torch (see BENCHMARKS.md).

The encoder is exported once per model fingerprint into the cache, checked against the
sentence-transformers model it came from, and moved into place only if every check
vector agrees to cosine >= ``MIN_COSINE``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.config import cache_dir
from qa.errors import ModelError

ONNX_FILE = "encoder.onnx"
INT8_FILE = "encoder.int8.onnx"
MIN_COSINE_INT8 = 0.99
"""The int8 graph's vectors against the fp32 graph's (measured: 0.995 min, 0.997 mean over
the 175 benchmark questions)."""
EXPORT_FORMAT = "v2"
"""Bumped when the export's layout changes, so an old export is never read as a new one."""
MIN_COSINE = 0.9999
MAX_TOKENS = 512
_CHECK_TEXTS = (
    "query: 株洲节约了多少物流成本?",
    "query: How much did the project in Yanling cost?",
    "passage: 株洲市推进多式联运,全年为企业节约物流成本约1.2亿元。" * 8,
)
_PLAIN_LAYOUT = ("Transformer", "Pooling", "Normalize")


def plain_layout(folder: Path) -> tuple[int, dict[str, str]] | None:
    """Dimension and prompts of a transformer → mean pooling → normalise folder, else None.

    Only that layout is exported: anything else (a Dense layer, CLS pooling) stays on torch.
    """
    try:
        modules = json.loads((folder / "modules.json").read_text("utf-8"))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text("utf-8"))
        settings = json.loads((folder / "config_sentence_transformers.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    kinds = tuple(str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules)
    if kinds != _PLAIN_LAYOUT or pooling.get("pooling_mode") != "mean":
        return None
    if not (folder / "tokenizer.json").is_file():
        return None
    return int(pooling["embedding_dimension"]), dict(settings.get("prompts") or {})


def export_dir(fingerprint: str) -> Path:
    """Where the export of the model with this fingerprint lives (its word table does not:
    that is ``qa.encoders.word_table``'s)."""
    return cache_dir() / "onnx" / f"{fingerprint}-{EXPORT_FORMAT}"


def export_encoder(folder: Path, fingerprint: str) -> Path:
    """Export the folder's transformer to ONNX once, verified; return the export's folder."""
    from qa.encoders.provision import file_lock
    from qa.encoders.word_table import word_table

    target = export_dir(fingerprint)
    if (target / ONNX_FILE).is_file():
        return target
    with file_lock(target.with_name(target.name + ".lock")):
        if (target / ONNX_FILE).is_file():
            return target
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp:
            candidate = Path(tmp) / "export"
            candidate.mkdir()
            _export(folder, candidate, word_table(folder, fingerprint))
            if target.exists():  # an export interrupted before its graph was written
                shutil.rmtree(target)
            os.replace(candidate, target)
    return target


def _export(folder: Path, out: Path, words: np.ndarray) -> None:
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.disable_progress_bar()
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    model.eval()
    transformer = model[0].auto_model

    class FromWordVectors(torch.nn.Module):
        """The transformer after its word lookup, with one output, as the exporter needs."""

        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(
            self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor
        ) -> torch.Tensor:
            output = self.transformer(inputs_embeds=inputs_embeds, attention_mask=attention_mask)
            return output.last_hidden_state

    sample = model.tokenizer(list(_CHECK_TEXTS[:2]), padding=True, return_tensors="pt")
    word_vectors = transformer.get_input_embeddings()(sample["input_ids"])
    dynamic = {0: "batch", 1: "tokens"}
    # The tracer warns about Python branches on shapes; they do not vary with the input here.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(
                FromWordVectors(),
                (word_vectors, sample["attention_mask"]),
                str(out / ONNX_FILE),
                input_names=["inputs_embeds", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    name: dynamic
                    for name in ("inputs_embeds", "attention_mask", "last_hidden_state")
                },
                opset_version=17,
                dynamo=False,
            )
        except Exception as exc:  # the exporter raises many kinds, e.g. onnx missing
            raise ModelError(
                f"cannot export {folder} to ONNX ({exc}): run `pip install -e .` (it installs "
                "onnx), or set QA_QUERY_ENCODER=torch to encode questions with torch"
            ) from exc
        expected = model.encode(list(_CHECK_TEXTS), normalize_embeddings=True)
    got = OnnxQueryEncoder(out, folder / "tokenizer.json", words).encode(list(_CHECK_TEXTS))
    cosines = np.sum(got * expected, axis=1)
    if float(cosines.min()) < MIN_COSINE:
        raise ModelError(
            f"the ONNX export of {folder} gives vectors at cosine {cosines.min():.5f} to torch "
            f"(< {MIN_COSINE}); set QA_QUERY_ENCODER=torch to encode questions with torch"
        )


def quantize_export(export: Path, tokenizer_file: Path, words: np.ndarray) -> Path:
    """The export's int8 graph (weights per channel, activations dynamic), made once, checked.

    On this CPU (AVX-512 VNNI) it encodes a question in 8–9 ms instead of 12–14.
    """
    from qa.encoders.provision import file_lock

    target = export / INT8_FILE
    if target.is_file():
        return target
    with file_lock(export / ".int8.lock"):
        if target.is_file():
            return target
        from onnxruntime.quantization import QuantType, quantize_dynamic

        with tempfile.TemporaryDirectory(dir=export, prefix=".int8-") as tmp:
            candidate = Path(tmp) / INT8_FILE
            logger = logging.getLogger()
            level = logger.level
            logger.setLevel(logging.ERROR)  # its advice on pre-processing is not for users
            try:
                quantize_dynamic(str(export / ONNX_FILE), str(candidate),
                                 weight_type=QuantType.QInt8, per_channel=True)  # fmt: skip
            finally:
                logger.setLevel(level)
            texts = list(_CHECK_TEXTS)
            expected = OnnxQueryEncoder(export, tokenizer_file, words).encode(texts)
            got = OnnxQueryEncoder(Path(tmp), tokenizer_file, words, graph=INT8_FILE).encode(texts)
            cosine = float(np.sum(got * expected, axis=1).min())
            if cosine < MIN_COSINE_INT8:
                raise ModelError(
                    f"the int8 encoder gives vectors at cosine {cosine:.4f} to fp32 (< "
                    f"{MIN_COSINE_INT8}): set QA_QUERY_ENCODER=onnx to use the fp32 graph"
                )
            os.replace(candidate, target)
    return target


class OnnxQueryEncoder:
    """Tokenizer + word lookup + ONNX transformer + mean pooling + L2 norm, without torch.

    The word table (``qa.encoders.word_table``: 384 MB, most of the model) stays outside the ONNX
    session, memory-mapped, so only the rows that questions use become resident.
    """

    def __init__(
        self,
        export: Path,
        tokenizer_file: Path,
        words: np.ndarray,
        threads: int | None = None,
        *,
        graph: str = ONNX_FILE,
    ) -> None:
        try:
            import onnxruntime
        except ImportError as exc:
            raise ModelError(
                "onnxruntime is not installed: run `pip install -e .`, or set "
                "QA_QUERY_ENCODER=torch to encode questions with torch"
            ) from exc
        from qa.encoders.tokenizer import shared_tokenizer

        self.tokenizer = shared_tokenizer(tokenizer_file)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or 0  # 0: one per core
        options.inter_op_num_threads = 1
        # Between a question's ~150 operators the worker thread spins instead of sleeping:
        # waking it through the kernel costs about 3 ms of a 13 ms pass on 2 cores. It stops
        # spinning when the pass ends, since BM25, FAISS and the torch reader run next and
        # need that core (spinning on after the pass made `ask` 30–60 ms slower).
        options.add_session_config_entry("session.intra_op.allow_spinning", "1")
        options.add_session_config_entry("session.force_spinning_stop", "1")
        options.log_severity_level = 3  # errors only: its notes are not for our users
        self.words = words
        try:
            self.session = onnxruntime.InferenceSession(
                str(export / graph), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own unexported exception types
            raise ModelError(f"cannot load the ONNX export in {export} ({exc}): delete that "
                             "folder to export it again") from exc  # fmt: skip

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (n, dimension) of ``texts`` (prompts already in the texts)."""
        ids, mask = self.tokenizer.padded(self.tokenizer.encode_batch(texts, MAX_TOKENS))
        word_vectors = np.asarray(self.words[ids], dtype=np.float32)
        (hidden,) = self.session.run(None, {"inputs_embeds": word_vectors, "attention_mask": mask})
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.ascontiguousarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)
