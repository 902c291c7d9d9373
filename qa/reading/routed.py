"""The default reader: the neural reader for both languages, an English question read with
a rough Chinese rendering after it (``qa.question.bilingual_question``).

The neural reader was fine-tuned on Chinese questions only. Given an English question as it
is, it loses to the fast (rule) reader; given the question followed by its rendered words
and a Chinese question word, it wins, and most at archive scale. EM on the benchmark's 34
English dev questions that are not follow-ups, never abstaining, the neural reader's own
choice before the coverage weighting below (2026-12-02):

===========================================  ==========  ========================
reader                                       page alone  page among 5,000 articles
===========================================  ==========  ========================
fast (the English reader until 2026-12-02)   47.1        32.4
neural, the English question                 38.2        26.5
neural, every rendered term alone            58.8        38.2
**neural, question + rendering**             **58.8**    **50.0**
===========================================  ==========  ========================

The confidence is the neural reader's (its margin over "no answer") times
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

from qa.question import QuestionAnalysis, bilingual_question
from qa.reading.coverage import QuestionCoverage
from qa.reading.fast import FastReader
from qa.reading.neural import Candidate, NeuralReader
from qa.reading.protocol import Reading
from qa.types import Hit

if TYPE_CHECKING:
    from qa.indexing.store import IndexSnapshot


NEURAL_ENGLISH = "neural-en"
"""The reader name of the neural reader's readings of English questions."""


@dataclass(frozen=True, slots=True)
class RoutedReaderConfig:
    """Abstention thresholds and how many passages are read."""

    threshold_zh: float = 0.34
    """Calibrated on the benchmark: maximises its answer-or-abstain score."""
    first_passages: int = 2
    """Read this many passages first; the rest (up to the neural reader's) only if needed."""
    sure_enough: float = 0.9
    """A first-round answer this confident ends reading: the rest are not read."""
    neural_english: bool = True
    """English questions go to the neural reader too, with a Chinese rendering
    (``qa.question.bilingual_question``); False sends them to the fast reader."""
    threshold_en: float = 0.34
    """The neural reader's threshold for English questions without the calibrator: the
    Chinese one, not tuned apart (the calibrator's ``neural-en`` threshold is)."""


class RoutedReader:
    """The neural reader for both languages (or fast for English); see the module docstring."""

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
        if not english:
            return self.config.threshold_zh
        return self.config.threshold_en if self.config.neural_english else self.fast.threshold(True)

    def _scored(
        self, question: QuestionAnalysis, asked: QuestionAnalysis, hits: Sequence[Hit]
    ) -> list[tuple[float, Candidate]]:
        """Each passage's best span for ``asked`` (what the model reads), scored by
        confidence × the passage's coverage of ``question``."""
        if not hits:
            return []
        return [
            (candidate.confidence * self.evidence.of(question, candidate.hit.chunk.text)[0],
             candidate)
            for candidate in self.neural.candidates(asked, hits)
        ]  # fmt: skip

    def read(
        self, question: QuestionAnalysis, hits: Sequence[Hit], *, abstain: bool = True
    ) -> Reading:
        """Read with the reader for the question's language."""
        if question.english and not self.config.neural_english:
            return self.fast.read(question, hits, abstain=abstain)
        # The model reads an English question with its rough Chinese rendering after it;
        # coverage and the reasons for abstaining keep the question as asked.
        asked = question
        if question.english:
            asked = replace(question, text=bilingual_question(question))
        # Reading is most of a question's time (≈ 45 ms per passage on 2 cores): the later
        # passages are read only when the first ones hold no sure answer.
        passages = list(hits[: self.neural.config.passages])
        first = min(self.config.first_passages, len(passages))
        scored = self._scored(question, asked, passages[:first])
        if not scored or max(score for score, _ in scored) < self.config.sure_enough:
            scored += self._scored(question, asked, passages[first:])
        if not scored:
            return self.neural.nothing_found(hits)
        confidence, best = max(scored, key=lambda pair: pair[0])
        reading = self.neural.reading(asked, best, confidence, abstain=False)
        if question.english:
            # its scores run lower than on Chinese questions: calibrated apart
            reading = replace(reading, reader=NEURAL_ENGLISH)
        if abstain and confidence < self.threshold(question.english):
            assert reading.span is not None
            why = self.evidence.why_not(question, reading.span.sentence)
            return replace(reading, span=None, reason=why)
        return reading
