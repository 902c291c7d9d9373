"""Arbitrary bytes and text never crash ingest or ask: the only errors are QAErrors."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.encoders.embedding import HashEmbedder
from qa.errors import InputError, QAError, UsageError
from qa.ingest import parse_crud, parse_jsonl, parse_page, read_articles
from qa.pipeline import Pipeline

FUZZ = settings(
    max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PIECES = [
    *"株洲日报记者新华社电月日年。,、“”!?:;()/▶ \n",
    "\n\n",
    "下转3版",
    "1月15日",
    "——",
    "株洲日报(全媒体记者/周菁) ",
    " 摄",
    "\u200b",
    "\u202e",
    "\x00",
    "标题行",
]
page_like = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_any_bytes_read_cleanly_or_fail_with_input_error(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "input.txt"
    path.write_bytes(data)
    try:
        result = read_articles([path], skip_bad=False)
    except InputError as exc:
        assert str(path) in str(exc)
    else:
        for article in result.articles:
            assert article.text and "\x00" not in article.text


@FUZZ
@given(text=page_like)
def test_page_parser_never_crashes(text: str) -> None:
    try:
        articles = parse_page(text, Path("fuzz.txt"))
    except InputError:
        return
    for article in articles:
        assert article.text and article.published_at


@FUZZ
@given(text=st.text(max_size=500))
def test_jsonl_and_crud_parsers_never_crash(text: str) -> None:
    for parse in (parse_jsonl, parse_crud):
        with contextlib.suppress(InputError):
            list(parse(text, Path("fuzz.jsonl"), None))
        problems: list = []
        list(parse(text, Path("fuzz.jsonl"), problems))  # skip_bad never raises


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    from qa.indexing.build import build_index
    from tests.conftest import PAGE

    index_dir = tmp_path_factory.mktemp("fuzz-index") / "index"
    build_index(index_dir, read_articles([PAGE]).articles, HashEmbedder(64))
    return Pipeline.load(index_dir, embedder=HashEmbedder(64), reader="fast")


@FUZZ
@given(question=st.text(max_size=300))
def test_any_question_gets_an_answer_or_a_usage_error(pipeline: Pipeline, question: str) -> None:
    try:
        answer = pipeline.ask(question)
    except UsageError:
        return
    for citation in answer.citations:
        article = pipeline.snapshot.articles[citation.article_id]
        assert article.text[citation.start : citation.end] == citation.quote


@FUZZ
@given(
    question=st.text(max_size=60),
    previous=st.text(max_size=60),
    answer=st.none() | st.text(max_size=20),
)
def test_any_history_is_handled(
    pipeline: Pipeline, question: str, previous: str, answer: str | None
) -> None:
    from qa.pipeline import Turn

    with contextlib.suppress(QAError):
        pipeline.ask(question, history=[Turn(previous, answer)])
