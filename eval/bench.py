"""``python -m eval.bench VERB``: speed and size benchmarks (numbers for BENCHMARKS.md).

Verbs (each prints one JSON object):
  build    --articles N        build an index of N news articles: articles/s, chunks/s,
                               embedding chunks/s, peak RSS, size on disk
  encoder  [--samples N]       raw encoder throughput: batch size, length sorting, threads,
                               ONNX Runtime; one question at a time, torch vs ONNX
  query    --index DIR         load time and RSS; p50/p95 of the query encoder alone, dense,
                               BM25, hybrid, hybrid with the query vector given, full ask
  faiss    [--vectors N]       Flat / HNSW / IVF-PQ on synthetic vectors: build time,
                               recall@10 against exact search, query latency
           --index DIR         the same on an index's own vectors, queried by the
                               benchmark's questions
           [--ef-construction N]  HNSW graphs built with this efConstruction
  add      --index DIR --articles N   incremental add of N new articles to a copy of DIR
  standin  --index DIR --vector-cache DIR [--articles N]
                               a full-size index for load/memory/latency figures before the
                               corpus is embedded: real articles, chunks and BM25; the e5
                               vectors the cache holds, synthetic ones for the rest
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eval.__main__ import CRUD_CORPUS
from eval.datasets import DEFAULT_DATASET, load_jsonl
from eval.metrics import percentiles
from qa.retrieval.fusion import FUSIONS
from qa.tokens import is_english


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int | str = "self", field: str = "VmRSS") -> float:
    """Resident memory of a process (this one by default), in MB.

    ``field`` "RssAnon" is the private part; "RssFile" the pages of mapped files (the
    memory-mapped index among them), which the kernel can drop and read back.
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    return {f"{name}_ms": round(value, 2) for name, value in percentiles(values).items()}


def bench_build(args: argparse.Namespace) -> dict[str, Any]:
    """Build an index of the first N news articles into a temporary folder."""
    from qa.encoders.embedding import make_embedder
    from qa.indexing.build import build_index
    from qa.ingest import read_articles

    started = time.perf_counter()
    articles = read_articles([args.news], fmt="crud", limit=args.articles).articles
    read_seconds = time.perf_counter() - started
    embedder = make_embedder()
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        started = time.perf_counter()
        report = build_index(index_dir, articles, embedder, progress=True)
        seconds = time.perf_counter() - started
        size = _size_mb(index_dir)
    return {
        "articles": len(articles), "chunks": report.chunks_total,
        "read_seconds": round(read_seconds, 1), "build_seconds": round(seconds, 1),
        "articles_per_s": round(len(articles) / seconds, 2),
        "chunks_per_s": round(report.chunks_total / seconds, 2),
        "embed_chunks_per_s": round(report.chunks_total / report.seconds["embed"], 2),
        "stage_seconds": {k: round(v, 1) for k, v in report.seconds.items()},
        "peak_rss_mb": round(_peak_rss_mb(), 0), "index_mb": round(size, 1),
    }  # fmt: skip


