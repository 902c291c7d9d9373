"""A cached index of N news articles, reused as distractors by open-mode runs.

Embedding thousands of articles takes long on a CPU, so the base index is built once per
(N, model, chunking) under the model cache and copied for each run.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from qa.config import ChunkingConfig, cache_dir
from qa.encoders.embedding import Embedder
from qa.errors import QAError
from qa.indexing.build import build_index, upgrade_index
from qa.indexing.lexical import Bm25Params
from qa.indexing.store import SCHEMA_VERSION, UPGRADABLE_SCHEMAS, read_manifest
from qa.ingest import read_articles


def distractor_index(news: Path, count: int, embedder: Embedder) -> Path:
    """Index of the first ``count`` articles of the CRUD corpus ``news`` (cached)."""
    folder = cache_dir() / "distractors" / f"crud-{count}"
    wanted = {
        "embedding": embedder.identity.to_dict(),
        "chunking": asdict(ChunkingConfig()),
        "bm25": asdict(Bm25Params()),
    }
    if (folder / "manifest.json").exists():
        if read_manifest(folder, schemas=(*UPGRADABLE_SCHEMAS, SCHEMA_VERSION))[
            "schema_version"
        ] in UPGRADABLE_SCHEMAS:
            try:
                upgrade_index(folder)  # the printed text, read again; the vectors are kept
            except QAError:
                build_index(folder, read_articles([news], fmt="crud", limit=count).articles,
                            embedder, force=True, progress=True)  # fmt: skip
        manifest = read_manifest(folder)
        current = {
            "embedding": manifest["embedding"],
            "chunking": manifest["chunking"],
            "bm25": manifest["lexical"]["params"],
        }
        if current == wanted and manifest["counts"]["articles"] == count:
            return folder
    articles = read_articles([news], fmt="crud", limit=count).articles
    build_index(folder, articles, embedder, force=True, progress=True)
    return folder
