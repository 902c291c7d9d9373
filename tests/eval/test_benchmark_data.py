"""The benchmark's own questions are checked against the shipped corpus."""

from __future__ import annotations

from collections import Counter

import pytest

from eval.datasets import DEV_DATASET, ENGLISH_TEST_DATASET, SPLITS, TEST_DATASET, load_jsonl
from qa.types import Article


@pytest.mark.parametrize("split", [*sorted(SPLITS), "english-test"])
def test_every_answer_and_evidence_is_in_its_article(
    page_articles: tuple[Article, ...], split: str
) -> None:
    by_title = {a.title: a for a in page_articles}
    items = load_jsonl(SPLITS.get(split, ENGLISH_TEST_DATASET))
    for item in items:
        if item.unanswerable:
            assert item.answers == () and item.evidence == "" and item.article_title == ""
            continue
        article = by_title[item.article_title]
        assert item.evidence in article.text, item.id
        for answer in item.answers:
            assert answer in item.evidence, (item.id, answer)


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_dataset_covers_what_the_benchmark_promises(
    page_articles: tuple[Article, ...], split: str
) -> None:
    items = load_jsonl(SPLITS[split])
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)) >= 100
    assert sum(item.lang == "en" for item in items) >= 25
    assert sum(item.unanswerable for item in items) >= 15
    follow_ups = [item for item in items if item.previous]
    assert len(follow_ups) >= 10
    position = {item.id: i for i, item in enumerate(items)}
    assert all(position[f.previous] == position[f.id] - 1 for f in follow_ups)
    per_article = Counter(item.article_title for item in items if not item.unanswerable)
    assert set(per_article) == {a.title for a in page_articles}
    assert min(per_article.values()) >= 6


def test_no_test_question_is_a_dev_question() -> None:
    dev = {item.question for item in load_jsonl(DEV_DATASET)}
    test = load_jsonl(TEST_DATASET)
    assert not [item.id for item in test if item.question in dev]
    assert not {item.id for item in test} & {item.id for item in load_jsonl(DEV_DATASET)}


def test_the_english_test_set_is_english_and_apart_from_the_others() -> None:
    items = load_jsonl(ENGLISH_TEST_DATASET)
    assert len({item.id for item in items}) == len(items) >= 60
    assert all(item.lang == "en" for item in items)
    assert sum(item.unanswerable for item in items) >= 5
    others = [*load_jsonl(DEV_DATASET), *load_jsonl(TEST_DATASET)]
    assert not {item.question for item in items} & {item.question for item in others}
    assert not {item.id for item in items} & {item.id for item in others}