def bench_encoder(args: argparse.Namespace) -> dict[str, Any]:
    """Chunks per second of the encoder under different batch settings."""
    import torch

    from qa.config import ChunkingConfig
    from qa.encoders.embedding import SentenceTransformerEmbedder, make_embedder
    from qa.indexing.chunking import chunk_articles, embedding_text
    from qa.ingest import read_articles

    articles = read_articles([args.news], fmt="crud", limit=args.samples).articles
    by_id = {a.id: a for a in articles}
    chunks = chunk_articles(articles, ChunkingConfig())[: args.samples]
    texts = [embedding_text(by_id[c.article_id], c) for c in chunks]
    embedder = make_embedder()
    assert isinstance(embedder, SentenceTransformerEmbedder)
    model = embedder.model
    results = []

    def run(label: str, batch: int, threads: int, sort: bool) -> None:
        torch.set_num_threads(threads)
        started = time.perf_counter()
        if sort:  # one call: sentence-transformers sorts all texts by length
            model.encode(texts, batch_size=batch, prompt="passage: ", normalize_embeddings=True)
        else:  # one call per batch: batches keep the corpus order
            for i in range(0, len(texts), batch):
                model.encode(texts[i : i + batch], batch_size=batch, prompt="passage: ",
                             normalize_embeddings=True)  # fmt: skip
        rate = len(texts) / (time.perf_counter() - started)
        results.append({"setting": label, "batch": batch, "threads": threads,
                        "length_sorted": sort, "chunks_per_s": round(rate, 2)})  # fmt: skip

    for batch in (8, 16, 32, 64):
        run(f"batch {batch}", batch, os.cpu_count() or 1, True)
    run("batch 16, unsorted", 16, os.cpu_count() or 1, False)
    run("batch 16, 1 thread", 16, 1, True)
    onnx = embedder.onnx_encoder
    started = time.perf_counter()
    by_length = sorted(texts, key=len, reverse=True)
    for i in range(0, len(by_length), 16):
        onnx.encode(["passage: " + t for t in by_length[i : i + 16]])
    rate = round(len(texts) / (time.perf_counter() - started), 2)
    results.append({"setting": "batch 16, ONNX Runtime", "batch": 16, "threads": os.cpu_count(),
                    "length_sorted": True, "chunks_per_s": rate})  # fmt: skip
    baseline = next(r["chunks_per_s"] for r in results if r["setting"] == "batch 16")
    for r in results:
        r["ratio_to_batch16"] = round(r["chunks_per_s"] / baseline, 2)
    questions = _bench_questions(embedder, args.questions)
    return {"chunks": len(texts), "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
            "results": results, "questions": questions}  # fmt: skip


def _bench_questions(embedder: Any, count: int) -> dict[str, Any]:
    """One question at a time, as users ask: torch against ONNX Runtime, same vectors."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    questions = [item.question for item in load_jsonl(DEFAULT_DATASET)]
    questions = [questions[i % len(questions)] for i in range(count)]
    prompt = embedder.identity.query_prompt
    timings: dict[str, list[float]] = {"torch": [], "onnx": []}
    cosines = []
    for question in questions:
        begun = time.perf_counter()
        by_torch = embedder.model.encode([prompt + question], normalize_embeddings=True)
        timings["torch"].append((time.perf_counter() - begun) * 1000)
        begun = time.perf_counter()
        by_onnx = embedder.onnx_encoder.encode([prompt + question])
        timings["onnx"].append((time.perf_counter() - begun) * 1000)
        cosines.append(float((by_torch * by_onnx).sum()))
    result: dict[str, Any] = {name: _percentiles(values) for name, values in timings.items()}
    result["p50_ratio_torch_to_onnx"] = round(
        result["torch"]["p50_ms"] / result["onnx"]["p50_ms"], 2
    )
    result["min_cosine"] = round(min(cosines), 6)
    result["questions"] = count
    return result


class _GivenVectors:
    """Query vectors computed ahead, so that a timed search leaves the encoder out."""

    def __init__(self, embedder: Any, questions: Sequence[str], expand: Callable[[str], Any]
                 ) -> None:  # fmt: skip
        self.identity = embedder.identity
        texts = set(questions)
        for question in questions:
            expansion = expand(question)
            if expansion is not None and expansion.terms:
                texts.add(expansion.query_text())
        ordered = sorted(texts)
        self.vectors = dict(zip(ordered, embedder.embed_queries(ordered), strict=True))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors computed ahead."""
        return np.stack([self.vectors[text] for text in texts])


