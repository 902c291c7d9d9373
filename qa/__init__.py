"""Question answering over Chinese news: ingest, index, retrieve, read, cite."""

from __future__ import annotations

import os

# No model hub is reachable from this product's machines: never try one, and keep the
# libraries quiet about it.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__version__ = "0.1.0"
