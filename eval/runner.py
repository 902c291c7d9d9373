"""Run the benchmark: end-to-end over an index, the reader alone, or open-domain.

Every question is asked once per retrieval mode (hybrid, BM25-only, dense-only) with the
reader's abstention switched off, so that its raw confidence is recorded; abstention is
then applied with the reader's own thresholds. That gives exactly what ``ask`` returns
and, in the same run, the data to calibrate the thresholds (``calibrate``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from eval.datasets import QAItem, SquadSet
from eval.metrics import (
    abstention_scores,
    decision_score,
    mean_reciprocal_rank,
    percentiles,
    recall_at,
)
from qa.config import ChunkingConfig
from qa.errors import UsageError
from qa.indexing.chunking import chunk_articles
from qa.pipeline import Pipeline, Turn
from qa.question import analyze_question
from qa.reading.coverage import QuestionCoverage
from qa.reading.fast import FastReader, idf_table
from qa.reading.protocol import Reader
from qa.retrieval.hybrid import MODES, Mode
from qa.scoring import cmrc_em, cmrc_f1
from qa.textnorm import normalize_line
from qa.types import Answer, Article, Chunk, Hit

RECALL_KS = (1, 3, 5, 10)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question's outcome in one mode, with everything needed to study errors."""

    id: str
    question: str
    lang: str
    type: str
    unanswerable: bool
    mode: str
    answers: tuple[str, ...]
    prediction: str | None
    raw_prediction: str | None
    """The reader's best span before abstention."""
    confidence: float
    em: float
    f1: float
    article_rank: int | None
    evidence_rank: int | None
    citation_correct: bool | None
    latency_ms: float
    interpreted_as: str = ""
    citations: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    error: str = ""
    """Why the question could not be asked (e.g. it is empty); scored as wrong."""
    signals: dict[str, Any] | None = None
    """What the confidence was computed from (qa.reading.calibration)."""
    raw_em: float = 0.0
    """EM of the raw prediction: whether the answer would have been right."""

    @property
    def abstained(self) -> bool:
        """True when no answer was given."""
        return self.prediction is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for --json."""
        return {**asdict(self), "abstained": self.abstained}


def score_answer(prediction: str | None, item: QAItem) -> tuple[float, float]:
    """(EM, F1) by the CMRC rules; an unanswerable question scores 1/1 for abstaining."""
    if item.unanswerable:
        return (1.0, 1.0) if prediction is None else (0.0, 0.0)
    return cmrc_em(prediction, item.answers), cmrc_f1(prediction, item.answers)


@dataclass(frozen=True, slots=True)
class Gold:
    """Where a question's answer is in the index: its article and evidence span."""

    article_id: str
    start: int
    end: int


def locate_gold(item: QAItem, articles: Iterable[Article]) -> Gold | None:
    """Find the gold article (by title or context id) and the evidence offsets in its
    printed text (where passages and citations point)."""
    for article in articles:
        if item.context_id and article.id != item.context_id:
            continue
        if not item.context_id and normalize_line(article.title) != normalize_line(
            item.article_title
        ):
            continue
        found = find_evidence(article, (item.evidence, *item.answers))
        if found is not None:
            return Gold(article.id, *article.matched.span(*found))
    return None


def find_evidence(article: Article, wanted: Iterable[str]) -> tuple[int, int] | None:
    """Offsets in the article's matched text of the first of ``wanted`` it holds; found in
    the matched form, so gold written in either form is located."""
    text = article.matched.text
    for value in wanted:
        key = normalize_line(value) if value else ""
        start = text.find(key) if key else -1
        if start >= 0:
            return start, start + len(key)
    return None


def _result(
    item: QAItem,
    mode: str,
    prediction: str | None,
    raw_prediction: str | None,
    confidence: float,
    latency_ms: float,
    **details: Any,
) -> QuestionResult:
    em, f1 = score_answer(prediction, item)
    return QuestionResult(
        id=item.id, question=item.question, lang=item.lang, type=item.type,
        unanswerable=item.unanswerable, mode=mode, answers=item.answers, prediction=prediction,
        raw_prediction=raw_prediction, confidence=confidence, em=em, f1=f1,
        article_rank=details.pop("article_rank", None),
        evidence_rank=details.pop("evidence_rank", None),
        citation_correct=details.pop("citation_correct", None), latency_ms=latency_ms, **details,
    )  # fmt: skip