def bench_query(args: argparse.Namespace) -> dict[str, Any]:
    """Load time, memory and per-stage latencies on an existing index."""
    from qa.pipeline import Pipeline

    rss_before = rss_mb()
    started = time.perf_counter()
    pipeline = Pipeline.load(args.index, verify=not args.no_verify, fusion=FUSIONS[args.fusion])
    load_seconds = time.perf_counter() - started
    rss_loaded, anon_loaded = rss_mb(), rss_mb(field="RssAnon")
    questions = [item.question for item in load_jsonl(DEFAULT_DATASET)]
    questions = [questions[i % len(questions)] for i in range(args.questions)]
    retriever = pipeline.retriever
    timings: dict[str, list[float]] = {
        "encode": [], "dense": [], "bm25": [], "hybrid": [], "hybrid_given_vector": [], "ask": []
    }  # fmt: skip
    embedder = retriever.embedder
    given = _GivenVectors(embedder, questions, retriever.expand)

    def search_given(question: str) -> Any:
        retriever.embedder = given
        try:
            return retriever.search(question, 5, mode="hybrid")
        finally:
            retriever.embedder = embedder

    stages: dict[str, Callable[[str], Any]] = {
        "encode": lambda q: embedder.embed_queries([q]),
        "dense": lambda q: retriever.search(q, 5, mode="dense"),
        "bm25": lambda q: retriever.search(q, 5, mode="bm25"),
        "hybrid": lambda q: retriever.search(q, 5, mode="hybrid"),
        "hybrid_given_vector": search_given,
        "ask": lambda q: pipeline.ask(q),
    }
    by_language: dict[str, list[float]] = {"ask_english": [], "ask_chinese": []}
    for name, stage in stages.items():
        for question in questions:
            begun = time.perf_counter()
            stage(question)
            timings[name].append((time.perf_counter() - begun) * 1000)
            if name == "ask":
                language = "ask_english" if is_english(question) else "ask_chinese"
                by_language[language].append(timings[name][-1])
    # English questions read a longer (bilingual) question and search more terms
    timings |= {name: values for name, values in by_language.items() if values}
    return {
        "index": str(args.index), "chunks": len(pipeline.snapshot.chunks),
        "articles": len(pipeline.snapshot.articles), "fusion": args.fusion,
        "faiss": pipeline.snapshot.manifest["faiss"]["factory"],
        "index_mb": round(_size_mb(args.index), 1),
        "load_seconds": round(load_seconds, 2), "verified": not args.no_verify,
        "rss_mb_after_load": round(rss_loaded, 0),
        "rss_mb_load_delta": round(rss_loaded - rss_before, 0),
        "rss_anon_mb_after_load": round(anon_loaded, 0),
        "rss_mb_after_questions": round(rss_mb(), 0),
        "rss_anon_mb_after_questions": round(rss_mb(field="RssAnon"), 0),
        "rss_file_mb_after_questions": round(rss_mb(field="RssFile"), 0),
        **{name: _percentiles(values) for name, values in timings.items()},
    }  # fmt: skip


