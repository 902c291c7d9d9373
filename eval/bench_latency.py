"""``python -m eval.bench_latency [--check]``: p50/p95 latency of ``ask`` (or ``check``)
after the index is loaded.

Asks N benchmark questions (cycling through eval/data/zhuzhou_qa_dev.jsonl) one at a time, as
a user would, and prints load time, p50, p95 and the split between retrieval and reading.
With ``--check`` it fact-checks N claims instead (cycling through eval/data/claims_dev.jsonl)
and prints p50/p95 per statement and per claim.
A benchmark, not a test: numbers depend on the machine and what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from eval.datasets import DEFAULT_DATASET, load_jsonl
from eval.metrics import percentiles
from qa.config import default_corpus_dir, default_index_dir
from qa.pipeline import CHECK_K, DEFAULT_K, DEFAULT_READER, READERS, Pipeline


def main(argv: Sequence[str] | None = None) -> int:
    """Run the latency benchmark; print one JSON line with the figures."""
    parser = argparse.ArgumentParser(prog="python -m eval.bench_latency", description=__doc__)
    parser.add_argument("--index", type=Path, help="index folder (default: the shipped index)")
    parser.add_argument("-n", type=int, default=100, help="questions to ask (default 100)")
    parser.add_argument("-k", type=int, default=None,
                        help="passages per question (default 5) or per checked statement "
                             "(default 8, qa.pipeline.CHECK_K)")  # fmt: skip
    parser.add_argument("--reader", default=DEFAULT_READER, choices=sorted(READERS))
    parser.add_argument("--check", action="store_true", help="time fact checks, not questions")
    args = parser.parse_args(argv)

    from qa.indexing.build import ensure_index

    index_dir = args.index or ensure_index(default_index_dir(), default_corpus_dir())
    started = time.perf_counter()
    pipeline = Pipeline.load(index_dir, reader=args.reader)
    load_seconds = time.perf_counter() - started
    if args.check:
        return _bench_check(pipeline, args, index_dir, load_seconds)
    questions = [item.question for item in load_jsonl(DEFAULT_DATASET)]
    totals, retrieve, read = [], [], []
    for i in range(args.n):
        answer = pipeline.ask(questions[i % len(questions)], k=args.k or DEFAULT_K)
        totals.append(answer.timings_ms["total"])
        retrieve.append(answer.timings_ms["retrieve"])
        read.append(answer.timings_ms["read"])
    total = percentiles(totals)
    figures = {
        "index": str(index_dir),
        "reader": args.reader,
        "chunks": len(pipeline.snapshot.chunks),
        "questions": args.n,
        "load_seconds": round(load_seconds, 2),
        "p50_ms": round(total["p50"], 1),
        "p95_ms": round(total["p95"], 1),
        "retrieve_p50_ms": round(percentiles(retrieve)["p50"], 1),
        "read_p50_ms": round(percentiles(read)["p50"], 1),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures))
    return 0


def _bench_check(pipeline: Pipeline, args: argparse.Namespace, index_dir: Path,
                 load_seconds: float) -> int:  # fmt: skip
    """Fact-check N dev claims one at a time; print per-statement and per-claim latency."""
    from eval.checking import CLAIM_SPLITS, load_claims

    claims = [item.claim for item in load_claims(CLAIM_SPLITS["dev"])]
    per_claim, per_statement, statements = [], [], 0
    for i in range(args.n):
        report = pipeline.check(claims[i % len(claims)], k=args.k or CHECK_K)
        per_claim.append(report.timings_ms["total"])
        per_statement.append(report.timings_ms["per_statement"])
        statements += len(report.verdicts)
    claim, statement = percentiles(per_claim), percentiles(per_statement)
    figures = {
        "index": str(index_dir),
        "chunks": len(pipeline.snapshot.chunks),
        "claims": args.n,
        "statements": statements,
        "load_seconds": round(load_seconds, 2),
        "statement_p50_ms": round(statement["p50"], 1),
        "statement_p95_ms": round(statement["p95"], 1),
        "claim_p50_ms": round(claim["p50"], 1),
        "claim_p95_ms": round(claim["p95"], 1),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
