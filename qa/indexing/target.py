"""Which storage an index is in: a folder (``Path``) or Milvus (``MilvusLocation``).

Callers that only read an index (the pipeline, the web chat, the benchmark) name it by a
target and never ask which kind it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa.indexing.milvus import MilvusLocation, current_generation, load_milvus_snapshot
from qa.indexing.store import IndexSnapshot, load_snapshot, read_manifest

IndexTarget = Path | MilvusLocation


def open_snapshot(
    target: IndexTarget, *, verify: bool = True, wait: bool = True, client: Any | None = None
) -> IndexSnapshot:
    """The current generation of ``target``, cross-checked (a folder's checksums too, on a
    second thread with ``wait=False``); ``client``: an open Milvus client to reuse."""
    if isinstance(target, MilvusLocation):
        return load_milvus_snapshot(target, client=client)
    return load_snapshot(target, verify=verify, wait=wait)


def generation_of(target: IndexTarget, client: Any | None = None) -> str:
    """The name of ``target``'s current generation (folder or collection); ``client``: an
    open Milvus client to ask (a new one is made without it)."""
    if isinstance(target, MilvusLocation):
        return current_generation(target, client)
    return str(read_manifest(target)["generation"])


def describe(target: IndexTarget) -> str:
    """``target`` as reports show it (never a Milvus token)."""
    return target.display() if isinstance(target, MilvusLocation) else str(target)
