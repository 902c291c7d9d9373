"""The pipeline wires retrieval and a reader over one loaded index; nothing more.

``Pipeline.load(index_dir)`` once, then ``ask(question)`` for each question: the CLI, the
web chat and the benchmark all answer through this object, so they answer alike.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from qa.checking.claims import MAX_STATEMENTS, clean_claim, split_statements
from qa.checking.verify import CheckConfig, Checker, Decision
from qa.conversation import resolve
from qa.encoders.embedding import Embedder, make_embedder
from qa.encoders.sentences import SentenceSimilarity, shared_similarity
from qa.errors import UsageError
from qa.indexing.store import IndexSnapshot, check_embedder
from qa.indexing.target import IndexTarget, open_snapshot
from qa.question import analyze_question
from qa.reading.calibration import Calibrator, SignalReader
from qa.reading.coverage import QuestionCoverage
from qa.reading.fast import FastReader
from qa.reading.protocol import Reader, Reading
from qa.retrieval.crosslingual import EnglishExpander
from qa.retrieval.hybrid import FusionConfig, HybridRetriever, Mode, SearchFilters
from qa.textnorm import TextView, matching_view, normalize_line
from qa.tokens import analyze
from qa.types import (
    Answer,
    CheckReport,
    Citation,
    Expansion,
    Hit,
    Passage,
    Verdict,
)

MAX_QUESTION_CHARS = 2000
MAX_K = 50
DEFAULT_K = 5
MAX_HISTORY_TURNS = 20
READERS = ("auto", "fast", "neural")
DEFAULT_READER = "auto"
"""Neural for Chinese questions, fast for English (qa.reading.routed says why)."""
CHECK_K = 8
"""Passages retrieved for each statement a fact check decides: among 5,000 news articles
the page's passage can rank 6th to 8th (dev claims among 5,000: 0.838 with 5, 0.847 with
8)."""
RENDER_K = 5
"""An English statement is rendered in the words of its top ``RENDER_K`` passages only:
renderings drawn from 8 pick other articles' words (dev on the page 0.892 → 0.884)."""
SUPPORTING_CITATIONS = 2
"""Sentences from other passages cited beside the answer's own."""


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str | None = None


def make_reader(name: str, snapshot: IndexSnapshot) -> Reader:
    """A reader by name: ``fast`` (rules, IDF from the index), ``neural`` (trained) or
    ``auto`` (neural for Chinese questions, fast for English)."""
    if name not in READERS:
        raise UsageError(f"unknown reader {name!r}: use one of {', '.join(READERS)}")
    if name == "fast":
        return FastReader.from_index(snapshot)
    from qa.reading.neural import NeuralReader

    if name == "neural":
        return NeuralReader()
    from qa.reading.routed import RoutedReader

    return RoutedReader.from_index(NeuralReader(), snapshot)


def clean_question(question: str) -> str:
    """Normalise a question, or raise UsageError saying what is wrong with it."""
    if not isinstance(question, str):
        raise UsageError("the question must be text")
    if len(question) > MAX_QUESTION_CHARS:
        raise UsageError(
            f"the question is {len(question)} characters long; keep it under "
            f"{MAX_QUESTION_CHARS} (ask one thing at a time)"
        )
    text = normalize_line(question)
    if not text:
        raise UsageError("the question is empty: type a question, e.g. 株洲节约了多少物流成本?")
    return text