def _ranks(answer: Answer, gold: Gold | None) -> tuple[int | None, int | None]:
    if gold is None:
        return None, None
    article_rank = evidence_rank = None
    for passage in answer.passages:
        if passage.article_id != gold.article_id:
            continue
        article_rank = article_rank or passage.rank
        if evidence_rank is None and passage.start <= gold.start and gold.end <= passage.end:
            evidence_rank = passage.rank
    return article_rank, evidence_rank


def _citation_correct(answer: Answer, item: QAItem, gold: Gold | None) -> bool | None:
    if answer.answer is None or item.unanswerable:
        return None
    for citation in answer.citations:
        if any(a and a in citation.quote for a in item.answers):
            return True
        if (
            gold
            and citation.article_id == gold.article_id
            and (citation.start < gold.end and gold.start < citation.end)
        ):
            return True
    return False


def run_end_to_end(
    pipeline: Pipeline,
    items: Sequence[QAItem],
    *,
    modes: Sequence[Mode] = MODES,
    k: int = 5,
    progress: Callable[[str], None] | None = None,
) -> list[QuestionResult]:
    """Ask every question in every mode; follow-ups get the previous turn as history."""
    articles = list(pipeline.snapshot.articles.values())
    golds = {item.id: locate_gold(item, articles) for item in items if not item.unanswerable}
    by_id = {item.id: item for item in items}
    results: list[QuestionResult] = []
    for mode in modes:
        predicted: dict[str, str | None] = {}
        for item in items:
            history = None
            if item.previous and item.previous in by_id:
                history = [Turn(by_id[item.previous].question, predicted.get(item.previous))]
            started = time.perf_counter()
            try:
                answer = pipeline.ask(item.question, k=k, history=history, mode=mode, abstain=False)
            except UsageError as error:
                # The official scorer counts such a question (CMRC 2018's trial set has two
                # empty ones) as answered wrongly: so does this one.
                predicted[item.id] = None
                results.append(_result(item, mode, None, None, 0.0, 0.0, error=str(error)))
                continue
            latency = (time.perf_counter() - started) * 1000
            prediction = answer.answer if answer.confidence >= answer.threshold else None
            predicted[item.id] = prediction
            gold = golds.get(item.id)
            article_rank, evidence_rank = _ranks(answer, gold)
            results.append(
                _result(
                    item,
                    mode,
                    prediction,
                    answer.answer,
                    answer.confidence,
                    latency,
                    article_rank=article_rank,
                    evidence_rank=evidence_rank,
                    citation_correct=_citation_correct(answer, item, gold) if prediction else None,
                    interpreted_as=answer.interpreted_as,
                    citations=tuple(c.to_dict() for c in answer.citations) if prediction else (),
                    signals=answer.signals.to_dict() if answer.signals else None,
                    raw_em=score_answer(answer.answer, item)[0] if answer.answer else 0.0,
                )
            )
        if progress:
            progress(mode)
    return results


def _context_hits(articles: Sequence[Article]) -> dict[str, list[Hit]]:
    """Each gold context as one passage: the reader sees all of it, as SQuAD intends."""
    return {
        a.id: [Hit(Chunk(f"{a.id}-0", a.id, 0, 0, len(a.matched.text), a.matched.text), a, row,
                   1.0, 1)]
        for row, a in enumerate(articles)
    }


def run_reader(
    reader_factory: Callable[[dict[str, float]], Reader], squad: SquadSet
) -> list[QuestionResult]:
    """The reader alone, given each question's gold context as its passages."""
    from qa.indexing.lexical import Bm25Params, LexicalIndex

    hits_of = _context_hits(squad.articles)
    # IDF over the contexts' sentence-sized chunks, like an index would count them.
    texts = [c.text for c in chunk_articles(squad.articles, ChunkingConfig())]
    lexical = LexicalIndex.build(texts, Bm25Params())
    reader = reader_factory(idf_table(lexical.document_frequencies(), len(texts)))
    results = []
    for item in squad.items:
        started = time.perf_counter()
        analysis = analyze_question(normalize_line(item.question))
        reading = reader.read(analysis, hits_of[item.context_id], abstain=False)
        latency = (time.perf_counter() - started) * 1000
        # The prediction is the printed characters of the span, as the pipeline answers.
        span = reading.span
        raw = span.sentence.article.matched.original_text(span.start, span.end) if span else None
        prediction = raw if reading.confidence >= reader.threshold(analysis.english) else None
        results.append(
            _result(item, "reader", prediction, raw, reading.confidence, latency, article_rank=1)
        )
    return results


