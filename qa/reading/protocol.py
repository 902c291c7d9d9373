"""What every reader is: the ``Reader`` protocol, what it returns and the reasons it gives.

A reader takes the question's analysis (qa.question, made once per question) and the
retrieved hits, and returns a ``Reading``: the best ``Span`` (offsets in its article), its
confidence and the ``Sentence``s it read. The readers (qa.reading.fast, qa.reading.neural,
qa.reading.routed) and the calibrator (qa.reading.calibration) share these types and no
one else's internals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from qa.question import AnswerType, QuestionAnalysis
from qa.types import TEXT_PART, Article, Chunk, Hit

if TYPE_CHECKING:
    from qa.indexing.store import IndexSnapshot

NOTHING_RETRIEVED = "没有检索到任何段落 / nothing was retrieved"
NO_SPAN = "段落中没有所问类型的答案 / no span of the asked kind in the passages"
NOT_CONFIDENT = "阅读器没有把握 / the reader found no confident answer"
TOO_WEAK = "证据不足, 无法确定答案 / the evidence is too weak to answer with confidence"
TYPE_NAMES_ZH = {
    AnswerType.MONEY: "金额", AnswerType.PERCENT: "百分比", AnswerType.COUNT: "数量",
    AnswerType.NUMBER: "数字", AnswerType.ORDINAL: "名次", AnswerType.DATE: "日期",
    AnswerType.PERSON: "人名", AnswerType.PLACE: "地名", AnswerType.ORGANIZATION: "机构名",
    AnswerType.ENTITY: "所问的内容", AnswerType.OTHER: "所问的内容",
}  # fmt: skip
"""Reasons for abstaining, in both languages like every other label the user sees."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a retrieved chunk, with article offsets and its scores."""

    article: Article
    chunk: Chunk
    start: int
    end: int
    text: str
    passage_rank: int
    coverage: float
    """IDF-weighted share of the question's word groups found in the sentence."""
    chunk_coverage: float
    """The same share over the whole chunk around it (context such as the subject)."""
    score: float
    part: str = TEXT_PART
    """``heading``: the article's heading lines (``Article.heading``, matched form), with
    ``start``/``end`` in them, not in the text; ``chunk`` is then the passage it heads."""


@dataclass(frozen=True, slots=True)
class Span:
    """An answer span: offsets in its article, and the sentence it lies in."""

    sentence: Sentence
    start: int
    end: int
    text: str
    kind: AnswerType


@dataclass(frozen=True, slots=True)
class Reading:
    """A reader's result: the best span (or None), its confidence and the evidence read."""

    span: Span | None
    confidence: float
    sentences: tuple[Sentence, ...]
    reason: str
    reader: str = ""
    """Which reader read it ("fast", "neural"): each has its own calibration."""


class Reader(Protocol):
    """Extracts an answer span from retrieved passages."""

    def read(
        self, question: QuestionAnalysis, hits: Sequence[Hit], *, abstain: bool = True
    ) -> Reading:
        """Read ``hits`` for ``question``; with ``abstain=False`` always give the best span."""
        ...

    def threshold(self, english: bool) -> float:
        """Confidence below which this reader abstains."""
        ...

    def for_index(self, snapshot: IndexSnapshot) -> Reader:
        """This reader for another generation of the index (reusing what does not depend
        on it, such as a loaded model)."""
        ...
