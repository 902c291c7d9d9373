"""The reader's transformer for answering: BERT inference in plain torch, without transformers.

Serving the neural reader through ``transformers.BertModel`` cost 4 s of every start-up
just importing transformers (its model-loading, dynamo and distributed machinery), close
to half of the 60k-article index's load. This module computes the same function — e5's
BERT encoder (absolute positions, post-LayerNorm, exact GELU) — with the same parameter
names, so the state dict of ``transformers.BertModel`` and of the trained reader load as
they are. Training still uses transformers (``qa.reading.span_model.build_model``); an
integration test checks this forward pass against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional


class _Embeddings(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden = config["hidden_size"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], hidden)
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=config["layer_norm_eps"])

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        vectors = (
            self.word_embeddings(input_ids)
            + self.position_embeddings(positions)[None]
            + self.token_type_embeddings.weight[0]  # one segment: type 0 everywhere
        )
        return self.LayerNorm(vectors)


class _SelfAttention(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)


class _Dense(nn.Module):
    """A linear layer, or (with ``eps``) a linear layer whose output joins the residual."""

    def __init__(self, inputs: int, outputs: int, eps: float | None = None) -> None:
        super().__init__()
        self.dense = nn.Linear(inputs, outputs)
        if eps is not None:
            self.LayerNorm = nn.LayerNorm(outputs, eps=eps)


class _Attention(nn.Module):
    def __init__(self, hidden: int, eps: float) -> None:
        super().__init__()
        self.self = _SelfAttention(hidden)
        self.output = _Dense(hidden, hidden, eps)


class _Layer(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden, eps = config["hidden_size"], config["layer_norm_eps"]
        self.heads = config["num_attention_heads"]
        self.attention = _Attention(hidden, eps)
        self.intermediate = _Dense(hidden, config["intermediate_size"])
        self.output = _Dense(config["intermediate_size"], hidden, eps)

    def forward(self, hidden: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        batch, tokens, width = hidden.shape
        attention = self.attention.self

        def heads(projection: nn.Linear) -> torch.Tensor:
            return projection(hidden).view(batch, tokens, self.heads, -1).transpose(1, 2)

        context = functional.scaled_dot_product_attention(
            heads(attention.query), heads(attention.key), heads(attention.value),
            attn_mask=additive_mask,
        )  # fmt: skip
        context = context.transpose(1, 2).reshape(batch, tokens, width)
        out = self.attention.output
        hidden = out.LayerNorm(out.dense(context) + hidden)
        inner = functional.gelu(self.intermediate.dense(hidden))
        return self.output.LayerNorm(self.output.dense(inner) + hidden)


class _Layers(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.layer = nn.ModuleList(_Layer(config) for _ in range(config["num_hidden_layers"]))


class BertEncoder(nn.Module):
    """``transformers.BertModel(add_pooling_layer=False)``'s last hidden state, inference only."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
            raise ValueError(
                f"not a BERT encoder with exact GELU: {config.get('model_type')}, "
                f"{config.get('hidden_act')}"
            )
        self.embeddings = _Embeddings(config)
        self.encoder = _Layers(config)

    @classmethod
    def from_folder(cls, folder: Path) -> BertEncoder:
        """The architecture of ``folder/config.json`` (weights are loaded by the caller)."""
        return cls(json.loads((folder / "config.json").read_text("utf-8")))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Hidden states (batch, tokens, hidden); padding (mask 0) is never attended to."""
        hidden = self.embeddings(input_ids)
        blocked = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(
            hidden.dtype
        ).min
        for layer in self.encoder.layer:
            hidden = layer(hidden, blocked)
        return hidden
