"""A stopped training run resumes bit for bit (qa.reading.fit), on a tiny model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa.errors import ModelError
from qa.reading.fit import Batches, Schedule, fit
from qa.reading.span_model import build_model
from qa.reading.train import batch_order

STEPS, BATCH = 8, 4
SETTINGS = {"lr": 1e-3, "seed": 5}


@pytest.fixture()
def tiny_base(tmp_path: Path) -> Path:
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)  # fmt: skip
    folder = tmp_path / "base"
    BertModel(config, add_pooling_layer=False).save_pretrained(folder)
    return folder


def _batches() -> Batches:
    rng = np.random.default_rng(3)
    windows = 24
    ids = rng.integers(4, 40, size=(windows, 20))
    mask = np.ones_like(ids)
    mask[::3, 14:] = 0  # some padding, so the column trimming is exercised
    starts = rng.integers(0, 10, size=windows)
    ends = starts + rng.integers(0, 4, size=windows)
    order = batch_order(np.zeros(windows, np.int64), STEPS, BATCH, seed=5, repeats={})
    return Batches(ids, mask, starts, ends, order)


def _train(base: Path, checkpoints: Path, *, stop_after: int | None = None,
           resume: bool = False) -> dict:  # fmt: skip
    import torch

    torch.manual_seed(5)  # as the trainer seeds itself before building the model
    model = build_model(base)
    frozen = "encoder.embeddings.word_embeddings.weight"
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name != frozen
    trainable = [p for p in model.parameters() if p.requires_grad]
    if resume:
        torch.manual_seed(99)  # a new process: whatever the generator holds is restored
    fit(model, trainable, _batches(), Schedule(STEPS, BATCH, 1e-3, 0.25),
        checkpoint_dir=checkpoints, checkpoint_every=2, settings=SETTINGS,
        stop_after=stop_after, resume=resume, progress=False)  # fmt: skip
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_a_resumed_run_ends_with_the_same_weights_to_the_bit(
    tmp_path: Path, tiny_base: Path
) -> None:
    import torch

    straight = _train(tiny_base, tmp_path / "straight")
    _train(tiny_base, tmp_path / "stopped", stop_after=3)  # stops after step 3 (checkpoint at 3)
    resumed = _train(tiny_base, tmp_path / "stopped", resume=True)
    assert straight.keys() == resumed.keys()
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)
    # and the training moved the weights: the check would catch a resume that did nothing
    fresh = build_model(tiny_base).state_dict()
    assert not torch.equal(fresh["qa_outputs.weight"], straight["qa_outputs.weight"])


def test_a_checkpoint_of_other_settings_is_refused(tmp_path: Path, tiny_base: Path) -> None:
    _train(tiny_base, tmp_path / "run", stop_after=2)
    model = build_model(tiny_base)
    trainable = [p for p in model.parameters() if p.requires_grad]
    with pytest.raises(ModelError, match="other settings or another data order"):
        fit(model, trainable, _batches(), Schedule(STEPS, BATCH, 1e-3),
            checkpoint_dir=tmp_path / "run", settings={**SETTINGS, "lr": 5e-4}, resume=True,
            progress=False)  # fmt: skip
    with pytest.raises(ModelError, match="no checkpoint in"):
        fit(model, trainable, _batches(), Schedule(STEPS, BATCH, 1e-3),
            checkpoint_dir=tmp_path / "nothing", settings=SETTINGS, resume=True, progress=False)
