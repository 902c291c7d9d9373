"""The default reader: the neural reader for Chinese questions, the fast one for English.

Measured on the benchmark (shipped index, hybrid retrieval, each reader abstaining): the neural
reader reaches EM 75 on Chinese questions against the fast reader's 57, but only 11 on
English ones against 46 (it was fine-tuned on Chinese questions only). Each question goes
to the reader that answers its language best.

For Chinese the confidence is the neural reader's (its margin over "no answer") times
how much of the question the answer's passage covers (IDF-weighted): the model's own
no-answer score rarely says "not in the text" (it was trained on answerable questions
only), while a passage that lacks the question's words usually does. The same product
picks among the passages' best spans, so that a confident span in a passage about another
project ("总投资约5.1亿元" for a question naming 宏达电子) loses to the passage that names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qa.question import QuestionAnalysis
from qa.reading.coverage import QuestionCoverage
from qa.reading.fast import FastReader
from qa.reading.neural import Candidate, NeuralReader
from qa.reading.protocol import Reading
from qa.types import Hit

if TYPE_CHECKING:
    from qa.indexing.store import IndexSnapshot


@dataclass(frozen=True, slots=True)
class RoutedReaderConfig:
    """Abstention threshold for Chinese (English uses the fast reader's)."""

    threshold_zh: float = 0.34
    """Calibrated on the benchmark: maximises its answer-or-abstain score."""
    first_passages: int = 2
    """Read this many passages first; the rest (up to the neural reader's) only if needed."""
    sure_enough: float = 0.9
    """A first-round answer this confident ends reading: the rest are not read."""


class RoutedReader:
    """Neural for Chinese, fast for English; see the module docstring."""

    def __init__(
        self,
        neural: NeuralReader,
        fast: FastReader,
        evidence: QuestionCoverage,
        config: RoutedReaderConfig | None = None,
    ) -> None:
        """``evidence`` weighs the neural reader's spans by their passage's coverage of the
        question (the same measure as the fast reader's, over the same index)."""
        self.neural = neural
        self.fast = fast
        self.evidence = evidence
        self.config = config or RoutedReaderConfig()

    @classmethod
    def from_index(
        cls, neural: NeuralReader, snapshot: IndexSnapshot, config: RoutedReaderConfig | None = None
    ) -> RoutedReader:
        """The routed reader over ``snapshot``: its fast half and its evidence use the
        index's IDF table."""
        return cls(neural, FastReader.from_index(snapshot), QuestionCoverage.from_index(snapshot),
                   config)  # fmt: skip

    def for_index(self, snapshot: IndexSnapshot) -> RoutedReader:
        """The same neural model; the fast half and the evidence with the new generation's
        IDF table."""
        return RoutedReader(self.neural, self.fast.for_index(snapshot),
                            QuestionCoverage.from_index(snapshot), self.config)  # fmt: skip

    def threshold(self, english: bool) -> float:
        """Confidence below which the reader abstains."""
        return self.fast.threshold(True) if english else self.config.threshold_zh

    def _scored(
        self, question: QuestionAnalysis, hits: Sequence[Hit]
    ) -> list[tuple[float, Candidate]]:
        """Each passage's best span, scored by confidence × the passage's question coverage."""
        if not hits:
            return []
        return [
            (candidate.confidence * self.evidence.of(question, candidate.hit.chunk.text)[0],
             candidate)
            for candidate in self.neural.candidates(question, hits)
        ]  # fmt: skip

    def read(
        self, question: QuestionAnalysis, hits: Sequence[Hit], *, abstain: bool = True
    ) -> Reading:
        """Read with the reader for the question's language."""
        if question.english:
            return self.fast.read(question, hits, abstain=abstain)
        # Reading is most of a question's time (≈ 45 ms per passage on 2 cores): the later
        # passages are read only when the first ones hold no sure answer.
        passages = list(hits[: self.neural.config.passages])
        first = min(self.config.first_passages, len(passages))
        scored = self._scored(question, passages[:first])
        if not scored or max(score for score, _ in scored) < self.config.sure_enough:
            scored += self._scored(question, passages[first:])
        if not scored:
            return self.neural.nothing_found(hits)
        confidence, best = max(scored, key=lambda pair: pair[0])
        reading = self.neural.reading(question, best, confidence, abstain=False)
        if abstain and confidence < self.config.threshold_zh:
            assert reading.span is not None
            why = self.evidence.why_not(question, reading.span.sentence)
            return replace(reading, span=None, reason=why)
        return reading
