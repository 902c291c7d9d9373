"""``python -m eval.loadtest``: many concurrent users against the web chat's API.

Starts ``app.py`` on a free loopback port, then:

1. load: ``--clients`` threads (default 20), each with its own gradio_client, ask benchmark
   questions through ``/ask`` for ``--seconds`` (default 120); reports requests, errors,
   p50/p95 latency and the server's memory (RSS) before and after;
2. overload: restarts the app with a queue of ``--queue`` places (default 4) and fires
   ``--burst`` simultaneous questions (default 40); the ones beyond the bound must be
   refused with a message, and the server must still answer afterwards.

Loopback only, bounded in time and count. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eval.bench import rss_mb
from eval.datasets import DEFAULT_DATASET, load_jsonl
from eval.metrics import percentiles

ROOT = Path(__file__).resolve().parent.parent
RSS_EVERY = 10.0
"""Seconds between samples of the server's memory during the load phase."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(
    index: Path | None, queue_size: int | None = None, backend: Sequence[str] = ()
) -> Iterator[tuple[str, int]]:
    """Start app.py on a free loopback port (``backend``: its --backend milvus arguments);
    yield (url, pid); stop it afterwards."""
    port = _free_port()
    env = {**os.environ, "QA_HOST": "127.0.0.1", "QA_PORT": str(port)}
    if queue_size is not None:
        env["QA_QUEUE_SIZE"] = str(queue_size)
    command = [sys.executable, str(ROOT / "app.py"), *backend] + (
        ["--index", str(index)] if index else []
    )
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 600
        while True:
            if process.poll() is not None:
                raise RuntimeError("app.py exited before serving")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("app.py did not start in 10 minutes") from None
                time.sleep(0.5)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


def load_phase(
    url: str, pid: int, clients: int, seconds: float, questions: Sequence[str]
) -> dict[str, Any]:
    """``clients`` users asking for ``seconds``; latency, errors and memory."""
    from gradio_client import Client

    rss_before = rss_mb(pid)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    started_at = time.monotonic()
    stop_at = started_at + seconds
    series: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        # The server's RSS every RSS_EVERY seconds: whether growth levels off or keeps on.
        while not done.wait(RSS_EVERY):
            series.append((round(time.monotonic() - started_at), round(rss_mb(pid), 1)))

    def user(seed: int) -> None:
        client = Client(url, verbose=False)
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                result = client.predict(rng.choice(questions), [], 5, api_name="/ask")
                assert "answer" in result and "citations" in result
            except Exception as exc:  # every failure is counted and reported
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    sampler.join()
    spread = percentiles(latencies)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "error_samples": errors[:5],
        "throughput_per_s": round(len(latencies) / seconds, 2),
        "p50_ms": round(spread["p50"], 1) if latencies else None,
        "p95_ms": round(spread["p95"], 1) if latencies else None,
        "rss_mb_before": round(rss_before, 1),
        "rss_mb_after": round(rss_mb(pid), 1),
        "rss_mb_series": series,
    }


def overload_phase(url: str, burst: int, question: str) -> dict[str, Any]:
    """``burst`` simultaneous questions against a small queue: refusals, then recovery."""
    from gradio_client import Client

    def one(_: int) -> str:
        try:
            Client(url, verbose=False).predict(question, [], 5, api_name="/ask")
        except Exception as exc:
            return f"refused: {exc}"[:200]
        return "answered"

    with ThreadPoolExecutor(burst) as pool:
        outcomes = list(pool.map(one, range(burst)))
    refused = [o for o in outcomes if o != "answered"]
    after = Client(url, verbose=False).predict(question, [], 5, api_name="/ask")
    return {
        "burst": burst,
        "answered": outcomes.count("answered"),
        "refused": len(refused),
        "refusal_messages": sorted(set(refused))[:3],
        "answers_after_burst": after.get("answer") is not None or after.get("abstained") is True,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run both phases; print the figures as JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m eval.loadtest", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--index", type=Path, help="index to serve (default: the shipped index)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--queue", type=int, default=4, help="queue size for the overload phase")
    parser.add_argument("--burst", type=int, default=40)
    parser.add_argument("--backend", choices=("folder", "milvus"), default="folder",
                        help="the storage app.py serves from")  # fmt: skip
    parser.add_argument("--milvus-uri", metavar="URI", help="with --backend milvus")
    parser.add_argument("--collection", metavar="NAME", help="with --backend milvus")
    parser.add_argument("--no-overload", action="store_true", help="the load phase only")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 100 or not 1 <= args.seconds <= 600 or not 1 <= args.burst <= 200:
        parser.error("keep it bounded: 1-100 clients, 1-600 seconds, 1-200 burst")
    questions = [item.question for item in load_jsonl(DEFAULT_DATASET)]
    backend: list[str] = []
    if args.backend == "milvus":
        if not args.milvus_uri:
            parser.error("--backend milvus needs --milvus-uri")
        backend = ["--backend", "milvus", "--milvus-uri", args.milvus_uri]
        backend += ["--collection", args.collection] if args.collection else []
    report: dict[str, Any] = {"backend": args.backend}
    with running_app(args.index, backend=backend) as (url, pid):
        report["load"] = load_phase(url, pid, args.clients, args.seconds, questions)
    if not args.no_overload:
        with running_app(args.index, queue_size=args.queue, backend=backend) as (url, _):
            report["overload"] = {
                "queue_size": args.queue,
                **overload_phase(url, args.burst, questions[0]),
            }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if report["load"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
