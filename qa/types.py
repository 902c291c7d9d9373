"""Frozen dataclasses passed between the stages of the pipeline.

``Article.text`` is the article's own text, as printed (qa.textnorm). Inside the pipeline
every stage matches its normalised view, ``article.matched.text``: chunk, sentence and
span offsets refer to it, so ``article.matched.text[chunk.start:chunk.end] == chunk.text``
holds everywhere. What leaves the pipeline (``Answer``, ``Citation``, ``Passage``) is
mapped back to the printed characters: ``article.text[citation.start:citation.end] ==
citation.quote``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Self

from qa.textnorm import TextView, matching_view, normalize_line

TEXT_PART = "text"
HEADING_PART = "heading"
DATELINE_PART = "dateline"
"""The printed parts of an article a citation may quote (``Article.part``)."""


class Record:
    """JSON round trip for the dataclasses below (they hold only JSON-ready values)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        # Shallow: every field is a JSON scalar, and asdict's deep copy was most of the
        # time of writing 63k articles.
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild from ``to_dict`` output."""
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Article(Record):
    """One news article: its text as printed (cleaned of invisible characters only)."""

    id: str
    title: str
    text: str
    published_at: str | None = None
    """ISO 8601 date (``2026-01-15``) or date-time (``2023-08-16T18:24:57``)."""
    source: str = ""
    url: str = ""
    kicker: str = ""
    """A line printed above the headline (引题), e.g. "曹慧泉在…座谈会上强调"."""
    subtitle: str = ""
    """Lines printed below the headline (副题), e.g. "陈恢清出席并讲话"."""
    byline: str = ""
    """Agency and reporters, e.g. "株洲日报(全媒体记者/周菁)"."""
    dateline: str = ""
    """e.g. "新华社北京1月15日电" or "1月15日"."""
    origin: str = ""
    """Where the article was read from: "path:line"."""

    @property
    def matched(self) -> TextView:
        """The text as every stage matches it, with the map back to ``text``."""
        return matching_view(self.text)

    @property
    def heading(self) -> str:
        """The lines printed above the text, in the page's order: kicker, headline,
        subtitle and byline. Reporters check these too (石峰区累计培育29个国省级制造业单项冠军;
        ——2025年12月24日在…会议上). Not the dateline: its date is the dispatch's, which a
        claim's date of the event it reports (1月16日出版) would wrongly be compared to."""
        lines = (self.kicker, self.title, self.subtitle, self.byline)
        return "\n".join(line for line in lines if line)

    def part(self, name: str) -> str:
        """The printed text a citation's ``part`` names: ``text``, ``heading`` or
        ``dateline`` (新华社北京1月15日电: who filed it, where and when)."""
        if name == TEXT_PART:
            return self.text
        if name == HEADING_PART:
            return self.heading
        if name == DATELINE_PART:
            return self.dateline
        raise ValueError(f"part {name!r} is none of {TEXT_PART!r}, {HEADING_PART!r}, "
                         f"{DATELINE_PART!r}")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Chunk(Record):
    """A window of an article's matched text (``article.matched``), by character offsets."""

    id: str
    article_id: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One retrieved chunk, its article and how each retriever ranked it (ranks from 1)."""

    chunk: Chunk
    article: Article
    row: int
    score: float
    rank: int
    dense_score: float | None = None
    dense_rank: int | None = None
    lexical_score: float | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True, slots=True)
class Citation(Record):
    """A cited sentence: exact offsets in its article's printed text, and the answer inside
    it if any.

    ``article.part(part)[start:end] == quote``: the article's text (``part`` "text", every
    answer's) or, for a fact check, its heading (``Article.heading``); when the answer is
    in this sentence, ``start <= answer_start < answer_end <= end``.
    """

    n: int
    article_id: str
    title: str
    published_at: str | None
    source: str
    chunk_id: str
    start: int
    end: int
    quote: str
    answer_start: int | None = None
    answer_end: int | None = None
    part: str = "text"


@dataclass(frozen=True, slots=True)
class Passage(Record):
    """A retrieved chunk as shown to the user (expandable view of what was read)."""

    rank: int
    article_id: str
    title: str
    published_at: str | None
    source: str
    chunk_id: str
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class Signals(Record):
    """What is known about one reading besides its span: the calibrator's input."""

    reader: str
    """"neural" or "fast": which reader read the span (each has its own model)."""
    raw: float
    """The reader's own confidence (0–1)."""
    passage_coverage: float
    sentence_coverage: float
    clause_coverage: float
    """IDF-weighted share of the question's words in the passage, sentence, answer clause."""
    entities_in_sentence: float
    entities_in_article: float
    """Share of the question's named entities (places, organisations, people) found in the
    answer's sentence, and in its article's headline, lead or the answer's passage; 1 when
    the question names none."""
    focus_in_clause: float
    focus_in_sentence: float
    """Whether the question's most specific other word (GDP, 人口, 出资额) is in the answer's
    clause and sentence."""
    retrievers_agree: float
    """1 when dense and BM25 retrieval both rank the answer's passage in their top 3."""
    reciprocal_rank: float
    """1 / the fused rank of the answer's passage."""
    typed: float
    """1 for questions whose answer type can be checked (numbers, dates)."""
    subject_missing: bool
    """The subject check failed (qa.reading.calibration says when): the answer's text does not
    name what the question asks about."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What the system says to a question: a span with citations, or an abstention."""

    question: str
    answer: str | None
    confidence: float
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    reason: str
    """Why it abstained, or how the answer was found."""
    timings_ms: dict[str, float]
    interpreted_as: str = ""
    """The question after follow-up completion, when it differs from ``question``."""
    signals: Signals | None = None
    """What the confidence was computed from (None when nothing was read)."""
    threshold: float = 0.0
    """The confidence below which this answer is withheld."""

    @property
    def abstained(self) -> bool:
        """True when the system declined to answer."""
        return self.answer is None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``qa ask --json`` and of the web API."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "reason": self.reason,
            "interpreted_as": self.interpreted_as or self.question,
            "signals": self.signals.to_dict() if self.signals else None,
            "passages": [p.to_dict() for p in self.passages],
        }


