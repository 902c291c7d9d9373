"""A span-extraction reader fine-tuned from the e5 encoder (trained by qa.reading.train).

Only the weights that differ from the provisioned base model ship (models/, fp16); they
are laid over the base at load time. Scores follow SQuAD 2.0 practice: a span scores
start + end logit, the "no answer" option scores the <s> token's, and the confidence is a
logistic of the margin between the best span and no answer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qa.checksums import sha256_file
from qa.errors import ModelError
from qa.question import CLASSIFIERS, NUMERIC_TYPES, AnswerType, QuestionAnalysis
from qa.reading.protocol import NO_SPAN, NOT_CONFIDENT, NOTHING_RETRIEVED, Reading, Sentence, Span
from qa.reading.span_fitting import fit_span, repeats_previous_answer
from qa.reading.span_model import (
    CONFIG_FILE,
    DEFAULT_MODEL_DIR,
    WEIGHTS_FILE,
    NeuralReaderConfig,
    serving_model,
    trim_answer_span,
)
from qa.types import Hit

if TYPE_CHECKING:
    from qa.indexing.store import IndexSnapshot


_DIGIT = re.compile(r"[0-9一二三四五六七八九十百千万亿两]")
_MONEY_UNIT = re.compile(r"元|[万亿]")
_OTHER_MEASURE = re.compile(r"元|%|百分点")
_MEASURE_AFTER = re.compile(r"[0-9.]|[万亿]*(?:元|%|个百分点)")
_BARE_NUMBER = re.compile(r"[0-9.,一二三四五六七八九十百千万亿两]+[多余]?")
_COUNTED = re.compile(
    r"(?:近|约|超|共|逾|达)?[0-9一二三四五六七八九十百千两][0-9.,一二三四五六七八九十百千两]*"
    rf"[多余]?[万亿]?[多余]?(?P<unit>{CLASSIFIERS})"
)
_SAME_MEASURE = (frozenset({"人", "名", "位", "人次", "万人次"}), frozenset({"户", "万户"}),
                 frozenset({"辆", "万辆"}), frozenset({"吨", "万吨"}))  # fmt: skip


class NeuralReader:
    """Reads the top passages with the fine-tuned span model (CPU)."""

    def __init__(self, model_dir: Path = DEFAULT_MODEL_DIR, base_dir: Path | None = None) -> None:
        import torch
        from safetensors.torch import load_file

        from qa.encoders.provision import provision_e5
        from qa.encoders.tokenizer import shared_tokenizer

        weights = model_dir / WEIGHTS_FILE
        if not weights.is_file():
            raise ModelError(
                f"no trained reader in {model_dir}: train one with `python -m qa.reading.train` "
                "or use --reader fast"
            )
        meta = json.loads((model_dir / CONFIG_FILE).read_text("utf-8"))
        expected = meta.get("sha256")
        if expected and sha256_file(weights) != expected:
            raise ModelError(f"{weights} does not match its checksum in {CONFIG_FILE}: restore it")
        self.config = NeuralReaderConfig(**meta.get("inference", {}))
        base = base_dir or provision_e5()
        self.tokenizer = shared_tokenizer(base / "tokenizer.json")
        delta = {k: v.float() for k, v in load_file(str(weights)).items()}
        self.model = serving_model(base, delta)
        self.torch = torch
        self.meta = meta

    def threshold(self, english: bool) -> float:
        """Confidence below which the reader abstains."""
        return self.config.threshold_en if english else self.config.threshold_zh

    def for_index(self, snapshot: IndexSnapshot) -> NeuralReader:
        """This reader: it does not depend on the index, so its model is reused."""
        return self

    def features(self, question: str, contexts: Sequence[str]) -> list[tuple[int, Any]]:
        """(context index, encoding) of each window: question + as much context as fits.

        A context longer than ``max_length`` tokens gives several windows overlapping by
        ``stride`` tokens, in order: the features the reader was trained on.
        """
        encodings = self.tokenizer.encode_batch(
            [(question, context) for context in contexts],
            self.config.max_length,
            stride=self.config.stride,
            strategy="only_second",
        )
        return [
            (index, window)
            for index, encoding in enumerate(encodings)
            for window in (encoding, *encoding.overflowing)
        ]

    def _spans(
        self, question: str, contexts: Sequence[str]
    ) -> list[list[tuple[float, float, int, int]]]:
        """Per context: (span score, null score, char start, char end), best first."""
        features = self.features(question, contexts)
        ids, mask = self.tokenizer.padded([encoding for _, encoding in features])
        with self.torch.inference_mode():
            start, end = self.model(self.torch.from_numpy(ids), self.torch.from_numpy(mask))
        starts, ends = start.numpy(), end.numpy()
        results: list[list[tuple[float, float, int, int]]] = [[] for _ in contexts]
        for feature, (context_index, encoding) in enumerate(features):
            sequence = encoding.sequence_ids
            offsets = encoding.offsets
            context_tokens = [i for i, s in enumerate(sequence) if s == 1]
            if not context_tokens:
                continue
            null = float(starts[feature, 0] + ends[feature, 0])
            first, last = context_tokens[0], context_tokens[-1]
            s_logits = starts[feature, first : last + 1]
            e_logits = ends[feature, first : last + 1]
            scores = s_logits[:, None] + e_logits[None, :]
            width = len(context_tokens)
            mask = np.triu(np.ones((width, width), bool)) & ~np.triu(
                np.ones((width, width), bool), k=self.config.max_answer_tokens
            )
            scores = np.where(mask, scores, -np.inf)
            for flat in np.argsort(-scores, axis=None)[:20]:
                i, j = divmod(int(flat), width)
                if not math.isfinite(scores[i, j]):
                    break
                char_start, char_end = offsets[first + i][0], offsets[first + j][1]
                if char_end > char_start:
                    results[context_index].append((float(scores[i, j]), null, char_start, char_end))
        return results

    @staticmethod
    def _fits_type(question: QuestionAnalysis, text: str, start: int, end: int) -> bool:
        """Numeric questions need a number; money questions a sum, counts anything but one."""
        span = text[start:end]
        kind = question.answer_type
        if kind not in NUMERIC_TYPES and kind is not AnswerType.DATE:
            return True
        if not _DIGIT.search(span):
            return False
        if kind is AnswerType.MONEY:
            return bool(_MONEY_UNIT.search(span)) and "%" not in span  # a sum, not a share
        if kind is AnswerType.COUNT:
            # Counts often come without their measure word ("68,511" for 多少户), so
            # only spans that measure something else (a sum, a share) are ruled out.
            # "12" cut from "12亿元" is a sum too.
            return (
                not _OTHER_MEASURE.search(span)
                and not _MEASURE_AFTER.match(text, end)
                and _measures_alike(question.unit, _COUNTED.match(text, start, end + 4))
            )
        return True

    @staticmethod
    def _with_unit(question: QuestionAnalysis, text: str, start: int, end: int) -> int:
        """Extend a bare count ("35") by the measure word the question asks for ("35项")."""
        unit = question.unit
        if question.answer_type is not AnswerType.COUNT or not unit:
            return end
        if _BARE_NUMBER.fullmatch(text[start:end]) and text.startswith(unit, end):
            return end + len(unit)
        return end

    def candidates(self, question: QuestionAnalysis, hits: Sequence[Hit]) -> list[Candidate]:
        """Each top passage's best span of the asked kind, in retrieval order."""
        chosen = list(hits[: self.config.passages])
        if not chosen:
            return []
        per_context = self._spans(question.text, [h.chunk.text for h in chosen])
        found: list[Candidate] = []
        for hit, spans in zip(chosen, per_context, strict=True):
            for score, null, start, end in spans:
                start, end = trim_answer_span(hit.chunk.text, start, end)
                if end <= start:
                    continue
                end = self._with_unit(question, hit.chunk.text, start, end)
                start, end = fit_span(question, hit.chunk.text, start, end)
                if end <= start or repeats_previous_answer(question, hit.chunk.text[start:end]):
                    continue  # nothing left, or the previous turn's answer: the user asks anew
                if self.config.type_veto and not self._fits_type(
                    question, hit.chunk.text, start, end
                ):
                    continue
                margin = (score - null) / self.config.temperature
                confidence = 1.0 / (1.0 + math.exp(-margin))
                found.append(Candidate(hit, hit.chunk.start + start, hit.chunk.start + end,
                                       confidence))  # fmt: skip
                break  # spans come best first: the first that passes is this passage's answer
        return found

    @staticmethod
    def nothing_found(hits: Sequence[Hit]) -> Reading:
        """The abstention when no passage holds a span of the asked kind."""
        why = NO_SPAN if hits else NOTHING_RETRIEVED
        return Reading(None, 0.0, (), why, "neural")

    def reading(
        self, question: QuestionAnalysis, candidate: Candidate, confidence: float, *, abstain: bool
    ) -> Reading:
        """The reading for ``candidate`` at ``confidence`` (an abstention below threshold)."""
        hit, a_start, a_end = candidate.hit, candidate.start, candidate.end
        sentence = _sentence_around(hit, a_start, a_end, confidence)
        if abstain and confidence < self.threshold(question.english):
            return Reading(None, confidence, (sentence,), NOT_CONFIDENT, "neural")
        text = hit.article.matched.text[a_start:a_end]
        span = Span(sentence, a_start, a_end, text, question.answer_type)
        return Reading(span, confidence, (sentence,), "span read by the neural reader", "neural")

    def read(
        self, question: QuestionAnalysis, hits: Sequence[Hit], *, abstain: bool = True
    ) -> Reading:
        """The best span over the top passages, or an abstention."""
        found = self.candidates(question, hits)
        if not found:
            return self.nothing_found(hits)
        best = max(found, key=lambda c: c.confidence)
        return self.reading(question, best, best.confidence, abstain=abstain)


