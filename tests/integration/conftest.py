from __future__ import annotations

from pathlib import Path

import pytest

from qa.encoders.embedding import SentenceTransformerEmbedder, make_embedder
from qa.indexing.build import build_index
from qa.ingest import read_articles
from qa.pipeline import Pipeline
from tests.conftest import PAGE


@pytest.fixture(scope="session")
def e5() -> SentenceTransformerEmbedder:
    embedder = make_embedder()
    assert isinstance(embedder, SentenceTransformerEmbedder)
    return embedder


@pytest.fixture(scope="session")
def e5_page_index(
    tmp_path_factory: pytest.TempPathFactory, e5: SentenceTransformerEmbedder
) -> Path:
    index_dir = tmp_path_factory.mktemp("e5") / "index"
    build_index(index_dir, read_articles([PAGE]).articles, e5)
    return index_dir


@pytest.fixture(scope="session")
def e5_pipeline(e5_page_index: Path, e5: SentenceTransformerEmbedder) -> Pipeline:
    return Pipeline.load(e5_page_index, embedder=e5)
