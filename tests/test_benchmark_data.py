"""The benchmark's own questions are checked against the shipped corpus."""

from __future__ import annotations

from collections import Counter

from eval.datasets import DEFAULT_DATASET, load_jsonl
from qa.types import Article


def test_every_answer_and_evidence_is_in_its_article(page_articles: tuple[Article, ...]) -> None:
    by_title = {a.title: a for a in page_articles}
    items = load_jsonl(DEFAULT_DATASET)
    for item in items:
        if item.unanswerable:
            assert item.answers == () and item.evidence == "" and item.article_title == ""
            continue
        article = by_title[item.article_title]
        assert item.evidence in article.text, item.id
        for answer in item.answers:
            assert answer in item.evidence, (item.id, answer)


def test_dataset_covers_what_the_benchmark_promises(page_articles: tuple[Article, ...]) -> None:
    items = load_jsonl(DEFAULT_DATASET)
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)) >= 120
    assert sum(item.lang == "en" for item in items) >= 25
    assert sum(item.unanswerable for item in items) >= 15
    follow_ups = [item for item in items if item.previous]
    assert len(follow_ups) >= 10
    position = {item.id: i for i, item in enumerate(items)}
    assert all(position[f.previous] == position[f.id] - 1 for f in follow_ups)
    per_article = Counter(item.article_title for item in items if not item.unanswerable)
    assert set(per_article) == {a.title for a in page_articles}
    assert min(per_article.values()) >= 6
