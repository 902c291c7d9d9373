"""``python -m eval.bench_backends``: the folder and the Milvus backend side by side, in one run.

For each size (``--articles 1000,10000``: the first N articles of the news corpus):

- build an index of them on each backend, add ``--delta`` more articles, remove as many;
- load it (for Milvus, the first load makes the serving process's local columns and the
  second one reuses them);
- time ``--questions`` benchmark questions through hybrid retrieval (k=5: the query
  encoder, dense and BM25 search, fusion) after a warm-up, p50/p95.

Embedding costs the same on both backends and dwarfs the rest (≈ 20 passages/s here), so
passages are read from ``--vector-cache`` (made by the archive build; README, "Long
builds") and the times below exclude the embed stage. A linear fit through the sizes
projects each operation to larger archives (an estimate, printed as such).

Prints one JSON object; with ``--markdown`` also the table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eval.__main__ import CRUD_CORPUS
from eval.bench import rss_mb
from eval.datasets import SPLITS, load_jsonl
from eval.metrics import percentiles
from qa.config import cache_dir

OPERATIONS = ("build", "add", "remove", "first load", "load", "query p50", "query p95")
PROJECT_TO = (100_000, 1_000_000)


def _storage_seconds(report: Any) -> float:
    """A write's time without its embed stage (the same on both backends)."""
    return float(sum(v for k, v in report.seconds.items() if k != "embed"))


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def _query_times(snapshot: Any, embedder: Any, questions: Sequence[str]) -> list[float]:
    from qa.retrieval.hybrid import HybridRetriever

    retriever = HybridRetriever(snapshot, embedder)
    for question in questions[:5]:  # warm-up: the encoder's first runs, caches
        retriever.search(question, 5)
    times = []
    for question in questions:
        started = time.perf_counter()
        retriever.search(question, 5)
        times.append((time.perf_counter() - started) * 1000)
    return times


def run_size(
    count: int, delta: int, news: Path, vector_cache: Path, questions: Sequence[str],
    workdir: Path,
) -> dict[str, dict[str, float]]:  # fmt: skip
    """Every operation on both backends at ``count`` articles: seconds (ms for queries)."""
    from qa.encoders.embedding import make_embedder
    from qa.indexing.build import add_articles, build_index, remove_articles
    from qa.indexing.milvus import MilvusLocation, load_milvus_snapshot
    from qa.indexing.milvus_writes import add_milvus, build_milvus, remove_milvus
    from qa.indexing.store import load_snapshot
    from qa.indexing.vector_cache import CachingEmbedder
    from qa.ingest import read_articles

    articles = read_articles([news], limit=count + delta).articles
    base, extra = list(articles[:count]), list(articles[count : count + delta])
    encoder = make_embedder()
    embedder = CachingEmbedder(encoder, vector_cache)
    doomed = [a.id for a in base[:delta]]

    folder = workdir / f"folder-{count}"
    location = MilvusLocation.parse(str(workdir / f"milvus-{count}.db"))
    return {
        "folder": _backend_run(
            lambda: build_index(folder, base, embedder),
            lambda: add_articles(folder, extra, embedder),
            lambda: remove_articles(folder, doomed),
            lambda: load_snapshot(folder), encoder, questions,
        ),
        "milvus": _backend_run(
            lambda: build_milvus(location, base, embedder),
            lambda: add_milvus(location, extra, embedder),
            lambda: remove_milvus(location, doomed),
            lambda: load_milvus_snapshot(location), encoder, questions,
        ),
    }  # fmt: skip


def _backend_run(
    build: Callable[[], Any], add: Callable[[], Any], remove: Callable[[], Any],
    load: Callable[[], Any], encoder: Any, questions: Sequence[str],
) -> dict[str, float]:  # fmt: skip
    """One backend's operations, in order: seconds (ms for queries)."""
    built, _ = _timed(build)
    added, _ = _timed(add)
    removed, _ = _timed(remove)
    _, first = _timed(load)
    snapshot, again = _timed(load)
    times = percentiles(_query_times(snapshot, encoder, questions))
    return {
        "build": _storage_seconds(built), "add": _storage_seconds(added),
        "remove": _storage_seconds(removed), "first load": first, "load": again,
        "query p50": times["p50"], "query p95": times["p95"],
        "chunks": float(built.chunks_total),
    }  # fmt: skip


def project(sizes: Sequence[int], values: Sequence[float], to: int) -> float:
    """A straight line through (size, value), read at ``to`` (an estimate)."""
    slope, intercept = np.polyfit(np.asarray(sizes, float), np.asarray(values, float), 1)
    return float(max(0.0, slope * to + intercept))


def markdown(report: dict[str, Any]) -> str:
    """The side-by-side table (seconds; queries in ms) and the projections."""
    sizes = report["sizes"]
    header = "| operation | " + " | ".join(
        f"{b} {n:,}" for n in sizes for b in ("folder", "Milvus Lite")
    ) + " | " + " | ".join(f"{b} {n:,} (projected)" for n in PROJECT_TO
                           for b in ("folder", "Milvus Lite")) + " |"  # fmt: skip
    lines = [header, "|" + "---|" * (1 + 2 * len(sizes) + 2 * len(PROJECT_TO))]
    for op in OPERATIONS:
        unit = " ms" if op.startswith("query") else " s"
        cells = [f"{report['runs'][str(n)][b][op]:.2f}{unit}" for n in sizes
                 for b in ("folder", "milvus")]  # fmt: skip
        cells += [f"{report['projections'][str(n)][b][op]:.0f}{unit}" for n in PROJECT_TO
                  for b in ("folder", "milvus")]  # fmt: skip
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every size on both backends; print the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m eval.bench_backends",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--articles", default="1000,10000", help="sizes, comma-separated")
    parser.add_argument("--delta", type=int, default=100, help="articles added, then removed")
    parser.add_argument("--news", type=Path, default=CRUD_CORPUS)
    parser.add_argument("--vector-cache", type=Path, default=cache_dir() / "retrieval" / "vectors")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--markdown", action="store_true", help="also print the table")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.articles.split(",") if n]
    if len(sizes) < 2:
        parser.error("--articles needs two sizes or more (the projection is a line)")
    questions = [item.question for split in SPLITS.values() for item in load_jsonl(split)]
    questions = questions[: args.questions]
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-backends-") as tmp:
        for count in sizes:
            print(f"{count} articles …", file=sys.stderr)
            runs[str(count)] = run_size(count, args.delta, args.news, args.vector_cache,
                                        questions, Path(tmp))  # fmt: skip
    projections = {
        str(to): {
            backend: {op: project(sizes, [runs[str(n)][backend][op] for n in sizes], to)
                      for op in OPERATIONS}
            for backend in ("folder", "milvus")
        }
        for to in PROJECT_TO
    }  # fmt: skip
    report = {"sizes": sizes, "delta": args.delta, "questions": len(questions), "runs": runs,
              "projections": projections,
              "peak_rss_mb": round(rss_mb("self", "VmHWM"), 1)}  # fmt: skip
    print(json.dumps(report, indent=1))
    if args.markdown:
        print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