class Pipeline:
    """Retriever + reader over one index snapshot."""

    def __init__(
        self,
        snapshot: IndexSnapshot,
        embedder: Embedder,
        *,
        reader: Reader | str = DEFAULT_READER,
        fusion: FusionConfig | None = None,
        calibrator: Calibrator | bool | None = True,
        check_config: CheckConfig | None = None,
        sentence_similarity: SentenceSimilarity | bool | None = True,
    ) -> None:
        """``calibrator``: True for the shipped one (models/calibrator.json), False for the
        readers' own scores and thresholds (how the calibrator's data is gathered);
        ``sentence_similarity``: True for the process's one mUSE in fact checks of English
        statements (loaded on the first one), False for renderings alone."""
        check_embedder(snapshot.manifest, embedder.identity.to_dict())
        self.snapshot = snapshot
        self.embedder = embedder
        self.retriever = HybridRetriever(snapshot, embedder, fusion)
        self.reader: Reader = make_reader(reader, snapshot) if isinstance(reader, str) else reader
        self.evidence = QuestionCoverage.from_index(snapshot)
        self.signal_reader = SignalReader(self.evidence, snapshot.lexical)
        self.calibrator = Calibrator.load() if calibrator is True else (calibrator or None)
        similarity = shared_similarity() if sentence_similarity is True else sentence_similarity
        self.checker = Checker(self.evidence, check_config, similarity or None, self.reader)

    @classmethod
    def load(
        cls,
        index_dir: IndexTarget,
        *,
        embedder: Embedder | None = None,
        reader: Reader | str = DEFAULT_READER,
        fusion: FusionConfig | None = None,
        verify: bool = True,
        calibrator: Calibrator | bool | None = True,
    ) -> Pipeline:
        """Load an index (verified) and the encoder that built it, to answer questions.

        ``index_dir`` is a folder or a ``MilvusLocation`` (qa.indexing.target). A folder's
        checksums are computed on a second core while the models load; the pipeline is
        returned only once they all match.
        """
        from qa.indexing.vectors import search_on_one_thread

        search_on_one_thread()
        snapshot = open_snapshot(index_dir, verify=verify, wait=False)
        embedder = embedder or make_embedder(snapshot.manifest["embedding"]["model"])
        try:
            pipeline = cls(snapshot, embedder, reader=reader, fusion=fusion, calibrator=calibrator)
            pipeline.warm_up()
        except Exception:
            snapshot.wait_verified()  # a corrupt file explains a failure best
            raise
        snapshot.wait_verified()
        return pipeline

    def warm_up(self) -> None:
        """Run one question through every stage so the first user does not pay for it."""
        self.ask("株洲 How much?", k=1)

    def ask(
        self,
        question: str,
        *,
        k: int = DEFAULT_K,
        history: Sequence[Turn] | None = None,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        abstain: bool = True,
    ) -> Answer:
        """Answer ``question`` from the top ``k`` passages, with numbered citations.

        ``history`` (earlier turns, oldest first) completes elliptical follow-ups;
        ``abstain=False`` returns the reader's best span whatever its confidence (the
        benchmark uses it to calibrate the abstention threshold). The confidence is the
        calibrator's P(right) for the reading's signals (qa.reading.calibration).
        """
        started = time.perf_counter()
        text = clean_question(question)
        if not 1 <= k <= MAX_K:
            raise UsageError(f"k={k} is out of range: use 1 to {MAX_K}")
        if history is not None and len(history) > MAX_HISTORY_TURNS:
            raise UsageError(
                f"the conversation has {len(history)} turns; at most {MAX_HISTORY_TURNS} are kept"
            )
        k = min(k, len(self.snapshot.chunks))
        # An answer that is not text (from the web API's JSON) counts as none; an answer is
        # matched like any text (it comes back in its printed characters).
        turns = [
            Turn(clean_question(t.question),
                 normalize_line(t.answer) if isinstance(t.answer, str) else None)
            for t in history or ()
        ]  # fmt: skip
        resolved = resolve(text, turns)
        retrieval = self.retriever.search(resolved.text, k, filters, mode)
        retrieved = time.perf_counter()
        expansion = retrieval.expansion or self.retriever.expander.expand(resolved.text)
        analysis = analyze_question(resolved.text, expansion, resolved.type_text)
        if resolved.rewritten and turns and turns[-1].answer:
            analysis = replace(analysis, previous_answer=normalize_line(turns[-1].answer))
        reading = self.reader.read(analysis, retrieval.hits, abstain=False)
        signals = self.signal_reader.signals(analysis, reading, retrieval.hits, resolved.subject,
                                             single_retriever=mode != "hybrid")  # fmt: skip
        confidence, threshold = reading.confidence, self.reader.threshold(analysis.english)
        if signals is not None and self.calibrator is not None:
            confidence = self.calibrator.probability(signals)
            threshold = self.calibrator.threshold(signals.reader)
        if abstain and reading.span is not None and confidence < threshold:
            why = self.signal_reader.why_not_confident(analysis, reading, resolved.subject)
            reading = replace(reading, span=None, reason=why)
        finished = time.perf_counter()
        return Answer(
            question=question,
            answer=self._printed_answer(reading),
            confidence=confidence,
            citations=self._citations(reading),
            passages=tuple(self._passage(h) for h in retrieval.hits),
            reason=reading.reason,
            timings_ms={
                "retrieve": (retrieved - started) * 1000,
                "read": (finished - retrieved) * 1000,
                "total": (finished - started) * 1000,
            },
            interpreted_as=resolved.text if resolved.text != question else "",
            signals=signals,
            threshold=threshold,
        )

    def check(
        self,
        text: str,
        *,
        k: int = CHECK_K,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
    ) -> CheckReport:
        """Fact-check ``text`` (a claim or a paragraph of a draft): one verdict per
        checkable statement, each with the article sentence that decides it."""
        started = time.perf_counter()
        try:
            printed = clean_claim(text)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        if not 1 <= k <= MAX_K:
            raise UsageError(f"k={k} is out of range: use 1 to {MAX_K}")
        view = matching_view(printed)
        statements = split_statements(view.text)
        if len(statements) > MAX_STATEMENTS:
            raise UsageError(
                f"the text holds {len(statements)} statements; check at most {MAX_STATEMENTS} "
                "at a time"
            )
        k = min(k, len(self.snapshot.chunks))
        verdicts = []
        for statement in statements:
            retrieval = self.retriever.search(statement.query, k, filters, mode)
            if statement.english:
                query = statement.query
                decision = self.checker.check_english(
                    statement, retrieval.hits,
                    lambda hits, query=query: self._local_expansion(query, hits[:RENDER_K]),
                )  # fmt: skip
            else:
                expansion = retrieval.expansion or self.retriever.expander.expand(statement.query)
                decision = self.checker.check(statement, retrieval.hits, expansion)
            verdicts.append(self._verdict(view, statement.start, statement.end, decision))
        total = (time.perf_counter() - started) * 1000
        timings = {"total": total, "per_statement": total / max(1, len(statements))}
        return CheckReport(printed, tuple(verdicts), timings)

    def _local_expansion(self, text: str, hits: Sequence[Hit]) -> Expansion:
        """An English statement rendered in the words of the passages it is checked
        against: the renderings an archive uses most elsewhere need not be the evidence's
        ("market entities" is 市场主体 on the page, whatever 5,000 other articles say)."""
        # (with their datelines, which are evidence too: 新华社北京1月15日电)
        passages = "\n".join(
            f"{normalize_line(h.article.title)}\n{normalize_line(h.article.dateline)}\n"
            f"{h.chunk.text}" for h in hits
        )  # fmt: skip
        # words, not substrings: 新生 is not in 创新生态
        words = Counter(analyze(passages))
        expander = EnglishExpander(words.__contains__, self.snapshot.lexical.short_words,
                                   words.__getitem__)  # fmt: skip
        return expander.expand(text)

    @staticmethod
    def _verdict(view: TextView, start: int, end: int, decision: Decision) -> Verdict:
        """A decision, mapped to printed characters: the statement as submitted, the
        evidence and the article's values as printed."""
        first, last = view.span(start, end)
        evidence = None
        alignments = []
        sentence = decision.sentence
        # the sentence is in the article's text or in its heading (Sentence.part)
        printed = sentence.article.part(sentence.part) if sentence is not None else ""
        matched = matching_view(printed)
        for found in decision.alignments:
            if sentence is not None and found.start is not None and found.end is not None:
                a_start, a_end = matched.span(found.start, found.end)
                found = replace(found, start=a_start, end=a_end,
                                printed=printed[a_start:a_end])  # fmt: skip
            alignments.append(found)
        if sentence is not None:
            s_start, s_end = matched.span(sentence.start, sentence.end)
            evidence = Citation(
                n=1, article_id=sentence.article.id, title=sentence.article.title,
                published_at=sentence.article.published_at, source=sentence.article.source,
                chunk_id=sentence.chunk.id, start=s_start, end=s_end,
                quote=printed[s_start:s_end], part=sentence.part,
            )  # fmt: skip
        return Verdict(view.original[first:last], first, last, decision.verdict, decision.note,
                       evidence, tuple(alignments), decision.score)  # fmt: skip

    # Everything the reader found is in the articles' matched text; what leaves the pipeline
    # is mapped back to the printed characters (qa.textnorm), so that quotes are verbatim.

    @staticmethod
    def _printed_answer(reading: Reading) -> str | None:
        """The answer span as printed in its article."""
        if reading.span is None:
            return None
        span = reading.span
        return span.sentence.article.matched.original_text(span.start, span.end)

    @staticmethod
    def _passage(hit: Hit) -> Passage:
        """A retrieved chunk as printed."""
        start, end = hit.article.matched.span(hit.chunk.start, hit.chunk.end)
        return Passage(
            rank=hit.rank,
            article_id=hit.article.id,
            title=hit.article.title,
            published_at=hit.article.published_at,
            source=hit.article.source,
            chunk_id=hit.chunk.id,
            start=start,
            end=end,
            text=hit.article.text[start:end],
            score=round(hit.score, 6),
        )

    @staticmethod
    def _citations(reading: Reading) -> tuple[Citation, ...]:
        """The answer's sentence first, then the best sentences of other passages."""
        if reading.span is None:
            return ()
        span = reading.span
        chosen = [span.sentence]
        for sentence in reading.sentences:
            if len(chosen) > SUPPORTING_CITATIONS:
                break
            if (
                sentence.chunk.id != span.sentence.chunk.id
                and sentence.coverage >= 0.5
                and all(
                    sentence.article.id != c.article.id or sentence.start != c.start for c in chosen
                )
            ):
                chosen.append(sentence)
        citations = []
        for n, sentence in enumerate(chosen, start=1):
            holds_answer = sentence is span.sentence
            matched = sentence.article.matched
            start, end = matched.span(sentence.start, sentence.end)
            # the answer's offsets are in its own article, so only its sentence maps them
            answer_start, answer_end = (
                matched.span(span.start, span.end) if holds_answer else (None, None)
            )
            citations.append(
                Citation(
                    n=n,
                    article_id=sentence.article.id,
                    title=sentence.article.title,
                    published_at=sentence.article.published_at,
                    source=sentence.article.source,
                    chunk_id=sentence.chunk.id,
                    start=start,
                    end=end,
                    quote=sentence.article.text[start:end],
                    answer_start=answer_start,
                    answer_end=answer_end,
                )
            )
        return tuple(citations)
