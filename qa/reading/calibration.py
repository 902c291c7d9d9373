"""A confidence that is a probability: the readers' signals through a fitted logistic model.

A reader's own score says how sure the model is of its span, not how often such spans are
right: the neural reader's margin over "no answer" was learned on answerable questions only,
and the fast reader's is a coverage score. So the pipeline measures a few signals of every
reading (``Signals``) — the reader's score, how much of the question the passage, the
sentence and the answer's own clause contain, whether the question's named entities and its
most specific word appear where the answer is, whether dense and BM25 retrieval agree — and
``Calibrator`` maps them to P(the answer is right), one logistic model per reader. The models
are fitted by ``python -m eval.calibration`` on questions of the training sets asked over an
index of news (README, "Confidence"); their coefficients live in ``models/calibrator.json``.

One rule stands beside the model (the subject check): an answer cannot be confident,
whatever the reader's score, when
- its passage, its article's headline and lead lack a place, organisation or person the
  question names (Chinese questions: jieba's names; English renderings are too uncertain
  for any of these checks);
- it is a number whose clause holds none of the question's words: "近12亿元" in
  "…,节约社会物流成本近12亿元" measures the saving, not GDP;
- it answers a "那X呢?" follow-up from a sentence that does not name X, when X is a name
  (炎陵).
The specific noun a question asks about otherwise weighs through the model: whether it is in
the answer's clause and sentence.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.config import PROJECT_ROOT
from qa.errors import ModelError
from qa.indexing.lexical import LexicalIndex
from qa.question import NUMERIC_TYPES, AnswerType, QuestionAnalysis
from qa.reading.coverage import QuestionCoverage
from qa.reading.protocol import Reading, Sentence, Span
from qa.textnorm import normalize_line
from qa.tokens import tagged
from qa.types import Hit, Signals

CALIBRATOR_FILE = PROJECT_ROOT / "models" / "calibrator.json"
FORMAT_VERSION = 1
FEATURES = (
    "raw_logit",
    "passage_coverage",
    "sentence_coverage",
    "clause_coverage",
    "entities_in_sentence",
    "entities_in_article",
    "focus_in_clause",
    "focus_in_sentence",
    "retrievers_agree",
    "reciprocal_rank",
    "typed",
)
SUBJECT_CAP = 0.05
"""The most an answer may be trusted when its sentence and article lack the subject."""
_NAMED_FLAGS = ("nr", "ns", "nt", "nz")
"""jieba's tags of names (nrt, nrfg: transliterated and other person names). Latin words
(GDP) are specific nouns, not names: they may be a question's focus."""
_CLAUSE_BREAK = re.compile(r"[,;:，；：。!?！？]")
_EPSILON = 1e-4


def _found(group: Sequence[str], text: str) -> bool:
    lowered = text.lower()
    return any(term.lower() in lowered for term in group)


_WH_WORD = re.compile(r"^(?:哪[个些家位座种类一]?|什么|何|几)$")
_PLACE_SUFFIX = re.compile(r"(?<=..)[市县区省州镇乡村]$")
GENERIC_SHARE = 0.05
GENERIC_FLOOR = 20
"""A name found in more than max(20, 5%) of the index's passages (株洲 in a Zhuzhou paper,
中国) is the collection's setting, not what sets one article apart."""


def entity_groups(
    question: QuestionAnalysis, lexical: LexicalIndex | None = None
) -> list[tuple[str, ...]]:
    """The question's word groups that name a specific place, organisation or person.

    Chinese: words jieba tags as names, except the noun a question word asks for (哪个[城市])
    and, given the index, names so common in it that they set nothing apart. English: the
    capitalised words after the first (their renderings are guesses, so they feed the model
    but not the subject check).
    """
    if question.english:
        named = []
        for word, group in zip(question.words, question.groups, strict=False):
            found = re.search(rf"\b{re.escape(word)}", question.text, re.I)
            if group and found and question.text[found.start()].isupper() and found.start() > 0:
                named.append(group)
        return named
    tokens = tagged(question.text)
    names = set()
    for i, (word, flag, _) in enumerate(tokens):
        if len(word) < 2 or not flag.startswith(_NAMED_FLAGS):
            continue
        if i > 0 and _WH_WORD.match(tokens[i - 1][0]):
            continue  # 哪个城市: the kind of answer asked for
        if lexical is not None and lexical.frequency(word.lower()) > max(
            GENERIC_FLOOR, GENERIC_SHARE * lexical.size
        ):
            continue
        names.add(word.lower())
    return [g for g in question.groups if g and g[0].lower() in names]


LEAD_CHARS = 150


def _where_named(sentence: Sentence) -> str:
    """Where an article names what a passage of it is about: its headline, its lead and
    the passage itself. A long article (a government work report) mentions many places
    somewhere; that one of them appears in it says nothing of the passage."""
    article = sentence.article
    lead = article.matched.text[:LEAD_CHARS]
    return f"{normalize_line(article.title)}\n{lead}\n{sentence.chunk.text}"


