"""``python -m eval``: the QA benchmark.

Modes:
  e2e     (default) every question of --dataset end to end over --index, in hybrid,
          BM25-only and dense-only retrieval; default: the shipped index (built on first
          use) and both parts of the benchmark, test (eval/data/zhuzhou_qa_test.jsonl,
          the headline, never tuned on) then dev (zhuzhou_qa_dev.jsonl, tuned on);
          --split picks one. Each prints its calibration: ECE, a reliability table, the
          accuracy of answers given at confidence >= 0.9, the risk-coverage curve.
  reader  a SQuAD-format --dataset with each question's gold context given: the reader
          alone (e.g. ../shared/data/qa-train/xquad.zh.json).
  open    a SQuAD-format --dataset: a temporary index of all its contexts, plus
          --distractors N articles of the news corpus, then every question end to end.
  check   the fact-check benchmark (eval.checking): the page's claims, test
          (eval/data/claims_test.jsonl, the headline) then dev (claims_dev.jsonl, tuned on),
          over the shipped index, or with --distractors N over the page hidden among N news
          articles; --generated N adds N claims per verdict made from those articles.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.datasets import SPLITS, QAItem, load_jsonl, load_squad
from eval.metrics import expected_calibration_error, reliability, risk_coverage
from eval.report import markdown, plot, trust_markdown
from eval.runner import (
    breakdown,
    calibrate,
    reader_factory,
    run_end_to_end,
    run_reader,
    summarize,
    without_abstention,
)
from qa.cli import add_backend_options, backend_target
from qa.config import default_corpus_dir, default_index_dir
from qa.errors import QAError, UsageError
from qa.indexing.target import IndexTarget, describe
from qa.pipeline import CHECK_K, DEFAULT_K, DEFAULT_READER, READERS, Pipeline
from qa.reading.train import paragraph_ids
from qa.retrieval.fusion import FUSIONS
from qa.retrieval.hybrid import MODES

RESULTS_DIR = Path(__file__).resolve().parent / "results"
CRUD_CORPUS = (
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "data"
    / "news-2023"
    / ("crud_news_2023.txt.gz")
)


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``python -m eval``."""
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))  # fmt: skip
    parser.add_argument("--mode", choices=("e2e", "reader", "open", "check"), default="e2e")
    parser.add_argument("--index", type=Path, help="index folder (e2e; default: the shipped index)")
    add_backend_options(parser)
    parser.add_argument(
        "--dataset", type=Path, help="questions (JSONL for e2e, SQuAD JSON otherwise)"
    )
    parser.add_argument(
        "--distractors",
        type=int,
        default=0,
        metavar="N",
        help="open mode: add N news articles as distractors; check mode: hide the page among N",
    )
    parser.add_argument(
        "--generated",
        type=int,
        default=0,
        metavar="N",
        help="check mode with --distractors: also N generated claims per verdict",
    )
    parser.add_argument(
        "--news", type=Path, default=CRUD_CORPUS, help="the news corpus the distractors come from"
    )
    parser.add_argument(
        "--no-check-reader",
        action="store_true",
        help="check mode: the sentences' cover alone decides (the reader is not asked)",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    parser.add_argument("-k", type=int, default=None,
                        help="passages per question (default 5) or per checked statement "
                             "(default 8, qa.pipeline.CHECK_K)")  # fmt: skip
    parser.add_argument(
        "--modes", default=",".join(MODES), help="retrieval modes to compare (comma-separated)"
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="OUT",
        help="write the metrics and every question's result to OUT",
    )
    parser.add_argument(
        "--paragraphs",
        type=Path,
        metavar="TSV",
        help="reader mode: only the paragraphs listed (e.g. eval/data/cmrc_train_heldout.tsv "
        "with --dataset ../shared/data/qa-train/cmrc2018_train.json)",
    )
    parser.add_argument(
        "--predictions",
        type=Path,
        metavar="OUT",
        help="reader and open modes: write {question id: answer} to OUT, and the answers had "
        "it never abstained to OUT's .never-abstaining.json, for `python -m "
        "eval.cmrc2018_official DATASET OUT`",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help=f"write report.md and report.png to DIR (e.g. {RESULTS_DIR})",
    )
    parser.add_argument("--name", default="", help="name of the run in the report's title")
    parser.add_argument(
        "--split",
        choices=("both", *SPLITS),
        default="both",
        help="e2e: which part of the benchmark (default: test, then dev)",
    )
    parser.add_argument(
        "--no-calibration",
        action="store_true",
        help="the readers' own scores and thresholds instead of the calibrator",
    )
    parser.add_argument("--reader", choices=READERS, default=DEFAULT_READER, help="span reader")
    parser.add_argument(
        "--fusion",
        choices=tuple(FUSIONS),
        default="default",
        help="how the dense and BM25 lists are fused (qa.retrieval.fusion)",
    )
    return parser


def _pipeline(
    index_dir: IndexTarget, reader: str, calibrated: bool = True, fusion: str = "default"
) -> Pipeline:
    return Pipeline.load(index_dir, reader=reader, calibrator=calibrated, fusion=FUSIONS[fusion])


CONFIDENT = 0.9


def trust(results: Sequence[Any]) -> dict[str, Any]:
    """Calibration of the answers given (raw spans, before abstention): ECE, reliability,
    accuracy at confidence >= 0.9, and the risk-coverage curve over all questions."""
    given = [r for r in results if r.raw_prediction is not None]
    probabilities = [r.confidence for r in given]
    rights = [r.raw_em == 1.0 for r in given]
    confident = [right for p, right in zip(probabilities, rights, strict=True) if p >= CONFIDENT]
    answered = [r for r in results if not r.abstained]
    return {
        "answers": len(given),
        "ece": expected_calibration_error(probabilities, rights),
        "reliability": reliability(probabilities, rights),
        "confident_answers": len(confident),
        "confident_accuracy": sum(confident) / len(confident) if confident else None,
        "answered": len(answered),
        "answered_accuracy": sum(r.raw_em == 1.0 for r in answered) / max(1, len(answered)),
        "risk_coverage": risk_coverage(probabilities, rights, len(results)),
    }


def _calibration_notes(results: Sequence[Any]) -> tuple[list[str], dict[str, Any]]:
    notes, best_thresholds = [], {}
    for english, label in ((False, "zh"), (True, "en")):
        table = calibrate(results, english)
        if not any(r.lang == label for r in results):
            continue
        best = max(table, key=lambda row: (row["score"], -row["threshold"]))
        best_thresholds[label] = best
        notes.append(
            f"Calibration ({label}): the abstention threshold maximising the score in which a "
            f"wrong answer costs what a right one earns is {best['threshold']:.2f} (score "
            f"{best['score']:.3f}, abstention precision "
            f"{best['abstention_precision']:.2f}, recall {best['abstention_recall']:.2f})."
        )
    return notes, best_thresholds


def run_e2e(
    args: argparse.Namespace, items: list[QAItem], index_dir: IndexTarget, name: str,
    pipeline: Pipeline | None = None, load_seconds: float = 0.0,
) -> dict[str, Any]:  # fmt: skip
    """End-to-end evaluation over one index (``pipeline``: one already loaded, in
    ``load_seconds``)."""
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        raise UsageError(f"unknown modes {sorted(unknown)}: use {', '.join(MODES)}")
    started = time.perf_counter()
    if pipeline is None:
        pipeline = _pipeline(index_dir, args.reader, not args.no_calibration, args.fusion)
        load_seconds = time.perf_counter() - started
    results = run_end_to_end(pipeline, items, modes=modes, k=args.k or DEFAULT_K,
                             progress=lambda m: print(f"  {m} done", file=sys.stderr))  # fmt: skip
    per_mode = {m: [r for r in results if r.mode == m] for m in modes}
    summaries = {m: summarize(rs) for m, rs in per_mode.items()}
    main = per_mode.get("hybrid") or next(iter(per_mode.values()))
    summaries["hybrid, never abstaining"] = summarize(without_abstention(main))
    breakdowns = {"lang": breakdown(main, "lang"), "type": breakdown(main, "type")}
    notes, thresholds = _calibration_notes(main)
    return {
        "name": name, "index": describe(index_dir), "questions": len(items),
        "load_seconds": load_seconds, "seconds": time.perf_counter() - started,
        "summaries": summaries, "breakdowns": breakdowns, "calibration": thresholds,
        "trust": trust(main), "trust_mode": main[0].mode if main else "", "notes": notes,
        "results": [r.to_dict() for r in results],
    }  # fmt: skip


def run_open(args: argparse.Namespace) -> dict[str, Any]:
    """A temporary index of the dataset's contexts (plus distractors), then end to end."""
    from eval.distractors import distractor_index
    from qa.encoders.embedding import make_embedder
    from qa.indexing.build import add_articles, build_index

    squad = load_squad(args.dataset, limit=args.limit)
    embedder = make_embedder()
    with tempfile.TemporaryDirectory(prefix="qa-open-") as tmp:
        index_dir = Path(tmp) / "index"
        if args.distractors:
            base = distractor_index(args.news, args.distractors, embedder)
            shutil.copytree(base, index_dir, ignore=shutil.ignore_patterns(".lock"))
            add_articles(index_dir, squad.articles, embedder, progress=True)
        else:
            build_index(index_dir, squad.articles, embedder, progress=True)
        name = f"open: {args.dataset.name} + {args.distractors} distractors"
        return run_e2e(args, list(squad.items), index_dir, args.name or name)


def hidden_page_index(news: Path, count: int, folder: Path) -> Path:
    """The shipped page hidden among the first ``count`` news articles, in ``folder``
    (passage vectors come from the cache that eval.retrieval fills)."""
    from eval.distractors import distractor_index
    from qa.config import cache_dir
    from qa.encoders.embedding import make_embedder
    from qa.indexing.build import add_articles
    from qa.indexing.vector_cache import CachingEmbedder
    from qa.ingest import read_articles

    embedder = CachingEmbedder(make_embedder(), cache_dir() / "retrieval" / "vectors")
    base = distractor_index(news, count, embedder)
    index_dir = folder / "index"
    shutil.copytree(base, index_dir, ignore=shutil.ignore_patterns(".lock"))
    add_articles(index_dir, read_articles([default_corpus_dir()]).articles, embedder)
    return index_dir


def run_check_mode(args: argparse.Namespace) -> dict[str, Any]:
    """The fact-check benchmark: the page's claim sets, and the generated set at scale."""
    from eval.checking import CLAIM_SPLITS, check_metrics, generated_claims, load_claims, run_checks
    from qa.indexing.build import ensure_index
    from qa.ingest import read_articles

    if args.generated and not args.distractors:
        raise UsageError("--generated N needs --distractors M: it is made from those articles")
    if args.dataset:
        datasets = [args.dataset]
    elif args.split == "both":
        datasets = list(CLAIM_SPLITS.values())
    else:
        datasets = [CLAIM_SPLITS[args.split]]
    runs = []
    with tempfile.TemporaryDirectory(prefix="qa-check-") as tmp:
        if args.distractors:
            index_dir = hidden_page_index(args.news, args.distractors, Path(tmp))
            where = f"the page among {args.distractors} news articles"
        else:
            index_dir = backend_target(args) or args.index or ensure_index(
                default_index_dir(), default_corpus_dir(), progress=True)  # fmt: skip
            where = str(args.index) if args.index else "the shipped index"
        pipeline = Pipeline.load(index_dir, reader=args.reader, fusion=FUSIONS[args.fusion])
        if args.no_check_reader:
            config = pipeline.checker.config
            pipeline.checker.config = dataclasses.replace(config, ask_reader=False)
        sets = [(f"check: {d.name} over {where}", load_claims(d)) for d in datasets]
        if args.generated:
            news = read_articles([args.news], fmt="crud", limit=args.distractors + 2000).articles
            claims = generated_claims(news[: args.distractors], news[args.distractors :],
                                      args.generated)  # fmt: skip
            sets.append((f"check: {len(claims)} generated claims over {where}", claims))
        started = time.perf_counter()
        for name, items in sets:
            items = items[: args.limit] if args.limit else items
            results = run_checks(pipeline, items, k=args.k or CHECK_K)
            runs.append({"name": name, "figures": check_metrics(results),
                         "results": [r.to_dict() for r in results]})  # fmt: skip
    return {"name": args.name or runs[0]["name"], "questions": sum(r["figures"]["n"] for r in runs),
            "seconds": time.perf_counter() - started, "check_runs": runs}  # fmt: skip


def run_reader_mode(args: argparse.Namespace) -> dict[str, Any]:
    """The reader alone on gold contexts."""
    only = paragraph_ids(args.paragraphs) if args.paragraphs else None
    squad = load_squad(args.dataset, limit=args.limit, paragraphs=only)
    started = time.perf_counter()
    results = run_reader(reader_factory(args.reader), squad)
    summary = summarize(results)
    always = summarize(without_abstention(results))
    return {
        "name": args.name or f"reader: {args.dataset.name}", "questions": len(results),
        "seconds": time.perf_counter() - started,
        "summaries": {"reader": summary, "reader, never abstaining": always},
        "breakdowns": {}, "notes": [], "results": [r.to_dict() for r in results],
    }  # fmt: skip


def write_predictions(path: Path, results: Sequence[dict[str, Any]]) -> None:
    """The official scorer's input: each question's answer ("" for an abstention), and the
    same had the reader never abstained (beside it, ``.never-abstaining.json``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, field in ((path, "prediction"), (path.with_suffix(".never-abstaining.json"),
                                                 "raw_prediction")):  # fmt: skip
        answers = {r["id"]: r[field] or "" for r in results if r["mode"] in ("reader", "hybrid")}
        target.write_text(json.dumps(answers, ensure_ascii=False, indent=0), encoding="utf-8")


def _print(run: dict[str, Any]) -> None:
    if "check_runs" in run:
        from eval.checking import print_check

        for part in run["check_runs"]:
            print_check(part["name"], part["figures"])
        return
    print(f"{run['name']}: {run['questions']} questions in {run['seconds']:.1f} s")
    for mode, s in run["summaries"].items():
        latency = s["latency_ms"]
        print(
            f"  {mode:26s} EM {s['em']:5.1f}  F1 {s['f1']:5.1f}  "
            f"R@1 {s['evidence_recall@1']:.2f}  R@5 {s['evidence_recall@5']:.2f}  "
            f"MRR {s['evidence_mrr']:.2f}  abstain P {s['abstention_precision']:.2f} "
            f"R {s['abstention_recall']:.2f}  cite {s['citation_accuracy']:.2f}  "
            f"p50 {latency['p50']:.0f} ms  p95 {latency['p95']:.0f} ms"
        )
    figures = run.get("trust")
    if figures:
        confident = figures["confident_accuracy"]
        print(
            f"  confidence ({run.get('trust_mode', 'hybrid')}): ECE {figures['ece']:.3f} over "
            f"{figures['answers']} answers; "
            f"at >= {CONFIDENT}: {figures['confident_answers']} answers, "
            + (f"{100 * confident:.1f}% right" if confident is not None else "none")
            + f"; given after abstention: {figures['answered']}, "
            f"{100 * figures['answered_accuracy']:.1f}% right"
        )
        for low, high, n, accuracy, confidence in figures["reliability"]:
            print(f"    [{low:.1f}, {high:.1f}) {n:4d} answers: {100 * accuracy:5.1f}% right at "
                  f"mean confidence {100 * confidence:5.1f}%")  # fmt: skip
    for note in run.get("notes", []):
        print(f"  {note}")
    for part in run.get("parts", {}).values():
        _print(part)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.mode == "e2e":
            from qa.indexing.build import ensure_index

            if args.dataset:
                datasets = [args.dataset]
            elif args.split == "both":
                datasets = list(SPLITS.values())
            else:
                datasets = [SPLITS[args.split]]
            index_dir = backend_target(args) or args.index or ensure_index(
                default_index_dir(), default_corpus_dir(), progress=True)  # fmt: skip
            loading = time.perf_counter()
            pipeline = _pipeline(index_dir, args.reader, not args.no_calibration, args.fusion)
            loaded = time.perf_counter() - loading
            runs = []
            for dataset in datasets:
                items = load_jsonl(dataset)
                items = items[: args.limit] if args.limit else items
                name = args.name or f"end to end: {dataset.name}"
                runs.append(run_e2e(args, items, index_dir, name, pipeline, loaded))
            # The first dataset (test, by default) is the headline; the others ride along.
            run = {**runs[0], "parts": {r["name"]: r for r in runs[1:]}}
        elif args.mode == "check":
            run = run_check_mode(args)
        else:
            if args.dataset is None:
                raise UsageError(f"--mode {args.mode} needs --dataset FILE (SQuAD format)")
            run = run_reader_mode(args) if args.mode == "reader" else run_open(args)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    _print(run)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.predictions:
        write_predictions(args.predictions, run["results"])
    if args.report and "check_runs" in run:
        from eval.checking import plot_check, print_check

        args.report.mkdir(parents=True, exist_ok=True)
        lines: list[str] = []
        for part in run["check_runs"]:
            printed: list[str] = []
            print_check(part["name"], part["figures"], printed.append)
            lines += ["```", *printed, "```", ""]
        (args.report / "check.md").write_text("\n".join(lines), encoding="utf-8")
        plot_check(
            args.report / "check.png", [(p["name"], p["figures"]) for p in run["check_runs"]]
        )
        print(f"report written to {args.report}/check.md and check.png", file=sys.stderr)
    elif args.report:
        args.report.mkdir(parents=True, exist_ok=True)
        sections = [run, *run.get("parts", {}).values()]
        (args.report / "report.md").write_text(
            "\n".join(
                markdown(r["name"], r["summaries"], r["breakdowns"], r.get("notes", ()))
                + (trust_markdown(r["trust"]) if r.get("trust") else "")
                for r in sections
            ),
            encoding="utf-8",
        )
        if run["breakdowns"]:
            plot(args.report / "report.png", run["summaries"], run["breakdowns"], run["name"],
                 [(r["name"], r["trust"]) for r in sections if r.get("trust")])  # fmt: skip
        print(f"report written to {args.report}/report.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
