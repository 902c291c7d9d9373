from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa.config import PROJECT_ROOT
from qa.encoders.embedding import HashEmbedder
from qa.indexing.build import build_index
from qa.ingest import read_articles
from qa.types import Article

PAGE = PROJECT_ROOT / "corpus" / "zhuzhou-daily" / "000_3154e59f5d3d3e96.txt"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
CRUD_CORPUS = SHARED_DATA / "news-2023" / "crud_news_2023.txt.gz"


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Tests never touch the checkout's index/; the model cache is shared (it is costly to
    # rebuild) unless the caller points QA_CACHE_DIR elsewhere.
    os.environ["QA_INDEX_DIR"] = str(tmp_path_factory.mktemp("default-index") / "index")


@pytest.fixture(scope="session")
def page_articles() -> tuple[Article, ...]:
    return read_articles([PAGE]).articles


@pytest.fixture()
def hash_embedder() -> HashEmbedder:
    return HashEmbedder(64)


@pytest.fixture()
def page_index(
    tmp_path: Path, page_articles: tuple[Article, ...], hash_embedder: HashEmbedder
) -> Path:
    index_dir = tmp_path / "index"
    build_index(index_dir, page_articles, hash_embedder)
    return index_dir