def without_abstention(results: Sequence[QuestionResult]) -> list[QuestionResult]:
    """The same results had the reader always answered (its raw best span)."""
    rescored = []
    for r in results:
        item = QAItem(r.id, r.question, r.answers, r.lang, r.unanswerable)
        em, f1 = score_answer(r.raw_prediction, item)
        rescored.append(replace(r, prediction=r.raw_prediction, em=em, f1=f1))
    return rescored


def summarize(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Headline metrics of one mode's results."""
    answerable = [r for r in results if not r.unanswerable]
    answered = [r for r in answerable if not r.abstained]
    cited = [r.citation_correct for r in answered if r.citation_correct is not None]
    abstention = abstention_scores(
        [r.abstained for r in results], [r.unanswerable for r in results]
    )
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "em": 100 * sum(r.em for r in answerable) / max(1, len(answerable)),
        "f1": 100 * sum(r.f1 for r in answerable) / max(1, len(answerable)),
        "overall_em": 100 * sum(r.em for r in results) / max(1, len(results)),
        **{
            f"article_recall@{k}": recall_at([r.article_rank for r in answerable], k)
            for k in RECALL_KS
        },
        **{
            f"evidence_recall@{k}": recall_at([r.evidence_rank for r in answerable], k)
            for k in RECALL_KS
        },
        "article_mrr": mean_reciprocal_rank([r.article_rank for r in answerable]),
        "evidence_mrr": mean_reciprocal_rank([r.evidence_rank for r in answerable]),
        "abstention_precision": abstention["precision"],
        "abstention_recall": abstention["recall"],
        "abstentions": int(abstention["abstentions"]),
        "citation_accuracy": sum(cited) / len(cited) if cited else 0.0,
        "latency_ms": percentiles([r.latency_ms for r in results if not r.error]),
        "errors": sum(1 for r in results if r.error),
    }


def breakdown(results: Sequence[QuestionResult], key: str) -> dict[str, dict[str, float]]:
    """EM/F1 of answerable questions grouped by ``key`` (lang or type)."""
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for r in results:
        if not r.unanswerable:
            groups[str(getattr(r, key))].append(r)
    return {
        name: {
            "n": len(rs),
            "em": 100 * sum(r.em for r in rs) / len(rs),
            "f1": 100 * sum(r.f1 for r in rs) / len(rs),
        }
        for name, rs in sorted(groups.items())
    }


def calibrate(results: Sequence[QuestionResult], english: bool) -> list[dict[str, float]]:
    """Score of each abstention threshold for one language.

    The score is the mean over questions of: +1 for a right answer (EM) or an abstention
    on an unanswerable question, -1 for a wrong answer, 0 for an abstention on an answerable
    one: a wrong answer costs what a right one earns (eval.calibration sets the shipped
    thresholds by the same score, on the dev part).
    """
    chosen = [r for r in results if (r.lang == "en") == english]
    unanswerable = sum(r.unanswerable for r in chosen)
    table = []
    for step in range(0, 100, 2):
        threshold = step / 100
        score = 0.0
        abstained_unanswerable = abstained = 0
        for r in chosen:
            abstains = r.confidence < threshold
            score += decision_score(abstains, r.unanswerable, r.raw_em == 1.0)
            abstained_unanswerable += abstains and r.unanswerable
            abstained += abstains
        table.append(
            {
                "threshold": threshold,
                "score": score / max(1, len(chosen)),
                "abstention_precision": abstained_unanswerable / abstained if abstained else 0.0,
                "abstention_recall": abstained_unanswerable / max(1, unanswerable),
            }
        )
    return table


def reader_factory(name: str) -> Callable[[dict[str, float]], Reader]:
    """Reader mode: a function from the contexts' IDF table to the named reader."""
    if name == "fast":
        return FastReader
    from qa.reading.neural import NeuralReader

    neural = NeuralReader()
    if name == "neural":
        return lambda idf: neural
    from qa.reading.routed import RoutedReader

    return lambda idf: RoutedReader(neural, FastReader(idf), QuestionCoverage(idf))