def _name_forms(group: Sequence[str]) -> tuple[str, ...]:
    """A name and its core without an administrative suffix (株洲市 → 株洲)."""
    return tuple(dict.fromkeys([*group, *(_PLACE_SUFFIX.sub("", t) for t in group)]))


def _name_in(named: str) -> str:
    """The place, organisation or person in what a "那X呢?" follow-up asks about ("炎陵的项目"
    → 炎陵), or "" when it names none (明年, 竣工投产的): only a name must be in the
    answer's sentence; a year or a predicate is said in many ways."""
    if not named:
        return ""
    return next((w for w, flag, _ in tagged(named) if flag.startswith(_NAMED_FLAGS)
                 and len(w) >= 2), "")  # fmt: skip


def _clause_of(span: Span) -> str:
    """The clause of the span's sentence around it: from the last break before it to the
    next."""
    text, start = span.sentence.text, span.start - span.sentence.start
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right = _CLAUSE_BREAK.search(text, span.end - span.sentence.start)
    return text[left : right.start() if right else len(text)]


class SignalReader:
    """Measures ``Signals`` of readings over one index (its IDF table weighs the words)."""

    def __init__(self, evidence: QuestionCoverage, lexical: LexicalIndex | None = None) -> None:
        self.evidence = evidence
        self.lexical = lexical

    def _subject_failure(
        self,
        question: QuestionAnalysis,
        span: Span,
        clause: str,
        entities: Sequence[tuple[str, ...]],
        named: str,
    ) -> str:
        """Why ``span`` fails the subject check (module docstring), or "" when it passes."""
        if question.english:
            return ""  # its Chinese renderings are guesses: no veto on them
        sentence = span.sentence
        # The sentence is part of the passage: a name the passage, headline and lead lack,
        # it lacks too. Only names decide: the focus word is often paraphrased (起源 for
        # 创立), so its absence is a signal for the model, not a veto (on the calibration
        # data, a focus-word veto refused a quarter of the answerable questions).
        scope = _where_named(sentence)
        missing = [g[0] for g in entities if not _found(_name_forms(g), scope)]
        if missing:
            words = "、".join(missing[:3])
            return f"文章中没有提到{words} / the closest article does not mention {words}"
        name = _name_in(named)
        if name and not _found(_name_forms((name,)), sentence.text):
            return f"找到的句子没有提到{name} / the sentence found does not mention {name}"
        # A number measures what its own clause names ("节约社会物流成本近12亿元"): a clause
        # with none of the question's words holds a number about something else (GDP).
        numeric = question.answer_type in NUMERIC_TYPES
        if numeric and self.evidence.of(question, clause)[0] == 0:
            return (
                f"找到的数字说的是别的事: “{clause}” / the number found measures something "
                f"else: “{clause}”"
            )
        return ""

    def why_not_confident(
        self, question: QuestionAnalysis, reading: Reading, named: str = ""
    ) -> str:
        """Why an answer failed the subject check (or was withheld), in both languages."""
        span = reading.span
        if span is None:
            return reading.reason
        entities = entity_groups(question, self.lexical)
        failure = self._subject_failure(question, span, _clause_of(span), entities, named)
        return failure or self.evidence.why_not(question, span.sentence)

    def signals(
        self,
        question: QuestionAnalysis,
        reading: Reading,
        hits: Sequence[Hit],
        named: str = "",
        *,
        single_retriever: bool = False,
    ) -> Signals | None:
        """The signals of ``reading`` (None when it holds no span); ``named`` is what a
        "那X呢?" follow-up asks about, which the answer's sentence must name;
        ``single_retriever``: the hits come from dense or BM25 retrieval alone."""

        span = reading.span
        if span is None:
            return None
        sentence = span.sentence
        hit = next((h for h in hits if h.chunk.id == sentence.chunk.id), None)
        clause = _clause_of(span)
        article_text = _where_named(sentence)
        coverage = self.evidence.of
        entities = entity_groups(question, self.lexical)
        in_sentence = [_found(_name_forms(g), sentence.text) for g in entities]
        in_article = [_found(_name_forms(g), article_text) for g in entities]
        others = [g for g in question.groups if g not in entities]
        focus = max(others, key=self.evidence.weight) if others else None
        failure = self._subject_failure(question, span, clause, entities, named)
        if hit is None:
            agree = False
        elif single_retriever:
            # One list only (dense or BM25 mode): agreement is with itself.
            agree = (hit.dense_rank or hit.lexical_rank or hit.rank) <= 3
        else:
            agree = (hit.dense_rank is not None and hit.lexical_rank is not None
                     and hit.dense_rank <= 3 and hit.lexical_rank <= 3)  # fmt: skip
        return Signals(
            reader=reading.reader or ("fast" if question.english else "neural"),
            raw=reading.confidence,
            passage_coverage=coverage(question, sentence.chunk.text)[0],
            sentence_coverage=coverage(question, sentence.text)[0],
            clause_coverage=coverage(question, clause)[0],
            entities_in_sentence=sum(in_sentence) / len(entities) if entities else 1.0,
            entities_in_article=sum(in_article) / len(entities) if entities else 1.0,
            focus_in_clause=float(focus is None or _found(focus, clause)),
            focus_in_sentence=float(focus is None or _found(focus, sentence.text)),
            retrievers_agree=float(agree),
            reciprocal_rank=1.0 / hit.rank if hit else 0.0,
            typed=float(
                question.answer_type in NUMERIC_TYPES or question.answer_type is AnswerType.DATE
            ),
            subject_missing=bool(failure),
        )


