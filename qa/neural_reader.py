"""A span-extraction reader fine-tuned from the e5 encoder (trained by qa.train_reader).

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
from qa.config import PROJECT_ROOT
from qa.errors import ModelError
from qa.question import NUMERIC_TYPES, AnswerType, QuestionAnalysis
from qa.reader import Reading, Sentence, Span
from qa.types import Hit

if TYPE_CHECKING:
    from qa.store import IndexSnapshot

DEFAULT_MODEL_DIR = PROJECT_ROOT / "models" / "reader-e5-small"
WEIGHTS_FILE = "delta.safetensors"
CONFIG_FILE = "reader.json"
FROZEN = ("encoder.embeddings.word_embeddings.weight",)
"""Parameters never trained (so never shipped): they come from the base model."""
_SKIPPED_PREFIXES = ("encoder.pooler.",)
_TRAILING = re.compile(r"(?:[。,,、;;::!?!?\s]|的(?=$))+$")
_LEADING = re.compile(r"^(?:位于|是|为|由于|在|于|约为|达到?)(?=.{2,})")
_DIGIT = re.compile(r"[0-9一二三四五六七八九十百千万亿两]")
_MONEY_UNIT = re.compile(r"元|[万亿]")
_OTHER_MEASURE = re.compile(r"元|%|百分点")
_MEASURE_AFTER = re.compile(r"[0-9.]|[万亿]*(?:元|%|个百分点)")
_BARE_NUMBER = re.compile(r"[0-9.,一二三四五六七八九十百千万亿两]+[多余]?")


def build_model(base_dir: Path) -> Any:
    """The span-extraction model: the e5 encoder plus a start/end head."""
    import torch
    from transformers import BertModel

    class SpanReader(torch.nn.Module):
        def __init__(self, encoder: BertModel) -> None:
            super().__init__()
            self.encoder = encoder
            self.qa_outputs = torch.nn.Linear(encoder.config.hidden_size, 2)

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any]:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            logits = self.qa_outputs(hidden)
            start, end = logits.unbind(dim=-1)
            return start, end

    encoder = BertModel.from_pretrained(str(base_dir), add_pooling_layer=False)
    return SpanReader(encoder)


def serving_model(base_dir: Path, delta: dict[str, Any]) -> Any:
    """The trained span reader for answering: base e5 weights plus the shipped ``delta``.

    Same function and parameter names as ``build_model``, on ``qa.bert`` instead of
    transformers (whose import alone took 4 s of every start-up).
    """
    import torch
    from safetensors.torch import load_file

    from qa.bert import BertEncoder

    class ServingSpanReader(torch.nn.Module):
        def __init__(self, encoder: BertEncoder, hidden: int) -> None:
            super().__init__()
            self.encoder = encoder
            self.qa_outputs = torch.nn.Linear(hidden, 2)

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any]:
            start, end = self.qa_outputs(self.encoder(input_ids, attention_mask)).unbind(dim=-1)
            return start, end

    with torch.device("meta"):  # no memory until the weights are assigned below
        encoder = BertEncoder.from_folder(base_dir)
        model = ServingSpanReader(encoder, encoder.embeddings.word_embeddings.embedding_dim)
    base = load_file(str(base_dir / "model.safetensors"))
    state = {
        f"encoder.{name}": tensor
        for name, tensor in base.items()
        if not f"encoder.{name}".startswith(_SKIPPED_PREFIXES)
    }
    try:
        model.load_state_dict({**state, **delta}, strict=True, assign=True)
    except RuntimeError as exc:
        raise ModelError(f"the reader's weights do not fit {base_dir} ({str(exc)[:200]}): "
                         "retrain the reader or re-provision the model") from exc  # fmt: skip
    return model.eval()


def trainable_state(model: Any) -> dict[str, Any]:
    """The parameters that differ from the base model (what ships)."""
    return {
        name: tensor
        for name, tensor in model.state_dict().items()
        if name not in FROZEN and not name.startswith(_SKIPPED_PREFIXES)
    }


@dataclass(frozen=True, slots=True)
class NeuralReaderConfig:
    """Inference settings, stored beside the weights in reader.json."""

    max_length: int = 256
    stride: int = 128
    max_answer_tokens: int = 40
    passages: int = 3
    temperature: float = 2.0
    threshold_zh: float = 0.5
    threshold_en: float = 0.5
    type_veto: bool = True


class NeuralReader:
    """Reads the top passages with the fine-tuned span model (CPU)."""

    def __init__(self, model_dir: Path = DEFAULT_MODEL_DIR, base_dir: Path | None = None) -> None:
        import torch
        from safetensors.torch import load_file

        from qa.models import provision_e5
        from qa.tokenizer import shared_tokenizer

        weights = model_dir / WEIGHTS_FILE
        if not weights.is_file():
            raise ModelError(
                f"no trained reader in {model_dir}: train one with `python -m qa.train_reader` "
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
    def _clean(text: str, start: int, end: int) -> tuple[int, int]:
        """Trim what DRCD-style training leaves on spans: trailing 。 and leading 位于/是."""
        span = text[start:end]
        trailing = _TRAILING.search(span)
        if trailing and trailing.start() > 0:
            end = start + trailing.start()
        leading = _LEADING.match(text[start:end])
        if leading:
            start += leading.end()
        while start < end and text[start].isspace():
            start += 1
        return start, end

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
            return bool(_MONEY_UNIT.search(span))
        if kind is AnswerType.COUNT:
            # Counts often come without their measure word ("68,511" for 多少户), so
            # only spans that measure something else (a sum, a share) are ruled out.
            # "12" cut from "12亿元" is a sum too.
            return not _OTHER_MEASURE.search(span) and not _MEASURE_AFTER.match(text, end)
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
                start, end = self._clean(hit.chunk.text, start, end)
                if end <= start:
                    continue
                end = self._with_unit(question, hit.chunk.text, start, end)
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
        why = "no span of the asked kind in the passages" if hits else "nothing was retrieved"
        return Reading(None, 0.0, (), why)

    def reading(
        self, question: QuestionAnalysis, candidate: Candidate, confidence: float, *, abstain: bool
    ) -> Reading:
        """The reading for ``candidate`` at ``confidence`` (an abstention below threshold)."""
        hit, a_start, a_end = candidate.hit, candidate.start, candidate.end
        sentence = _sentence_around(hit, a_start, a_end, confidence)
        if abstain and confidence < self.threshold(question.english):
            return Reading(None, confidence, (sentence,), "the reader found no confident answer")
        span = Span(sentence, a_start, a_end, hit.article.text[a_start:a_end], question.answer_type)
        return Reading(span, confidence, (sentence,), "span read by the neural reader")

    def read(
        self, question: QuestionAnalysis, hits: Sequence[Hit], *, abstain: bool = True
    ) -> Reading:
        """The best span over the top passages, or an abstention."""
        found = self.candidates(question, hits)
        if not found:
            return self.nothing_found(hits)
        best = max(found, key=lambda c: c.confidence)
        return self.reading(question, best, best.confidence, abstain=abstain)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One passage's best span: its article offsets and the model's confidence."""

    hit: Hit
    start: int
    end: int
    confidence: float


def _sentence_around(hit: Hit, start: int, end: int, score: float) -> Sentence:
    """The sentence of the hit's chunk that holds [start, end) (or the chunk)."""
    from qa.chunking import sentence_spans

    for s, e in sentence_spans(hit.chunk.text):
        a_s, a_e = hit.chunk.start + s, hit.chunk.start + e
        if a_s <= start and end <= a_e:
            return Sentence(hit.article, hit.chunk, a_s, a_e, hit.article.text[a_s:a_e], hit.rank,
                            score, score, score)  # fmt: skip
    return Sentence(hit.article, hit.chunk, hit.chunk.start, hit.chunk.end, hit.chunk.text,
                    hit.rank, score, score, score)  # fmt: skip
