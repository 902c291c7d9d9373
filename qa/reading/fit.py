"""The span reader's training loop: one optimiser step per batch, and checkpoints that a
stopped run resumes from bit for bit.

A run on this project's CPUs outlasts a working session, so every ``checkpoint_every``
steps the loop writes the model, the optimiser, the learning-rate schedule, the data
order and every random generator's state (torch, numpy, Python) into one file, atomically.
``fit(..., resume=True)`` restores them all and takes the next batch: the weights after
N steps are the same to the bit whether the run stopped on the way or not
(tests/reading/test_train_resume.py). A checkpoint made with other settings or another
data order is refused, with what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import ModelError

CHECKPOINT = "checkpoint.pt"
CHECKPOINT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Schedule:
    """How long and how fast to train."""

    steps: int
    batch_size: int
    lr: float
    warmup_share: float = 0.1
    device: str = "cpu"
    bf16: bool = False


@dataclass(frozen=True, slots=True)
class Batches:
    """The training windows, their targets, and the window indices drawn for every step."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    order: np.ndarray
    """``steps × batch_size`` window indices (qa.reading.train.batch_order)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a run stands: steps done, the smoothed loss, and what was validated on the way."""

    steps_done: int
    loss_ema: float | None
    validation: tuple[dict[str, Any], ...]


def fingerprint(settings: Mapping[str, Any], order: np.ndarray) -> str:
    """What a checkpoint must match to be resumed: the settings and the data order."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    digest.update(np.ascontiguousarray(order, np.int64).tobytes())
    return digest.hexdigest()


def _rng_state() -> dict[str, Any]:
    import torch

    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
        "numpy": np.random.get_state(),
        "python": random.getstate(),
    }


def _set_rng_state(state: Mapping[str, Any]) -> None:
    import torch

    torch.set_rng_state(state["torch"])
    if state["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])


def _frozen(model: Any) -> set[str]:
    return {name for name, parameter in model.named_parameters() if not parameter.requires_grad}


def _trained_state(model: Any) -> dict[str, Any]:
    """The model's state without its frozen parameters (the 96M word embeddings come from
    the base model: 384 MB a checkpoint otherwise)."""
    frozen = _frozen(model)
    return {k: v for k, v in model.state_dict().items() if k not in frozen}


def save_checkpoint(folder: Path, state: Mapping[str, Any]) -> Path:
    """Write ``state`` to ``folder/checkpoint.pt`` atomically (a stop mid-write keeps the
    previous checkpoint)."""
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CHECKPOINT
    tmp = path.with_suffix(".tmp")
    torch.save(dict(state), tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(folder: Path, expected: str) -> dict[str, Any]:
    """The checkpoint in ``folder``, or a ModelError saying why it cannot be resumed."""
    import torch

    path = folder / CHECKPOINT
    if not path.exists():
        raise ModelError(f"no checkpoint in {folder}: start a run without --resume")
    # Our own file, holding numpy and Python RNG states besides tensors.
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state.get("version") != CHECKPOINT_VERSION:
        raise ModelError(f"{path} has checkpoint version {state.get('version')!r}, this code "
                         f"reads {CHECKPOINT_VERSION}: start the run afresh")  # fmt: skip
    if state["fingerprint"] != expected:
        raise ModelError(
            f"{path} was made with other settings or another data order "
            f"({state['settings']}): resume with the same options, or start afresh "
            "with another --checkpoint-dir"
        )
    return state


def fit(
    model: Any,
    trainable: Sequence[Any],
    batches: Batches,
    schedule: Schedule,
    *,
    checkpoint_dir: Path | None = None,
    checkpoint_every: int = 100,
    settings: Mapping[str, Any] | None = None,
    resume: bool = False,
    after_step: Callable[[int, float, Sequence[dict[str, Any]]], dict[str, Any] | None]
    | None = None,
    stop_after: int | None = None,
    progress: bool = True,
    validation: Sequence[dict[str, Any]] = (),
) -> Progress:
    """Train ``model`` for ``schedule.steps`` steps (or until ``stop_after``).

    AdamW (weight decay 0.01), linear warm-up over ``warmup_share`` of the steps then
    linear decay, gradients clipped at 1.0; the loss is the mean of the start and end
    cross-entropies. ``after_step(done, loss_ema, records)`` runs after every step
    (validation, saving weights) with the validation records so far (a resumed run's
    restored from its checkpoint) and may return a new one, kept in the checkpoint.
    ``settings`` (with the data order) decide which checkpoint may be resumed.
    ``validation``: records made before the first step (a resumed run has its own).
    """
    import torch
    from tqdm.auto import tqdm

    device = torch.device(schedule.device)
    steps = schedule.steps
    optimizer = torch.optim.AdamW(trainable, lr=schedule.lr, weight_decay=0.01)
    warmup = max(1, int(steps * schedule.warmup_share))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    expected = fingerprint(dict(settings or {}), batches.order)
    first, loss_ema, records = 0, None, list(validation)
    if resume:
        if checkpoint_dir is None:
            raise ModelError("resuming needs the checkpoint folder")
        state = load_checkpoint(checkpoint_dir, expected)
        missing, unexpected = model.load_state_dict(state["model"], strict=False)
        if unexpected or set(missing) - _frozen(model):
            raise ModelError(
                f"{checkpoint_dir}: the checkpoint does not fit this model "
                f"({len(missing)} missing, {len(unexpected)} unknown tensors)"
            )
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        _set_rng_state(state["rng"])
        first, loss_ema, records = state["steps_done"], state["loss_ema"], state["validation"]
    last = min(steps, stop_after) if stop_after else steps
    done = first
    model.train()
    cross_entropy = torch.nn.functional.cross_entropy
    for step in tqdm(range(first, last), desc="training", unit="step", initial=first,
                     total=steps, disable=not progress):  # fmt: skip
        batch = batches.order[step * schedule.batch_size : (step + 1) * schedule.batch_size]
        mask = torch.from_numpy(batches.attention_mask[batch])
        longest = int(mask.sum(dim=1).max())  # drop padding columns: shorter batches run faster
        inputs = torch.from_numpy(batches.input_ids[batch][:, :longest]).to(device)
        mask = mask[:, :longest].to(device)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=schedule.bf16):
            start_logits, end_logits = model(inputs, mask)
        start_logits = start_logits.float().masked_fill(mask == 0, -1e4)
        end_logits = end_logits.float().masked_fill(mask == 0, -1e4)
        loss = (
            cross_entropy(start_logits, torch.from_numpy(batches.starts[batch]).to(device))
            + cross_entropy(end_logits, torch.from_numpy(batches.ends[batch]).to(device))
        ) / 2
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        value = float(loss.detach())
        loss_ema = value if loss_ema is None else 0.98 * loss_ema + 0.02 * value
        done = step + 1
        if after_step is not None:
            record = after_step(done, loss_ema, tuple(records))
            if record is not None:
                records.append(record)
        if checkpoint_dir is not None and (done % checkpoint_every == 0 or done == last):
            save_checkpoint(checkpoint_dir, {
                "version": CHECKPOINT_VERSION, "fingerprint": expected,
                "settings": dict(settings or {}), "steps_done": done, "loss_ema": loss_ema,
                "validation": records, "model": _trained_state(model),
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "rng": _rng_state(),
            })  # fmt: skip
    return Progress(done, loss_ema, tuple(records))