def features(signals: Signals) -> list[float]:
    """The calibrator's input, in ``FEATURES`` order: the reader's score as a logit."""
    raw = min(max(signals.raw, _EPSILON), 1 - _EPSILON)
    return [math.log(raw / (1 - raw)), *(float(getattr(signals, n)) for n in FEATURES[1:])]


@dataclass(frozen=True, slots=True)
class LogisticModel:
    """P(right) = sigmoid(scale · (bias + weights · features) + shift).

    ``weights`` and ``bias`` are fitted on the training-set questions; ``scale`` and
    ``shift`` (Platt scaling) then move that logit to the news domain, on the benchmark's
    dev part: its questions are answered right far more often than CMRC's long Wikipedia
    answers are matched exactly, at the same signals.
    """

    weights: tuple[float, ...]
    bias: float
    scale: float = 1.0
    shift: float = 0.0

    def logit(self, features: Sequence[float]) -> float:
        """The training-set model's logit, before the domain's scale and shift."""
        return self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))

    def probability(self, features: Sequence[float]) -> float:
        """The model's probability for one feature vector."""
        z = self.scale * self.logit(features) + self.shift
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def trusted(self, signals: Signals) -> float:
        """P(right) for a reading's signals, capped at SUBJECT_CAP when the subject check
        failed."""
        p = self.probability(features(signals))
        return min(p, SUBJECT_CAP) if signals.subject_missing else p


@dataclass(frozen=True, slots=True)
class Calibrator:
    """One logistic model per reader and the probability below which the pipeline abstains."""

    models: dict[str, LogisticModel]
    thresholds: dict[str, float]
    """Per reader: abstain when P(right) is below this (set on the benchmark's dev part)."""
    meta: dict[str, Any]

    def threshold(self, reader: str) -> float:
        """The probability below which an answer of ``reader`` is withheld."""
        return self.thresholds.get(reader, 0.5)

    def probability(self, signals: Signals) -> float:
        """P(the answer is right) for a reading's signals, the subject check applied."""
        model = self.models.get(signals.reader)
        if model is None:
            raise ModelError(
                f"{CALIBRATOR_FILE.name} has no model for the {signals.reader} reader: refit it "
                "with `python -m eval.calibration`"
            )
        return model.trusted(signals)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``models/calibrator.json``."""
        return {
            "version": FORMAT_VERSION,
            "features": list(FEATURES),
            "thresholds": self.thresholds,
            "models": {
                name: {
                    "weights": list(m.weights),
                    "bias": m.bias,
                    "scale": m.scale,
                    "shift": m.shift,
                }
                for name, m in self.models.items()
            },
            **self.meta,
        }

    def save(self, path: Path = CALIBRATOR_FILE) -> None:
        """Write the calibrator as JSON."""
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path = CALIBRATOR_FILE) -> Calibrator:
        """Read a calibrator, checking that it was fitted on the features this code measures."""
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read {path}: {exc}; restore it from git") from exc
        if data.get("version") != FORMAT_VERSION or tuple(data.get("features", ())) != FEATURES:
            raise ModelError(
                f"{path} was fitted on other signals ({data.get('features')}): refit it with "
                "`python -m eval.calibration`"
            )
        models = {
            name: LogisticModel(
                tuple(float(w) for w in m["weights"]),
                float(m["bias"]),
                float(m.get("scale", 1.0)),
                float(m.get("shift", 0.0)),
            )
            for name, m in data["models"].items()
        }
        thresholds = {name: float(t) for name, t in data["thresholds"].items()}
        if any(t <= SUBJECT_CAP for t in thresholds.values()):
            # At or below the cap, the subject check would let its answers through.
            raise ModelError(
                f"{path}: a threshold at or below the subject check's cap {SUBJECT_CAP} "
                f"({thresholds}) would switch the check off: refit with "
                "`python -m eval.calibration`"
            )
        meta = {k: v for k, v in data.items()
                if k not in {"version", "features", "thresholds", "models"}}  # fmt: skip
        return cls(models, thresholds, meta)
