"""How much of a question a text covers: IDF-weighted word groups, and what is missing.

Every reader and the calibrator measure evidence the same way (qa.reading.fast scores
sentences with it, qa.reading.routed weighs the neural reader's spans by it,
qa.reading.calibration turns it into signals), so it lives here rather than inside one
reader for the others to reach into. The reason an abstention gives is built from the same
measure: the words the closest passage lacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Self

from qa.indexing.lexical import TermIdf
from qa.question import QuestionAnalysis
from qa.reading.protocol import TOO_WEAK, TYPE_NAMES_ZH, Sentence

if TYPE_CHECKING:
    from qa.indexing.store import IndexSnapshot


class QuestionCoverage:
    """The question's word groups, weighed by one index's IDF table."""

    def __init__(self, idf: Mapping[str, float]) -> None:
        """``idf``: term → IDF (an index's ``TermIdf`` or a plain dict); an unknown term
        weighs as much as the rarest known one."""
        self.idf = idf
        # An index's TermIdf knows its highest value without enumerating a million terms.
        self.default_idf = (
            idf.highest() if isinstance(idf, TermIdf) else max(idf.values(), default=1.0)
        )

    @classmethod
    def from_index(cls, snapshot: IndexSnapshot) -> Self:
        """The coverage measure of ``snapshot``'s BM25 index."""
        return cls(snapshot.lexical.idf())

    def weight(self, group: tuple[str, ...]) -> float:
        """IDF weight of a word group: its rarest alternative's."""
        return max(self.idf.get(term, self.default_idf) for term in group)

    def of(self, question: QuestionAnalysis, text: str) -> tuple[float, list[tuple[str, ...]]]:
        """IDF-weighted share of the question's word groups in ``text``, and the missing ones."""
        if not question.groups:
            return 0.0, []
        total = found = 0.0
        missing = []
        lowered = text.lower()  # the analyzer lower-cases Latin words: "gdp" must find GDP
        for group in question.groups:
            weight = self.weight(group)
            total += weight
            if any(term in lowered for term in group):
                found += weight
            else:
                missing.append(group)
        return (found / total if total else 0.0), missing


    def why_not(self, question: QuestionAnalysis, sentence: Sentence, *, typed: bool = True) -> str:
        """A short reason for abstaining, naming the question's words the passage lacks."""
        _, missing = self.of(question, sentence.text)
        if missing and not question.english:
            words = "、".join(g[0] for g in missing[:4])
            return (
                f"文章中没有提到{words} / the articles do not say: the closest passage does "
                f"not mention {words}"
            )
        if not typed:
            kind = question.answer_type
            return (
                f"相关段落中没有{TYPE_NAMES_ZH[kind]} / no {kind.value} in the passages that "
                "match the question"
            )
        return TOO_WEAK
