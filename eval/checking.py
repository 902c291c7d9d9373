"""The fact-check benchmark: ``python -m eval --mode check``.

Two claim sets written from the page by helpers who saw only the page (never the code or the
QA questions), one for each part: ``eval/data/claims_dev.jsonl`` (tuned on) and
``claims_test.jsonl`` (the headline, never tuned on). Each claim is one statement with its
gold verdict (supported, contradicted, not_found) and the kind of error it holds (amount,
date, name, qualifier, unit, percent_point, other_scope, absent).

A generated set (``--generated N``) checks at scale: sentences with one value taken from the
news corpus, as printed (supported), with that value changed (contradicted), and from
articles left out of the index (not_found).

Reported: per-verdict precision, recall and F1, macro-F1, the confusion matrix, figures by
kind and language, whether every evidence quote is the article's text at its offsets, and
the latency per statement.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from eval.datasets import jsonl_records
from eval.metrics import percentiles
from qa.checking.values import find_values
from qa.checking.verify import CONTRADICTED, NOT_FOUND, SUPPORTED, VERDICTS
from qa.indexing.chunking import sentence_spans
from qa.pipeline import CHECK_K, Pipeline
from qa.types import Article, CheckReport

DATA_DIR = Path(__file__).resolve().parent / "data"
CLAIM_SPLITS = {"test": DATA_DIR / "claims_test.jsonl", "dev": DATA_DIR / "claims_dev.jsonl"}
KINDS = ("supported", "supported_qualifier", "amount", "date", "name", "qualifier", "unit",
         "percent_point", "other_scope", "absent", "generated")  # fmt: skip
_FIELDS = ("id", "claim", "lang", "label", "kind")


@dataclass(frozen=True, slots=True)
class ClaimItem:
    """One claim of a benchmark file, with its gold verdict."""

    id: str
    claim: str
    lang: str
    label: str
    kind: str
    article_title: str | None = None
    evidence: str | None = None
    article_value: str | None = None
    claim_value: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """What the checker said of one claim."""

    id: str
    lang: str
    kind: str
    label: str
    predicted: str
    statements: int
    latency_ms: float
    evidence_exact: bool
    """Every evidence quote equals its article's text at its offsets."""
    evidence_title: str | None
    note: str
    evidence_agrees: bool | None = None
    """For a claim decided right as supported or contradicted, whether the quote holds the
    gold evidence (half its characters, in order, at least); None otherwise."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def load_claims(path: Path) -> list[ClaimItem]:
    """Claims in the benchmark's JSONL format; a bad line names the file and line."""
    return jsonl_records(path, _FIELDS, _claim)


def _claim(record: dict[str, Any]) -> ClaimItem:
    if record["label"] not in VERDICTS:
        raise ValueError(f"label {record['label']!r} is not one of {', '.join(VERDICTS)}")
    if record["kind"] not in KINDS:
        raise ValueError(f"kind {record['kind']!r} is not one of {', '.join(KINDS)}")
    return ClaimItem(**{k: record.get(k) for k in ClaimItem.__slots__})


def verdict_of(report: CheckReport) -> str:
    """One verdict for a claim of several statements: contradicted if any statement is,
    supported if all are, else not_found."""
    verdicts = [v.verdict for v in report.verdicts]
    if CONTRADICTED in verdicts:
        return CONTRADICTED
    if verdicts and all(v == SUPPORTED for v in verdicts):
        return SUPPORTED
    return NOT_FOUND


def evidence_is_exact(pipeline: Pipeline, report: CheckReport) -> bool:
    """Every evidence quote and aligned value is its article's printed text at its offsets."""
    for verdict in report.verdicts:
        evidence = verdict.evidence
        if evidence is None:
            continue
        text = pipeline.snapshot.articles[evidence.article_id].part(evidence.part)
        if text[evidence.start : evidence.end] != evidence.quote:
            return False
        for alignment in verdict.alignments:
            if alignment.start is not None and alignment.end is not None:
                if text[alignment.start : alignment.end] != alignment.printed:
                    return False
                if not evidence.start <= alignment.start < alignment.end <= evidence.end:
                    return False
    return True


def run_checks(pipeline: Pipeline, items: Sequence[ClaimItem], *, k: int = CHECK_K,
               progress: bool = True) -> list[ClaimResult]:  # fmt: skip
    """Check every claim through the pipeline, as the CLI and the web chat do."""
    results = []
    for item in tqdm(items, desc="claims", disable=not progress):
        started = time.perf_counter()
        report = pipeline.check(item.claim, k=k)
        elapsed = (time.perf_counter() - started) * 1000
        first = report.verdicts[0] if report.verdicts else None
        results.append(
            ClaimResult(
                id=item.id, lang=item.lang, kind=item.kind, label=item.label,
                predicted=verdict_of(report), statements=len(report.verdicts),
                latency_ms=elapsed, evidence_exact=evidence_is_exact(pipeline, report),
                evidence_title=first.evidence.title if first and first.evidence else None,
                note=first.note if first else "",
                evidence_agrees=_agrees_with_gold(item, report),
            )
        )  # fmt: skip
    return results