def _synthetic(count: int, dimension: int, seed: int) -> np.ndarray:
    """Unit vectors around 1,000 random centres (clustered, like real embeddings)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((1000, dimension)).astype(np.float32)
    vectors = centres[rng.integers(0, 1000, count)] + 0.8 * rng.standard_normal(
        (count, dimension)
    ).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def bench_faiss(args: argparse.Namespace) -> dict[str, Any]:
    """Recall@10 against exact search, build time and latency per index type."""
    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    if args.index:
        from qa.indexing.store import load_snapshot

        snapshot = load_snapshot(args.index, verify=False)
        vectors = np.vstack(
            [snapshot.vectors.index.reconstruct(int(i)) for i in snapshot.vector_ids]
        )
        source = f"real: {args.index}"
    else:
        vectors = _synthetic(args.vectors, 384, args.seed)
        source = f"synthetic: {args.vectors} clustered unit vectors"
    rng = np.random.default_rng(args.seed + 1)
    if args.index:
        # Real questions against real chunks: the neighbours a user's question has.
        from qa.encoders.embedding import make_embedder

        questions = sorted({item.question for item in load_jsonl(DEFAULT_DATASET)})
        queries = make_embedder().embed_queries(questions)
        query_source = f"{len(questions)} benchmark questions, embedded"
    else:
        queries = vectors[rng.choice(len(vectors), args.queries, replace=False)]
        queries = queries + 0.05 * rng.standard_normal(queries.shape).astype(np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        query_source = f"{args.queries} index vectors plus noise"
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    results = []
    for factory in args.factories.split(";"):
        index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
        ef_construction = None
        if isinstance(index, faiss.IndexHNSW):
            if args.ef_construction:
                index.hnsw.efConstruction = args.ef_construction
            ef_construction = index.hnsw.efConstruction
        started = time.perf_counter()
        if not index.is_trained:
            sample = vectors[rng.choice(len(vectors), min(len(vectors), 100_000), replace=False)]
            index.train(sample)
        index.add(vectors)
        build_seconds = time.perf_counter() - started
        for knob, value in _search_settings(factory):
            if knob:
                faiss.ParameterSpace().set_index_parameter(index, knob, value)
            latencies = []
            found = []
            for query in queries:
                begun = time.perf_counter()
                _, ids = index.search(query[None, :], 10)
                latencies.append((time.perf_counter() - begun) * 1000)
                found.append(ids[0])
            pairs = list(zip(found, truth, strict=True))
            recall = np.mean([len(set(f) & set(t)) / 10 for f, t in pairs])
            same_top1 = np.mean([f[0] == t[0] for f, t in pairs])
            results.append({
                "factory": factory, "search": f"{knob}={value}" if knob else "-",
                "ef_construction": ef_construction,
                "build_seconds": round(build_seconds, 1), "recall@10": round(float(recall), 3),
                "same_top1": round(float(same_top1), 3), **_percentiles(latencies),
            })  # fmt: skip
        del index
    return {"vectors": len(vectors), "source": source, "queries": query_source, "results": results}


def _search_settings(factory: str) -> list[tuple[str, int]]:
    if factory.startswith("HNSW"):
        return [("efSearch", ef) for ef in (32, 64, 128, 256, 512)]
    if factory.startswith("IVF"):
        return [("nprobe", 8), ("nprobe", 16), ("nprobe", 64)]
    return [("", 0)]


def bench_add(args: argparse.Namespace) -> dict[str, Any]:
    """Add N articles the index does not hold to a copy of it; check consistency."""
    from qa.encoders.embedding import make_embedder
    from qa.indexing.build import add_articles, remove_articles
    from qa.indexing.store import load_snapshot, read_manifest
    from qa.ingest import read_articles

    manifest = read_manifest(args.index)
    held = manifest["counts"]["articles"]
    pool = read_articles([args.news], fmt="crud", limit=held + args.articles + 100).articles
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "index"
        shutil.copytree(args.index, copy, ignore=shutil.ignore_patterns(".lock"))
        existing = set(load_snapshot(copy, verify=False).articles)
        new = [a for a in pool if a.id not in existing][: args.articles]
        removed: dict[str, Any] = {}
        if len(new) < args.articles:
            # The index already holds the whole corpus: take N of its articles out first
            # (timed too), then add them back as the new ones.
            new = [a for a in pool if a.id in existing][-args.articles :]
            started = time.perf_counter()
            report = remove_articles(copy, [a.id for a in new])
            removed = {
                "removed_first": report.articles_removed,
                "remove_seconds": round(time.perf_counter() - started, 1),
                "remove_stage_seconds": {k: round(v, 1) for k, v in report.seconds.items()},
            }
        embedder = make_embedder(manifest["embedding"]["model"])
        started = time.perf_counter()
        report = add_articles(copy, new, embedder, progress=True)
        seconds = time.perf_counter() - started
        verified_started = time.perf_counter()
        snapshot = load_snapshot(copy, verify=True)
        verify_seconds = time.perf_counter() - verified_started
    return {
        "index_articles_before": held, "articles_added": report.articles_added,
        "chunks_added": report.chunks_added, "seconds": round(seconds, 1),
        "stage_seconds": {k: round(v, 1) for k, v in report.seconds.items()},
        "articles_after": len(snapshot.articles), "chunks_after": len(snapshot.chunks),
        "verified_consistent_seconds": round(verify_seconds, 1),
        "peak_rss_mb": round(_peak_rss_mb()),
        **removed,
    }  # fmt: skip


class StandInEmbedder:
    """Cached e5 vectors where the cache has them, stand-in vectors for the rest.

    A stand-in is the normalised vector of a randomly chosen cached passage plus Gaussian
    noise (cosine ≈ 0.9 to it), so the stand-ins have the real vectors' geometry, which is
    what FAISS's speed depends on. Answers from such an index are only right for passages
    with real vectors; it exists to measure load time, memory and latency at full size.
    """

    def __init__(self, cache_root: Path, seed: int) -> None:
        from qa.encoders.embedding import make_embedder
        from qa.indexing.vector_cache import VectorCache

        self.identity = make_embedder().identity
        self.cache = VectorCache(cache_root, self.identity)
        self.rng = np.random.default_rng(seed)
        self.real = 0
        self.synthetic = 0

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Cached vectors, or stand-ins; never the encoder."""
        from qa.indexing.vector_cache import passage_digests

        if len(self.cache) == 0:
            raise SystemExit("the vector cache is empty: run the full build with --vector-cache")
        known = self.cache.digests()
        vectors = np.empty((len(texts), self.identity.dimension), np.float32)
        for row, digest in enumerate(passage_digests(texts, self.identity.passage_prompt)):
            if digest in self.cache:
                vectors[row] = self.cache.get(digest)
                self.real += 1
            else:
                base = self.cache.get(known[int(self.rng.integers(len(known)))])
                noisy = base + self.rng.normal(0.0, 0.025, base.shape)
                vectors[row] = noisy / np.linalg.norm(noisy)
                self.synthetic += 1
        return vectors

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Not used: a build embeds no questions."""
        raise NotImplementedError("the stand-in embedder only builds indexes")


def bench_standin(args: argparse.Namespace) -> dict[str, Any]:
    """Build the stand-in full-size index (see ``StandInEmbedder``) into --index."""
    from qa.indexing.build import build_index
    from qa.ingest import read_articles

    articles = read_articles([args.news], fmt="crud", limit=args.articles).articles
    embedder = StandInEmbedder(args.vector_cache, args.seed)
    started = time.perf_counter()
    report = build_index(args.index, articles, embedder, force=True, progress=True)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    result = {
        "index": str(args.index), "articles": len(articles), "chunks": report.chunks_total,
        "real_vectors": embedder.real, "synthetic_vectors": embedder.synthetic,
        "faiss": report.manifest["faiss"]["factory"], "build_seconds": round(seconds, 1),
        "stage_seconds": {k: round(v, 1) for k, v in report.seconds.items()},
        "index_mb": round(_size_mb(args.index), 1),
    }  # fmt: skip
    (args.index / "STANDIN.json").write_text(json.dumps(result, indent=2), "utf-8")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run one benchmark verb and print its JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m eval.bench", description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )  # fmt: skip
    parser.add_argument("verb", choices=("build", "encoder", "query", "faiss", "add", "standin"))
    parser.add_argument("--news", type=Path, default=CRUD_CORPUS)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--no-verify", action="store_true", help="query: skip checksums at load")
    parser.add_argument("--fusion", choices=tuple(FUSIONS), default="default",
                        help="query: the fusion of the dense and BM25 lists (qa.retrieval.fusion)")
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--factories", default="Flat;HNSW32;IVF1024,PQ48;IVF4096,PQ48")
    parser.add_argument(
        "--ef-construction", type=int, default=0, help="faiss: HNSW efConstruction (0: faiss's 40)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--vector-cache", type=Path, help="standin: the full build's cache")
    args = parser.parse_args(argv)
    if args.verb in ("query", "add", "standin") and args.index is None:
        parser.error(f"{args.verb} needs --index DIR")
    if args.verb == "standin" and args.vector_cache is None:
        parser.error("standin needs --vector-cache DIR")
    verbs = {"build": bench_build, "encoder": bench_encoder, "query": bench_query,
             "faiss": bench_faiss, "add": bench_add, "standin": bench_standin}  # fmt: skip
    result = verbs[args.verb](args)
    result["cpus"] = os.cpu_count()
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