@dataclass(frozen=True, slots=True)
class Expansion:
    """Chinese terms found for an English question, grouped by the English they render."""

    groups: tuple[tuple[str, tuple[str, ...]], ...]
    """(english word or phrase, its Chinese terms) in question order."""

    @property
    def terms(self) -> tuple[str, ...]:
        """Every Chinese term once, in order."""
        return tuple(dict.fromkeys(t for _, terms in self.groups for t in terms))

    def query_text(self) -> str:
        """The terms as one space-separated string for BM25."""
        return " ".join(self.terms)


@dataclass(frozen=True, slots=True)
class FactAlignment(Record):
    """One checkable fact of a statement beside the article's value.

    ``article.part(part)[start:end] == printed`` (printed offsets, in the part its
    verdict's evidence quotes) when the article states one.
    """

    kind: str
    """money, rate (percent or points), count, quantity, date, ordinal, person, place,
    organization."""
    claimed: str
    """The value as the statement writes it."""
    printed: str | None
    """The article's value, as printed; None when the article names none."""
    agrees: bool
    start: int | None = None
    end: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verdict on one statement: supported, contradicted or not_found, with the
    sentence that decides it (a citation, verifiable like an answer's)."""

    statement: str
    start: int
    end: int
    """Where the statement is in the checked text (``CheckReport.text``)."""
    verdict: str
    note: str
    """The verdict in words, both languages ("supported, but the article says nearly")."""
    evidence: Citation | None
    alignments: tuple[FactAlignment, ...]
    score: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, evidence and alignments included."""
        return {
            "statement": self.statement,
            "start": self.start,
            "end": self.end,
            "verdict": self.verdict,
            "note": self.note,
            "evidence": self.evidence.to_dict() if self.evidence else None,
            "alignments": [a.to_dict() for a in self.alignments],
            "score": self.score,
        }


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What the fact check says of a submitted text: one verdict per statement."""

    text: str
    verdicts: tuple[Verdict, ...]
    timings_ms: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's ``check --json`` and the web API's ``/check``)."""
        return {
            "text": self.text,
            "verdicts": [v.to_dict() for v in self.verdicts],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Optional restrictions on what may be retrieved."""

    published_from: str | None = None
    """Earliest published_at (ISO date, inclusive)."""
    published_to: str | None = None
    """Latest published_at (ISO date, inclusive)."""
    sources: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return not (self.published_from or self.published_to or self.sources)

    def admits(self, article: Article) -> bool:
        """Whether an article passes the filters (undated articles fail date filters)."""
        if self.sources and normalize_line(article.source) not in {
            normalize_line(s) for s in self.sources
        }:
            return False
        if self.published_from or self.published_to:
            if not article.published_at:
                return False
            day = article.published_at[:10]
            if self.published_from and day < self.published_from[:10]:
                return False
            if self.published_to and day > self.published_to[:10]:
                return False
        return True