def _measures_alike(asked: str | None, counted: re.Match[str] | None) -> bool:
    """Whether a count measured in ``counted`` can answer a question asking for ``asked``:
    "97家" does not say how many 员工 (人), while 个, the general measure word, and a bare
    number can count anything."""
    if asked is None or counted is None:
        return True
    found = counted["unit"]
    if found == asked or "个" in (found, asked):
        return True
    return any(found in group and asked in group for group in _SAME_MEASURE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One passage's best span: its article offsets and the model's confidence."""

    hit: Hit
    start: int
    end: int
    confidence: float


def _sentence_around(hit: Hit, start: int, end: int, score: float) -> Sentence:
    """The sentence of the hit's chunk that holds [start, end) (or the chunk)."""
    from qa.indexing.chunking import sentence_spans

    for s, e in sentence_spans(hit.chunk.text):
        a_s, a_e = hit.chunk.start + s, hit.chunk.start + e
        if a_s <= start and end <= a_e:
            text = hit.chunk.text[s:e]
            return Sentence(hit.article, hit.chunk, a_s, a_e, text, hit.rank, score, score, score)
    return Sentence(hit.article, hit.chunk, hit.chunk.start, hit.chunk.end, hit.chunk.text,
                    hit.rank, score, score, score)  # fmt: skip
