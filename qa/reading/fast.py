"""The fast reader: rules over the retrieved sentences (the ``Reader`` protocol is in
qa.reading.protocol).

``FastReader`` is transparent and quick (a few ms). It scores the sentences of the top
passages by how much of the question they cover (IDF-weighted words, character bigrams)
and by their passage's retrieval score. In the best sentences it then looks for a span of
the type the question asks for (amount, percentage, count, date, person, place,
organisation) or, for 什么/哪 questions, the phrase between the words that surround the
question word in the question ("…以[什么]为价值主线" → "…以“产业互联网+…”为价值主线").
A span's confidence is the coverage of the question by the text around it, discounted when
the span is not of the asked type; below a threshold the reader abstains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from qa.indexing.chunking import sentence_spans
from qa.question import NUMERIC_TYPES, AnswerType, QuestionAnalysis
from qa.reading.coverage import QuestionCoverage
from qa.reading.protocol import NOTHING_RETRIEVED, Reading, Sentence, Span
from qa.reading.span_fitting import repeats_previous_answer
from qa.reading.spans import (
    SpanCandidate,
    clause_bounds,
    date_spans,
    name_spans,
    number_spans,
    ordinal_spans,
    trim_phrase,
)
from qa.tokens import tagged
from qa.types import Hit

if TYPE_CHECKING:
    from qa.indexing.store import IndexSnapshot

_CJK_PAIR = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
_QUESTION_FILLER = re.compile(
    r"多少钱|多少|什么时候|什么|哪里|哪儿|哪些|哪个|哪家|哪位|哪一|哪|谁|几|吗|呢|请问|是否|怎么|如何"
)
_FUNCTION_CHARS = frozenset("为是由在以于被的把对向从将和与及")
_JOINER = re.compile(r"、|和|及|与|以及")
_PHRASE_TYPES = frozenset(
    {AnswerType.ENTITY, AnswerType.OTHER, AnswerType.ORGANIZATION, AnswerType.PLACE,
     AnswerType.PERSON}
)  # fmt: skip
MAX_PHRASE_CHARS = 40
WINDOW = 20
"""Characters either side of a span whose words count as its immediate evidence."""
@dataclass(frozen=True, slots=True)
class FastReaderConfig:
    """Tunables of the fast reader (README, "Reader", says how they were set)."""

    passages: int = 5
    """How many retrieved passages are read."""
    sentences: int = 4
    """How many of the best sentences are searched for a span."""
    threshold_zh: float = 0.12
    threshold_en: float = 0.22
    """Confidence below which the reader abstains: the thresholds that maximise the
    benchmark's answer-or-abstain score on the shipped index (`python -m eval` prints the
    calibration; README, "Abstention")."""


@dataclass(frozen=True, slots=True)
class _Scored:
    score: float
    confidence: float
    candidate: SpanCandidate


class FastReader:
    """Sentence scoring plus typed span extraction; see the module docstring."""

    def __init__(self, idf: Mapping[str, float], config: FastReaderConfig | None = None) -> None:
        """``idf`` weighs the question's words (qa.reading.coverage)."""
        self.evidence = QuestionCoverage(idf)
        self.config = config or FastReaderConfig()

    # ------------------------------------------------------------------ evidence

    @staticmethod
    def _bigram_overlap(question: QuestionAnalysis, text: str) -> float:
        if question.english:
            return 0.0
        pairs = set(_CJK_PAIR.findall(_QUESTION_FILLER.sub(" ", question.text)))
        if not pairs:
            return 0.0
        return sum(1 for p in pairs if p in text) / len(pairs)

    def _sentences(self, question: QuestionAnalysis, hits: Sequence[Hit]) -> list[Sentence]:
        top_score = max((h.score for h in hits), default=1.0) or 1.0
        seen: dict[tuple[str, int, int], Sentence] = {}
        for hit in hits[: self.config.passages]:
            chunk_text = hit.chunk.text
            chunk_coverage, _ = self.evidence.of(question, chunk_text)
            prior = hit.score / top_score
            for start, end in sentence_spans(chunk_text):
                a_start, a_end = hit.chunk.start + start, hit.chunk.start + end
                key = (hit.article.id, a_start, a_end)
                if key in seen:
                    continue
                text = chunk_text[start:end]
                coverage, _ = self.evidence.of(question, text)
                bigrams = self._bigram_overlap(question, text)
                score = 0.5 * coverage + 0.2 * chunk_coverage + 0.2 * bigrams + 0.1 * prior
                seen[key] = Sentence(
                    hit.article, hit.chunk, a_start, a_end, text, hit.rank, coverage,
                    chunk_coverage, score,
                )  # fmt: skip
        return sorted(seen.values(), key=lambda s: (-s.score, s.passage_rank, s.start))

    def _evidence(
        self, question: QuestionAnalysis, sentence: Sentence, span: SpanCandidate
    ) -> float:
        """How well the text around a span, its sentence and its chunk cover the question.

        The question's most specific word (highest IDF) weighs extra: when not even the
        chunk mentions it, the passage is most likely about something else (the page
        gives GDP growth, not "GDP总量").
        """
        around = sentence.text[max(0, span.start - WINDOW) : span.end + WINDOW]
        window, _ = self.evidence.of(question, around)
        evidence = 0.45 * window + 0.35 * sentence.coverage + 0.2 * sentence.chunk_coverage
        _, missing = self.evidence.of(question, sentence.chunk.text)
        # English words map to several uncertain Chinese renderings: a missing one says
        # little, so only Chinese questions pay for it.
        if missing and question.groups and not question.english:
            most_specific = max(self.evidence.weight(g) for g in question.groups)
            worst_missing = max(self.evidence.weight(g) for g in missing)
            evidence *= 1.0 - 0.5 * worst_missing / most_specific
        return evidence

    # ------------------------------------------------------------------ anchors

    @staticmethod
    def _anchor_options(context: str, text: str, *, left: bool) -> list[tuple[int, int, float]]:
        """Where pieces of the question's context occur in ``text``: (start, end, weight).

        Left context: its suffixes ("…中心以" → "心以", "以"); right context: its prefixes;
        either may first drop up to three characters next to the question word.
        """
        pieces: list[tuple[str, float]] = []
        for skip in range(min(4, len(context))):
            # Skipped characters next to the question word (是, 有, 做, a category noun)
            # need not appear in the answer's sentence, at a small cost.
            rest = context[: len(context) - skip] if left else context[skip:]
            for n in range(min(len(rest), 12), 0, -1):
                pieces.append((rest[-n:] if left else rest[:n], n - 0.6 * skip))
        options = []
        for piece, weight in pieces:
            if len(piece) == 1 and piece not in _FUNCTION_CHARS:
                continue
            if not re.search(r"[\w\u4e00-\u9fff]", piece):
                continue
            position = text.find(piece)
            while position >= 0:
                options.append((position, position + len(piece), weight))
                position = text.find(piece, position + 1)
        return options

    def anchor_window(self, question: QuestionAnalysis, text: str) -> tuple[int, int, float] | None:
        """Where in ``text`` the answer should sit: between the question's left and right
        context as found in ``text``, with how strongly they matched (0–1)."""
        if question.english or not (question.left_text or question.right_text):
            return None
        lefts = self._anchor_options(question.left_text, text, left=True)
        rights = self._anchor_options(question.right_text, text, left=False)
        best: tuple[float, int, int] | None = None

        def consider(score: float, start: int, end: int) -> None:
            nonlocal best
            if end > start and (best is None or score > best[0]):
                best = (score, start, end)

        for _, left_end, left_weight in lefts:
            for right_start, _, right_weight in rights:
                gap = right_start - left_end
                if 1 <= gap <= MAX_PHRASE_CHARS:
                    consider(left_weight + right_weight - 0.02 * gap, left_end, right_start)
        # One-sided matches place the answer less surely: half weight.
        for _, left_end, weight in lefts:
            if weight >= 2 and not _JOINER.match(text, left_end):  # not inside a list
                consider(0.5 * weight - 1.0, left_end, clause_bounds(text, left_end)[1])
        for right_start, _, weight in rights:
            if weight >= 2:
                consider(0.5 * weight - 1.0, clause_bounds(text, right_start)[0], right_start)
        if best is None or best[0] <= 0:
            return None
        context = max(len(question.left_text) + len(question.right_text), 1)
        return best[1], best[2], min(1.0, best[0] / min(context, 8))

    # ------------------------------------------------------------------ spans

    @staticmethod
    def _typed_candidates(question: QuestionAnalysis, text: str) -> list[SpanCandidate]:
        wanted = question.answer_type
        if wanted in NUMERIC_TYPES:
            numbers = number_spans(text)
            return ordinal_spans(text) + numbers if wanted is AnswerType.ORDINAL else numbers
        if wanted is AnswerType.DATE:
            return date_spans(text)
        if wanted in (AnswerType.PERSON, AnswerType.PLACE, AnswerType.ORGANIZATION):
            return name_spans(text)
        return []

    @staticmethod
    def type_fit(question: QuestionAnalysis, candidate: SpanCandidate) -> float:
        """1.0 for the asked type (and unit), less for near misses, 0 for wrong types."""
        wanted, kind = question.answer_type, candidate.kind
        if wanted not in NUMERIC_TYPES:
            if wanted is AnswerType.ORGANIZATION and kind is AnswerType.PLACE:
                return 0.3
            return 1.0 if wanted is kind else 0.0
        if kind not in NUMERIC_TYPES:
            return 0.0
        if question.unit:
            if candidate.unit and (
                candidate.unit.endswith(question.unit) or question.unit in candidate.unit
            ):
                return 1.0
            if kind in (AnswerType.MONEY, AnswerType.PERCENT):
                return 0.0  # asked for 家/人/个, found 元 or %
            return 0.4 if kind is AnswerType.NUMBER else 0.25
        if wanted is kind:
            return 1.0
        if wanted is AnswerType.NUMBER:
            return 0.8
        if wanted is AnswerType.COUNT and kind is AnswerType.NUMBER:
            return 0.6
        if wanted is AnswerType.ORDINAL:
            return 0.5
        return 0.15

    @staticmethod
    def _merge_coordinated(
        text: str, chosen: SpanCandidate, candidates: Sequence[SpanCandidate]
    ) -> SpanCandidate:
        """Extend a span over same-kind neighbours joined by 、/和/及/与 (哪些 questions)."""
        start, end = chosen.start, chosen.end
        same = sorted((c for c in candidates if c.kind is chosen.kind), key=lambda c: c.start)
        changed = True
        while changed:
            changed = False
            for other in same:
                if other.start >= end and _JOINER.fullmatch(text[end : other.start]):
                    end, changed = other.end, True
                elif other.end <= start and _JOINER.fullmatch(text[other.end : start]):
                    start, changed = other.start, True
        return SpanCandidate(start, end, text[start:end], chosen.kind, chosen.unit)

    @staticmethod
    def _noun_phrase(question: QuestionAnalysis, text: str) -> SpanCandidate | None:
        """Fallback for what/which: the first new noun phrase of the best-matching clause."""
        best_clause, best_hits, position = (0, len(text)), -1, 0
        for piece in re.split(r"(?<=[,;:])", text):
            hits = sum(1 for g in question.groups if any(t in piece for t in g))
            if hits > best_hits:
                best_clause, best_hits = (position, position + len(piece)), hits
            position += len(piece)
        known = {t for g in question.groups for t in g}
        run: list[tuple[str, int]] = []
        for word, flag, start in tagged(text):
            if not best_clause[0] <= start < best_clause[1]:
                continue
            if flag.startswith(("n", "vn", "j", "eng", "m")) and word not in known:
                run.append((word, start))
            elif run:
                break
        if not run:
            return None
        start, end = run[0][1], run[-1][1] + len(run[-1][0])
        return SpanCandidate(start, end, text[start:end], AnswerType.ENTITY)

    def _candidates(self, question: QuestionAnalysis, sentence: Sentence) -> list[_Scored]:
        """Every plausible span of a sentence, scored."""
        text = sentence.text
        window = self.anchor_window(question, text)
        known = {t for g in question.groups for t in g}
        typed = self._typed_candidates(question, text)
        results: list[_Scored] = []

        def add(candidate: SpanCandidate, fit: float, anchored: float) -> None:
            evidence = self._evidence(question, sentence, candidate)
            confidence = min(1.0, evidence * (0.2 + 0.8 * fit) + 0.15 * anchored)
            results.append(_Scored(confidence + 0.1 * anchored, confidence, candidate))

        for candidate in typed:
            fit = self.type_fit(question, candidate)
            if (
                fit == 0.0
                or any(candidate.text in term for term in known)
                or repeats_previous_answer(question, candidate.text)
            ):
                continue
            anchored = 0.0
            if (
                window is not None
                and window[0] - 1 <= candidate.start
                and candidate.end <= window[1] + 1
            ):
                anchored = window[2]
            if question.plural:
                candidate = self._merge_coordinated(text, candidate, typed)
            add(candidate, fit, anchored)
        if window is not None and question.answer_type in _PHRASE_TYPES:
            start, end = trim_phrase(text, window[0], window[1])
            phrase = text[start:end]
            if phrase and end - start <= MAX_PHRASE_CHARS and not any(phrase in t for t in known):
                generic = question.answer_type in (AnswerType.ENTITY, AnswerType.OTHER)
                fit = window[2] * (1.0 if generic else 0.6)
                add(SpanCandidate(start, end, phrase, AnswerType.ENTITY), fit, 0.0)
        if not results and question.answer_type in _PHRASE_TYPES:
            found = self._noun_phrase(question, text)
            if found is not None:
                add(found, 0.5, 0.0)
        return results

    # ------------------------------------------------------------------ read

    @classmethod
    def from_index(cls, snapshot: IndexSnapshot, config: FastReaderConfig | None = None) -> Self:
        """A fast reader whose IDF table comes from ``snapshot``'s BM25 index."""
        return cls(snapshot.lexical.idf(), config)

    def for_index(self, snapshot: IndexSnapshot) -> FastReader:
        """The same settings with the IDF table of another index generation."""
        return FastReader.from_index(snapshot, self.config)

    def threshold(self, english: bool) -> float:
        """Confidence below which the reader abstains."""
        return self.config.threshold_en if english else self.config.threshold_zh

    def read(
        self, question: QuestionAnalysis, hits: Sequence[Hit], *, abstain: bool = True
    ) -> Reading:
        """The best span in the best sentences of ``hits``, or an abstention with a reason."""
        sentences = self._sentences(question, hits)
        if not sentences:
            return Reading(None, 0.0, (), NOTHING_RETRIEVED, "fast")
        top = tuple(sentences[: self.config.sentences])
        best: tuple[float, Sentence, _Scored] | None = None
        for position, sentence in enumerate(top):
            for scored in self._candidates(question, sentence):
                score = scored.score - 0.02 * position
                if best is None or score > best[0]:
                    best = (score, sentence, scored)
        if best is None:
            why = self.evidence.why_not(question, sentences[0], typed=False)
            return Reading(None, 0.0, top, why, "fast")
        _, sentence, scored = best
        candidate = scored.candidate
        if abstain and scored.confidence < self.threshold(question.english):
            why = self.evidence.why_not(question, sentence)
            return Reading(None, scored.confidence, top, why, "fast")
        span = Span(sentence, sentence.start + candidate.start, sentence.start + candidate.end,
                    candidate.text, candidate.kind)  # fmt: skip
        return Reading(
            span,
            scored.confidence,
            top,
            f"{candidate.kind.value} found in the best-matching sentence",
            "fast",
        )

def idf_table(document_frequencies: dict[str, int], documents: int) -> dict[str, float]:
    """BM25-style IDF per term: log(1 + (N - df + 0.5) / (df + 0.5))."""
    return {
        term: math.log(1 + (documents - df + 0.5) / (df + 0.5))
        for term, df in document_frequencies.items()
    }
