"""``python -m eval.bench_latency``: p50/p95 latency of ``ask`` after the index is loaded.

Asks N benchmark questions (cycling through eval/data/zhuzhou_qa_dev.jsonl) one at a time, as
a user would, and prints load time, p50, p95 and the split between retrieval and reading.
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
from qa.pipeline import DEFAULT_READER, READERS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the latency benchmark; print one JSON line with the figures."""
    parser = argparse.ArgumentParser(prog="python -m eval.bench_latency", description=__doc__)
    parser.add_argument("--index", type=Path, help="index folder (default: the shipped index)")
    parser.add_argument("-n", type=int, default=100, help="questions to ask (default 100)")
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--reader", default=DEFAULT_READER, choices=sorted(READERS))
    args = parser.parse_args(argv)

    from qa.indexing.build import ensure_index
    from qa.pipeline import Pipeline

    index_dir = args.index or ensure_index(default_index_dir(), default_corpus_dir())
    started = time.perf_counter()
    pipeline = Pipeline.load(index_dir, reader=args.reader)
    load_seconds = time.perf_counter() - started
    questions = [item.question for item in load_jsonl(DEFAULT_DATASET)]
    totals, retrieve, read = [], [], []
    for i in range(args.n):
        answer = pipeline.ask(questions[i % len(questions)], k=args.k)
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


if __name__ == "__main__":
    sys.exit(main())
