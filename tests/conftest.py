from __future__ import annotations

import os
import subprocess
import sys
import textwrap
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


def run_killed_at(target: str, setup: str, call: str, *, after_original: bool = False):
    """Run ``setup`` then ``call`` in a fresh Python whose ``target`` (``module.attr`` or
    ``module.Class.attr``) kills the process with SIGKILL when called (after running the
    original with ``after_original``); the page's articles are ``articles``. The result of
    ``subprocess.run``: a write killed mid-way, for the crash-safety tests."""
    module_name, _, attr = target.rpartition(".")
    script = textwrap.dedent(f"""
        import importlib, os, signal
        from qa.ingest import read_articles
        from tests.conftest import PAGE
        try:
            owner = importlib.import_module({module_name!r})
        except ModuleNotFoundError:
            module, _, cls = {module_name!r}.rpartition(".")
            owner = getattr(importlib.import_module(module), cls)
        original = getattr(owner, {attr!r})
        def killer(*args, **kwargs):
            if {after_original!r}:
                original(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        setattr(owner, {attr!r}, killer)
        articles = read_articles([PAGE]).articles
    """) + textwrap.dedent(setup) + call + "\n"
    return subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1],
                          capture_output=True, text=True, timeout=180)  # fmt: skip
