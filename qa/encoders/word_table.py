"""The encoder's word-embedding table, memory-mapped instead of held in memory.

In multilingual-e5-small the table is 250,037 × 384 floats: 384 MB of a 470 MB model,
of which a question touches a few dozen rows. The ONNX query encoder looks words up in a
``.npy`` copy in the cache, memory-mapped: only the rows in use become resident, and the
operating system shares those pages between processes. (Swapping the same map into the
torch reader saved no memory, as torch kept its own copy, and slowed reading from 93 to
123 ms: not done.)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from qa.config import cache_dir
from qa.errors import ModelError

_SUFFIX = "word_embeddings.weight"


def word_table_path(fingerprint: str) -> Path:
    """Where the table of the model with this fingerprint is kept."""
    return cache_dir() / "word-tables" / f"{fingerprint}.npy"


def word_table(folder: Path, fingerprint: str) -> np.ndarray:
    """The word-embedding table of the model in ``folder``, memory-mapped.

    Written once from the folder's ``model.safetensors``; later calls only map it. The map
    is copy-on-write (torch wants writable arrays); nothing ever writes to the file.
    """
    from qa.encoders.provision import file_lock

    path = word_table_path(fingerprint)
    if not path.is_file():
        with file_lock(path.with_suffix(".lock")):
            if not path.is_file():
                _write(folder / "model.safetensors", path)
    try:
        table = np.load(path, mmap_mode="c")
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} is unreadable ({exc}): delete it to write it again") from exc
    if table.ndim != 2 or table.dtype != np.float32:
        raise ModelError(f"{path} holds {table.dtype} {table.shape}, not a float32 table: "
                         "delete it to write it again")  # fmt: skip
    return table


def _write(weights: Path, path: Path) -> None:
    from safetensors import safe_open

    try:
        with safe_open(str(weights), framework="numpy") as tensors:
            names = [name for name in tensors.keys() if name.endswith(_SUFFIX)]  # noqa: SIM118
            if len(names) != 1:
                raise ModelError(f"{weights} has {len(names)} tensors named *{_SUFFIX}, not one")
            table = np.ascontiguousarray(tensors.get_tensor(names[0]), dtype=np.float32)
    except OSError as exc:
        raise ModelError(f"cannot read {weights}: {exc}") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npy", delete=False) as handle:
        np.save(handle, table)
    os.replace(handle.name, path)