def _agrees_with_gold(item: ClaimItem, report: CheckReport) -> bool | None:
    """Whether a claim decided right quotes the gold evidence (see ``ClaimResult``)."""
    predicted = verdict_of(report)
    if not item.evidence or predicted != item.label or predicted == NOT_FOUND:
        return None
    quotes = [v.evidence.quote for v in report.verdicts
              if v.verdict == predicted and v.evidence is not None]  # fmt: skip
    gold = item.evidence
    for quote in quotes:
        blocks = SequenceMatcher(None, gold, quote, autojunk=False).get_matching_blocks()
        if sum(b.size for b in blocks if b.size >= 2) >= 0.5 * len(gold):
            return True
    return False


def _scores(results: Sequence[ClaimResult]) -> dict[str, Any]:
    confusion = Counter((r.label, r.predicted) for r in results)
    per_verdict = {}
    for verdict in VERDICTS:
        tp = confusion[(verdict, verdict)]
        fp = sum(confusion[(o, verdict)] for o in VERDICTS if o != verdict)
        fn = sum(confusion[(verdict, o)] for o in VERDICTS if o != verdict)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_verdict[verdict] = {"precision": precision, "recall": recall, "f1": f1,
                                "n": tp + fn, "predicted": tp + fp}  # fmt: skip
    return {
        "n": len(results),
        "accuracy": sum(r.label == r.predicted for r in results) / max(1, len(results)),
        "macro_f1": sum(v["f1"] for v in per_verdict.values()) / len(VERDICTS),
        "per_verdict": per_verdict,
        "confusion": [[confusion[(gold, said)] for said in VERDICTS] for gold in VERDICTS],
    }


def check_metrics(results: Sequence[ClaimResult]) -> dict[str, Any]:
    """Per-verdict P/R/F1, macro-F1, confusion (rows gold, columns said, in VERDICTS order),
    accuracy by kind and language, exact evidence and latency."""
    statements = sum(r.statements for r in results)
    by_kind = {kind: [r for r in results if r.kind == kind] for kind in KINDS}
    by_lang = {lang: [r for r in results if r.lang == lang] for lang in ("zh", "en")}
    return {
        **_scores(results),
        "by_kind": {
            k: {"n": len(rs), "accuracy": sum(r.label == r.predicted for r in rs) / len(rs)}
            for k, rs in by_kind.items()
            if rs
        },
        "by_lang": {lang: _scores(rs) for lang, rs in by_lang.items() if rs},
        "evidence_exact": sum(r.evidence_exact for r in results),
        "evidence_agrees": sum(bool(r.evidence_agrees) for r in results),
        "evidence_judged": sum(r.evidence_agrees is not None for r in results),
        "statements": statements,
        "latency_ms_per_claim": percentiles([r.latency_ms for r in results]),
        "latency_ms_per_statement": percentiles(
            [r.latency_ms / max(1, r.statements) for r in results]
        ),
    }


# ---------------------------------------------------------------- the generated set

_GENERATED_KINDS = ("money", "percent", "count", "quantity")
_SENTENCE_CHARS = (18, 90)


def _one_value_sentences(article: Article) -> Iterable[tuple[str, Any]]:
    text = article.matched.text
    for start, end in sentence_spans(text):
        sentence = text[start:end].strip()
        if not _SENTENCE_CHARS[0] <= len(sentence) <= _SENTENCE_CHARS[1] or "\n" in sentence:
            continue
        values = [v for v in find_values(sentence, english=False) if v.kind != "ordinal"]
        amounts = [v for v in values if v.kind in _GENERATED_KINDS]
        if len(amounts) == 1 and re.match(r"\d", amounts[0].text.lstrip("近约超逾")):
            yield sentence, amounts[0]


def _changed(sentence: str, value: Any, rng: random.Random) -> str | None:
    """The sentence with its value's number changed clearly (×1.3–3, or ÷ as much)."""
    number = re.search(r"\d+(?:\.\d+)?", value.text)
    if number is None:
        return None
    old = float(number[0])
    factor = rng.choice((1.3, 1.5, 2.0, 3.0))
    new = old * factor if rng.random() < 0.7 or old < 10 else old / factor
    decimals = len(number[0].split(".")[1]) if "." in number[0] else 0
    written = f"{new:.{decimals}f}" if decimals else str(round(new))
    if written == number[0]:
        return None
    at = value.start + number.start()
    return sentence[:at] + written + sentence[at + len(number[0]) :]


