"""Fusing the dense and BM25 lists into one ranking.

Two methods: weighted reciprocal rank (a row scores Σ weight / (rrf_k + rank)) and a convex
combination of each list's scores after putting them on one scale (min-max, share of the
top, or z-score), a row missing from a list counting as that list's floor. A question that
names something exactly (a number, Latin letters, a quoted title, a person, place or
organisation) may lean to BM25 by ``lean``.

The default was chosen by ``python -m eval.retrieval`` on the dev parts of five open-mode
sets (the page, CMRC 2018 train, DRCD, CMRC 2018 trial and XQuAD-zh questions among 32,694
chunks with 5,000 news articles; BENCHMARKS.md, "Retrieval beyond the page"). Evidence R@1,
mean of the five test parts:

=====================================================  ========
fusion                                                 test R@1
=====================================================  ========
dense only                                             0.739
BM25 only                                              0.832
plain RRF(60)                                          0.823
weighted RRF dense 0.5 + BM25 2, k 10 (until 12-01)    0.833
**convex, z-scores, dense 0.4 + BM25 0.6 (default)**   **0.862**
=====================================================  ========
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from qa.tokens import tagged

Method = Literal["rrf", "convex", "milvus-rrf", "milvus-weighted"]
"""``milvus-*``: Milvus's own ``hybrid_search`` rankers (RRFRanker, WeightedRanker) on the
Milvus backend, compared with ours in BENCHMARKS.md ("Milvus backend")."""
Normalisation = Literal["minmax", "max", "zscore"]
Ranked = tuple[np.ndarray, np.ndarray]
"""Rows and their scores, best first."""

_EXACT = re.compile(r"[0-9A-Za-z]|[《》“”\"「」『』]")
_NAME_FLAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})


@dataclass(frozen=True, slots=True)
class FusionConfig:
    """How the lists are fused, and how deep each goes."""

    method: Method = "convex"
    dense_weight: float = 0.4
    lexical_weight: float = 0.6
    translated_weight: float = 0.5
    """English questions only: dense search with their Chinese rendering."""
    rrf_k: float = 10.0
    """RRF only."""
    candidates: int = 50
    """How deep each retriever's list goes before fusion."""
    normalisation: Normalisation = "zscore"
    """Convex only: how each list's scores are put on one scale."""
    lean: float = 0.0
    """Share of the dense weight moved to BM25 for questions that name something exactly."""
    cover_depth: int = 50
    """English questions in hybrid mode only: the fused list's top rows re-ranked by how
    many of the question's rendered words and numbers each holds
    (``qa.retrieval.crosslingual.rendered_cover``), ties in fused order; 0 leaves the fused
    order."""

    def __post_init__(self) -> None:
        if self.method not in ("rrf", "convex", "milvus-rrf", "milvus-weighted"):
            raise ValueError(f"unknown fusion {self.method!r}: use rrf, convex, milvus-rrf or "
                             "milvus-weighted")  # fmt: skip
        if self.normalisation not in ("minmax", "max", "zscore"):
            raise ValueError(f"unknown normalisation {self.normalisation!r}: use minmax, max "
                             "or zscore")  # fmt: skip
        if not 0.0 <= self.lean <= 1.0:
            raise ValueError(f"lean={self.lean} must be between 0 and 1")
        if self.cover_depth < 0:
            raise ValueError(f"cover_depth={self.cover_depth} must be 0 or more")

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain values (for manifests and reports)."""
        return asdict(self)

    def describe(self) -> str:
        """A short human description, e.g. for benchmark tables."""
        if self.method == "milvus-rrf":
            return f"Milvus RRFRanker(k {self.rrf_k:g}), {self.candidates} deep"
        if self.method == "milvus-weighted":
            return (f"Milvus WeightedRanker (dense {self.dense_weight:g}, BM25 "
                    f"{self.lexical_weight:g}, norm_score), {self.candidates} deep")
        if self.method == "rrf":
            text = (f"weighted RRF (dense {self.dense_weight:g}, BM25 {self.lexical_weight:g}, "
                    f"k {self.rrf_k:g}), {self.candidates} deep")  # fmt: skip
        else:
            text = (f"convex, {self.normalisation}-normalised, dense {self.dense_weight:g} + "
                    f"BM25 {self.lexical_weight:g}, {self.candidates} deep")  # fmt: skip
        return text + (f", lean {self.lean:g}" if self.lean else "")


DEFAULT_FUSION = FusionConfig()
FUSIONS = {
    "default": DEFAULT_FUSION,
    "rrf-2026-11": FusionConfig(
        method="rrf", dense_weight=0.5, lexical_weight=2.0, translated_weight=1.0, rrf_k=10.0
    ),
    "milvus-rrf": FusionConfig(method="milvus-rrf", rrf_k=60.0),
    "milvus-weighted": FusionConfig(method="milvus-weighted"),
}
"""Named settings for comparisons: the default, the weighted RRF shipped until 2026-12-01
(tuned on the page's own questions), and Milvus's two rankers (``--backend milvus`` only;
RRF with Milvus's default k of 60)."""


def question_leans_lexical(question: str) -> bool:
    """Whether a question names something BM25 matches exactly: a digit, Latin letters, a
    quoted string, or a word jieba tags as a person, place, organisation or other name."""
    if _EXACT.search(question):
        return True
    return any(flag in _NAME_FLAGS and len(word) >= 2 for word, flag, _ in tagged(question))


def weighted_rrf(rankings: Sequence[tuple[np.ndarray, float]], rrf_k: float) -> dict[int, float]:
    """Fuse ranked lists of rows: each row gets Σ weight / (rrf_k + rank), rank from 1."""
    fused: dict[int, float] = {}
    for rows, weight in rankings:
        for rank, row in enumerate(rows.tolist(), start=1):
            fused[row] = fused.get(row, 0.0) + weight / (rrf_k + rank)
    return fused


def normalised(scores: np.ndarray, how: Normalisation) -> tuple[np.ndarray, float]:
    """The scores on a common scale, and the value a row missing from the list gets (never
    above the list's lowest). ``max`` of a list with no positive score falls back to
    ``minmax``."""
    if len(scores) == 0:
        return scores.astype(np.float64), 0.0
    values = scores.astype(np.float64)
    if how == "max" and values.max() > 0:
        scaled = values / values.max()
        return scaled, min(0.0, float(scaled.min()))  # a cosine may be negative
    if how == "zscore":
        spread = values.std()
        z = (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)
        return z, float(z.min())
    low, high = values.min(), values.max()
    return ((values - low) / (high - low) if high > low else np.ones_like(values)), 0.0


def convex(rankings: Sequence[tuple[Ranked, float]], how: Normalisation) -> dict[int, float]:
    """Fuse scored lists: each row gets Σ weight · (its normalised score − the list's floor),
    a row absent from a list getting the floor. Measured from the floors, a fused score is
    never negative, so readers can take it relative to the top hit's."""
    fused: dict[int, float] = {}
    for (rows, scores), weight in rankings:
        if weight == 0 or len(rows) == 0:
            continue
        values, floor = normalised(scores, how)
        for row, value in zip(rows.tolist(), values.tolist(), strict=True):
            fused[row] = fused.get(row, 0.0) + weight * (value - floor)
    return fused


def fused_scores(
    dense: Ranked, lexical: Ranked, config: FusionConfig, *, translated: Ranked | None = None,
    lean_lexical: bool = False,
) -> list[tuple[int, float]]:  # fmt: skip
    """Rows of the fused ranking with their fused scores, best first (ties by row)."""
    if config.method.startswith("milvus"):
        raise ValueError(f"{config.method} is fused inside Milvus (SearchBackend.hybrid)")
    dense_weight, lexical_weight = config.dense_weight, config.lexical_weight
    if lean_lexical and config.lean:
        moved = dense_weight * config.lean
        dense_weight, lexical_weight = dense_weight - moved, lexical_weight + moved
    lists = [(dense, dense_weight), (lexical, lexical_weight)]
    if translated is not None:
        lists.append((translated, config.translated_weight))
    scores = (
        weighted_rrf([(rows, weight) for (rows, _), weight in lists], config.rrf_k)
        if config.method == "rrf"
        else convex(lists, config.normalisation)
    )
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def fuse(
    dense: Ranked,
    lexical: Ranked,
    config: FusionConfig,
    *,
    translated: Ranked | None = None,
    lean_lexical: bool = False,
) -> list[int]:
    """Rows of the fused ranking, best first (ties by row)."""
    ranked = fused_scores(dense, lexical, config, translated=translated, lean_lexical=lean_lexical)
    return [row for row, _ in ranked]
