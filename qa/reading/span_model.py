"""The span-extraction model and its conventions, apart from answering.

What training (``qa.reading.train``, also on a GPU machine without the product's language
tools) and serving (``qa.reading.neural``) share: the model's layout, which parameters ship,
the inference settings stored beside the weights, and the trimming of predicted spans.
It imports neither jieba nor the index, so it runs wherever torch does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.config import PROJECT_ROOT
from qa.errors import ModelError

DEFAULT_MODEL_DIR = PROJECT_ROOT / "models" / "reader-e5-small"
WEIGHTS_FILE = "delta.safetensors"
CONFIG_FILE = "reader.json"
FROZEN = ("encoder.embeddings.word_embeddings.weight",)
"""Parameters never trained (so never shipped): they come from the base model."""
_SKIPPED_PREFIXES = ("encoder.pooler.",)
_TRAILING = re.compile(r"(?:[。,,、;;::!?!?\s]|的(?=$))+$")
_LEADING = re.compile(r"^(?:位于|是|为|由于|在|于|约为|达到?)(?=.{2,})")


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

    Same function and parameter names as ``build_model``, on ``qa.encoders.bert`` instead of
    transformers (whose import alone took 4 s of every start-up).
    """
    import torch
    from safetensors.torch import load_file

    from qa.encoders.bert import BertEncoder

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


def trim_answer_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim what DRCD-style answers carry beyond the minimal span: a trailing 。 and a
    leading 位于/是; used on predictions and, when asked, on training targets."""
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