def generated_claims(indexed: Sequence[Article], outside: Sequence[Article], per_label: int,
                     seed: int = 13) -> list[ClaimItem]:  # fmt: skip
    """``per_label`` supported, contradicted and not_found claims from news sentences with
    one value: as printed, with the value changed, and from articles not in the index."""
    rng = random.Random(seed)
    inside = [pair for article in indexed for pair in _one_value_sentences(article)]
    # the corpus repeats stories: a sentence from outside the index that an indexed article
    # also prints is found, not not_found
    printed = {
        article.matched.text[a:b].strip()
        for article in indexed
        for a, b in sentence_spans(article.matched.text)
    }
    away = [pair for article in outside for pair in _one_value_sentences(article)
            if pair[0] not in printed]  # fmt: skip
    rng.shuffle(inside)
    rng.shuffle(away)
    claims: list[ClaimItem] = []
    for n, (sentence, _) in enumerate(inside[:per_label]):
        claims.append(ClaimItem(f"gen-s{n:03d}", sentence, "zh", SUPPORTED, "generated"))
    changed = 0
    for sentence, value in inside[per_label:]:
        if changed == per_label:
            break
        claim = _changed(sentence, value, rng)
        if claim:
            claims.append(ClaimItem(f"gen-c{changed:03d}", claim, "zh", CONTRADICTED, "generated"))
            changed += 1
    for n, (sentence, _) in enumerate(away[:per_label]):
        claims.append(ClaimItem(f"gen-n{n:03d}", sentence, "zh", NOT_FOUND, "generated"))
    return claims


def print_check(name: str, figures: dict[str, Any], out: Callable[[str], None] = print) -> None:
    """The figures of one run, as the README quotes them."""
    out(f"{name}: {figures['n']} claims ({figures['statements']} statements)")
    out(f"  macro-F1 {figures['macro_f1']:.3f}  accuracy {figures['accuracy']:.3f}  "
        f"evidence exact {figures['evidence_exact']}/{figures['n']}  "
        f"latency per statement p50 {figures['latency_ms_per_statement']['p50']:.0f} ms "
        f"p95 {figures['latency_ms_per_statement']['p95']:.0f} ms")  # fmt: skip
    if figures.get("evidence_judged"):
        out(f"  right verdicts quoting the gold evidence: {figures['evidence_agrees']}/"
            f"{figures['evidence_judged']}")  # fmt: skip
    for verdict, s in figures["per_verdict"].items():
        out(f"  {verdict:13s} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
            f"(gold {s['n']}, said {s['predicted']})")  # fmt: skip
    out("  confusion (rows gold, columns said: " + ", ".join(VERDICTS) + ")")
    for verdict, row in zip(VERDICTS, figures["confusion"], strict=True):
        out(f"    {verdict:13s} " + " ".join(f"{c:4d}" for c in row))
    for lang, s in figures["by_lang"].items():
        out(f"  {lang}: {s['n']} claims, macro-F1 {s['macro_f1']:.3f}, "
            f"contradicted P {s['per_verdict'][CONTRADICTED]['precision']:.3f}")  # fmt: skip
    kinds = ", ".join(
        f"{k} {v['accuracy']:.2f} (n={v['n']})" for k, v in figures["by_kind"].items()
    )
    out(f"  accuracy by kind: {kinds}")


def plot_check(path: Path, runs: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Confusion matrices and per-verdict P/R/F1 bars, one row per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(len(runs), 2, figsize=(12, 4.2 * len(runs)), squeeze=False)
    for (name, figures), (matrix, bars) in zip(runs, axes, strict=True):
        confusion = figures["confusion"]
        matrix.imshow(confusion, cmap="Blues")
        darkest = max(max(row) for row in confusion) or 1
        for i, row in enumerate(confusion):
            for j, count in enumerate(row):
                colour = "white" if count > darkest / 2 else "black"
                matrix.text(j, i, str(count), ha="center", va="center", color=colour)
        matrix.set_xticks(range(3), VERDICTS)
        matrix.set_yticks(range(3), VERDICTS)
        matrix.set(xlabel="said", ylabel="gold", title=f"{name}: confusion")
        positions = range(len(VERDICTS))
        for offset, metric in ((-0.25, "precision"), (0.0, "recall"), (0.25, "f1")):
            bars.bar([p + offset for p in positions],
                     [figures["per_verdict"][v][metric] for v in VERDICTS], width=0.25,
                     label=metric)  # fmt: skip
        bars.set_xticks(list(positions), VERDICTS)
        bars.set(ylim=(0, 1.05), title=f"macro-F1 {figures['macro_f1']:.3f}")
        bars.legend(fontsize=8)
        bars.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
