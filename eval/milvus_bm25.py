"""``python -m eval.milvus_bm25``: why Milvus's BM25 lists differ from the folder's.

Milvus keeps BM25 statistics (document count, average length, document frequencies) per
segment, where the folder's BM25 has one set for the whole index. This script takes a folder
index and the same index migrated to a Milvus Lite file (``qa migrate``), reads the Lite
file's segment boundaries, and for every benchmark question's BM25 query (with the Chinese
terms of an English one) compares Milvus's top ``-k`` with

- our BM25 over the whole index (what the folder backend serves), and
- our BM25 computed segment by segment, then merged (what Milvus does).

If the second matches Milvus everywhere, the segments are the whole difference. Lite only:
it reads Lite's own manifest (rows are inserted in row order, so segment sequence numbers are
rows + 1). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from eval.datasets import SPLITS, load_jsonl
from qa.encoders.embedding import HashEmbedder
from qa.indexing.lexical import top_rows
from qa.indexing.milvus import MilvusLocation, connect, load_milvus_snapshot, resolve
from qa.indexing.store import load_snapshot
from qa.retrieval.hybrid import HybridRetriever

_SEGMENT = re.compile(r"data_(\d+)_(\d+)\.parquet$")


def segments(location: MilvusLocation) -> list[tuple[int, int]]:
    """Row ranges [start, end) of the Lite collection's segments."""
    collection = resolve(connect(location), location)
    manifest = json.loads((Path(location.uri) / "collections" / collection / "manifest.json")
                          .read_text("utf-8"))  # fmt: skip
    ranges = []
    for partition in manifest["partitions"].values():
        for name in partition["data_files"]:
            match = _SEGMENT.search(name)
            if match:
                ranges.append((int(match[1]) - 1, int(match[2])))
    return sorted(ranges)


def main(argv: Sequence[str] | None = None) -> int:
    """Compare the three BM25 lists for every question of the benchmark's parts."""
    parser = argparse.ArgumentParser(prog="python -m eval.milvus_bm25",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--index", type=Path, required=True, help="the folder index")
    parser.add_argument("--milvus-uri", required=True, help="the same index in Milvus Lite")
    parser.add_argument("--collection", default=None)
    parser.add_argument("-k", type=int, default=20)
    args = parser.parse_args(argv)
    location = MilvusLocation.parse(args.milvus_uri, args.collection)
    folder = load_snapshot(args.index)
    milvus = load_milvus_snapshot(location).search_backend()
    lexical = folder.lexical
    ranges = segments(location)
    parts = []
    for start, end in ranges:
        keep = np.zeros(lexical.size, bool)
        keep[start:end] = True
        parts.append((start, lexical.kept(keep)))
    expander = HybridRetriever(folder, HashEmbedder(8))  # only its English expansion is used
    counts = {"queries": 0, "same_as_global": 0, "same_as_per_segment": 0}
    for split in SPLITS.values():
        for item in load_jsonl(split):
            expansion = expander.expand(item.question)
            query = f"{item.question} {expansion.query_text()}" if expansion else item.question
            rows, _ = milvus.lexical(query, args.k)
            ours, _ = lexical.search(query, args.k)
            scores = np.zeros(lexical.size, np.float32)
            for start, part in parts:
                part_scores = part.scores(query)
                scores[start : start + len(part_scores)] = part_scores
            per_segment, _ = top_rows(scores, args.k)
            counts["queries"] += 1
            counts["same_as_global"] += rows.tolist() == ours.tolist()
            counts["same_as_per_segment"] += rows.tolist() == per_segment.tolist()
    print(json.dumps({"segments": ranges, "k": args.k, **counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
