"""FAISS inner-product index over normalised vectors, addressed by stable int64 ids.

Any FAISS factory string works ("Flat", "HNSW32", "IVF256,PQ32x8", ...); the index is
wrapped in an IndexIDMap2 so that chunks keep their ids when rows are added or removed.

A flat index drops removed rows. HNSW cannot delete from its graph, and rebuilding it
takes a minute at 250k vectors (BENCHMARKS.md, "Writes at 60k"), so an approximate index
keeps a removed row and hides it from every search; once hidden rows would exceed
``MAX_HIDDEN_SHARE`` of the index, it is rebuilt from the rows still served.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from qa.errors import UsageError

HNSW_EF_SEARCH = 128
"""Full news index (246,642 chunks), real questions: recall@10 0.855 at 0.85 ms.

256 reaches 0.925 at 1.6 ms but leaves hybrid retrieval's EM and R@1 unchanged end to end
(BENCHMARKS.md, "FAISS index types").
"""
IVF_NPROBE = 16
MAX_HIDDEN_SHARE = 0.2
"""Hidden (removed) rows an approximate index keeps before ``without`` rebuilds it: they
cost their memory and a set lookup per candidate a search visits."""


def _float32(vectors: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(vectors, dtype=np.float32)


def search_on_one_thread() -> None:
    """Make FAISS single-threaded in this process: for serving one question at a time.

    One query gains nothing from FAISS's OpenMP threads (Flat, 40k vectors: 5.5 ms on one
    thread, 5.3 on two), but their pool, waking next to the query encoder's and the
    reader's, made encode + search 36 ms instead of 15 on 2 cores.
    """
    faiss.omp_set_num_threads(1)


class VectorIndex:
    """A FAISS index plus the factory string that made it, and the ids it hides."""

    def __init__(
        self,
        index: faiss.IndexIDMap2,
        factory: str,
        *,
        read_only: bool = False,
        hidden: np.ndarray | None = None,
    ) -> None:
        self.index = index
        self.factory = factory
        self.read_only = read_only
        """Vectors mapped from a file: FAISS aborts the process on an add, so ``add`` refuses."""
        self.hidden = np.unique(np.asarray(hidden if hidden is not None else [], np.int64))
        """Ids of removed rows still in the FAISS index; no search returns them."""
        self._visible: faiss.IDSelector | None = None
        if len(self.hidden):
            hidden_ids = faiss.IDSelectorBatch(self.hidden)
            self._visible = faiss.IDSelectorNot(hidden_ids)
            self._visible_parts = (hidden_ids,)  # FAISS selectors do not own their parts

    @classmethod
    def create(
        cls, factory: str, dimension: int, vectors: np.ndarray, ids: np.ndarray
    ) -> VectorIndex:
        """Build (and train, if the index type needs it) an index of ``vectors``."""
        try:
            inner = faiss.index_factory(dimension, factory, faiss.METRIC_INNER_PRODUCT)
        except RuntimeError as exc:
            raise UsageError(
                f"FAISS factory string {factory!r} is not valid ({str(exc).splitlines()[0]}): "
                "try Flat, HNSW32 or IVF256,PQ32x8"
            ) from exc
        if not inner.is_trained:
            nlist = (
                getattr(faiss.try_extract_index_ivf(inner), "nlist", 0) if "IVF" in factory else 0
            )
            needed = max(nlist, 256 if "PQ" in factory else 1)
            if len(vectors) < needed:
                raise UsageError(
                    f"{factory} needs at least {needed} vectors to train, the corpus has "
                    f"{len(vectors)} chunks: use --faiss Flat for a corpus this small"
                )
            inner.train(_float32(vectors))
        index = cls(faiss.IndexIDMap2(inner), factory)
        index.add(vectors, ids)
        return index

    @property
    def ntotal(self) -> int:
        """Number of vectors served (hidden rows excluded)."""
        return int(self.index.ntotal) - len(self.hidden)

    @property
    def rows(self) -> int:
        """Number of rows in the FAISS index, hidden ones included."""
        return int(self.index.ntotal)

    @property
    def dimension(self) -> int:
        """Vector dimension."""
        return int(self.index.d)

    def ids(self) -> np.ndarray:
        """The ids served, in row order."""
        ids = self.row_ids()
        return ids[~np.isin(ids, self.hidden)] if len(self.hidden) else ids

    def row_ids(self) -> np.ndarray:
        """The ids of every FAISS row, hidden ones included, in row order."""
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def hiding(self, ids: np.ndarray) -> VectorIndex:
        """This index (the same FAISS object) with ``ids`` hidden as well; for loading."""
        return VectorIndex(
            self.index,
            self.factory,
            read_only=self.read_only,
            hidden=np.concatenate([self.hidden, np.asarray(ids, np.int64)]),
        )

    def add(self, vectors: np.ndarray, ids: np.ndarray) -> None:
        """Append vectors with their ids (in place)."""
        if self.read_only:
            raise UsageError(
                "this index's vectors are memory-mapped read-only: load it with "
                "load_snapshot(..., mmap=False) to add to it"
            )
        if len(vectors):
            self.index.add_with_ids(_float32(vectors), np.asarray(ids, np.int64))

    def without(self, ids: np.ndarray) -> VectorIndex:
        """A new index without ``ids``; the remaining rows keep their order.

        Flat: the rows are dropped. Approximate indexes hide them (see the module
        docstring) until hidden rows would pass ``MAX_HIDDEN_SHARE``, then rebuild.
        """
        hidden = np.union1d(self.hidden, np.asarray(ids, np.int64))
        if isinstance(faiss.downcast_index(self.index.index), faiss.IndexFlat):
            # A flat index compacts its rows on removal, which keeps IndexIDMap2 consistent.
            copy = faiss.clone_index(self.index)
            copy.remove_ids(faiss.IDSelectorBatch(hidden))
            return VectorIndex(copy, self.factory)
        if len(hidden) <= MAX_HIDDEN_SHARE * self.rows:
            # A copy (0.3 s at 250k rows), so that adding to the new index leaves this one as is.
            return VectorIndex(faiss.clone_index(self.index), self.factory, hidden=hidden)
        row_ids = self.row_ids()
        keep = ~np.isin(row_ids, hidden)
        vectors = (
            np.vstack([self.index.reconstruct(int(i)) for i in row_ids[keep]])
            if keep.any()
            else (np.zeros((0, self.dimension), np.float32))
        )
        return VectorIndex.create(self.factory, self.dimension, vectors, row_ids[keep])

    def search(
        self, queries: np.ndarray, k: int, allowed_ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the ``k`` nearest rows for each query; id -1 pads missing ones.

        ``allowed_ids`` limits the search to those ids; hidden ids are never returned.
        """
        params = self._search_params(allowed_ids)
        k = max(1, min(k, self.ntotal))
        if params is None:
            scores, ids = self.index.search(_float32(queries), k)
        else:
            scores, ids = self.index.search(_float32(queries), k, params=params)
        return scores, ids

    def _search_params(self, allowed_ids: np.ndarray | None) -> faiss.SearchParameters | None:
        allowed = (
            faiss.IDSelectorBatch(np.asarray(allowed_ids, np.int64))
            if allowed_ids is not None
            else None
        )
        selector = allowed
        if self._visible is not None and allowed is not None:
            selector = faiss.IDSelectorAnd(allowed, self._visible)
        elif self._visible is not None:
            selector = self._visible
        inner = faiss.downcast_index(self.index.index)
        if isinstance(inner, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW()
            params.efSearch = HNSW_EF_SEARCH
        elif faiss.try_extract_index_ivf(inner) is not None:
            params = faiss.SearchParametersIVF()
            params.nprobe = IVF_NPROBE
        elif selector is None:
            return None
        else:
            params = faiss.SearchParameters()
        if selector is not None:
            params.sel = selector
            params._selector = (selector, allowed)  # keep them alive as long as the params
        return params

    def save(self, path: Path) -> None:
        """Write the index to ``path``."""
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, factory: str, *, mmap: bool = False) -> VectorIndex:
        """Read an index written by ``save``.

        ``mmap`` maps the stored vectors from the file instead of copying them into memory
        (read-only: such an index cannot ``add``). An approximate index then pages in only
        the vectors its searches visit.
        """
        flags = faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY if mmap else 0
        index = faiss.read_index(str(path), flags)
        if not isinstance(index, faiss.IndexIDMap2):
            index = faiss.downcast_index(index)
        if not isinstance(index, faiss.IndexIDMap2):
            raise TypeError(f"{path} does not hold an IndexIDMap2")
        return cls(index, factory, read_only=mmap)
