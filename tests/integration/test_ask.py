"""Questions over the shipped page with the real model (marked integration)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa.pipeline import Pipeline, Turn
from qa.types import Answer

pytestmark = pytest.mark.integration


def check_citations(pipeline: Pipeline, answer: Answer) -> None:
    for citation in answer.citations:
        article = pipeline.snapshot.articles[citation.article_id]
        assert article.text[citation.start : citation.end] == citation.quote
        if citation.answer_start is not None:
            assert citation.start <= citation.answer_start < citation.answer_end <= citation.end


def test_logistics_savings_in_chinese_and_english(e5_pipeline: Pipeline) -> None:
    chinese = e5_pipeline.ask("株洲节约了多少社会物流成本?")
    assert chinese.answer is not None and "12亿元" in chinese.answer
    check_citations(e5_pipeline, chinese)
    english = e5_pipeline.ask("How much did Zhuzhou save in logistics costs?")
    assert english.citations, english.reason
    assert english.citations[0].article_id == chinese.citations[0].article_id
    check_citations(e5_pipeline, english)


def test_investment_amount(e5_pipeline: Pipeline) -> None:
    answer = e5_pipeline.ask("湘赣边数字贸易总部中心的出资额是多少?")
    assert answer.answer == "5000万元"
    check_citations(e5_pipeline, answer)


@pytest.mark.parametrize("question", ["株洲2025年末常住人口有多少?", "湖南亚美茶油有多少员工?"])
def test_questions_the_page_cannot_answer_abstain(e5_pipeline: Pipeline, question: str) -> None:
    answer = e5_pipeline.ask(question)
    assert answer.abstained, answer.answer
    assert answer.reason


def test_cli_json_is_one_object_with_verifiable_citations(e5_page_index: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "qa",
            "ask",
            "湘赣边数字贸易总部中心的出资额是多少?",
            "--index",
            str(e5_page_index),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    data = json.loads(result.stdout)
    assert data["answer"] == "5000万元" and data["abstained"] is False
    first = data["citations"][0]
    assert (
        first["quote"][
            first["answer_start"] - first["start"] : first["answer_end"] - first["start"]
        ]
        == "5000万元"
    )
    result = subprocess.run(
        [sys.executable, "-m", "qa", "ask", "   ", "--index", str(e5_page_index)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2 and "empty" in result.stderr and "Traceback" not in result.stderr


def test_a_chinese_question_after_an_english_turn_is_not_a_follow_up(
    e5_pipeline: Pipeline,
) -> None:
    alone = e5_pipeline.ask("高端铝基材料产业化项目总投资多少?")
    after = e5_pipeline.ask(
        "高端铝基材料产业化项目总投资多少?",
        history=[Turn("How much did Zhuzhou save in logistics costs?", "近12亿元")],
    )
    assert after.interpreted_as == ""
    assert after.answer == alone.answer == "约5.1亿元"
    assert after.confidence == pytest.approx(alone.confidence)


@pytest.mark.parametrize(
    ("question", "history", "wrong"),
    [
        ("那炎陵的项目呢?", [Turn("高端铝基材料产业化项目总投资多少?", "约5.1亿元")], "341.4亿元"),
        ("株洲的GDP是多少?", [], "12亿元"),
    ],
)
def test_the_subject_check_withholds_an_answer_about_something_else(
    e5_pipeline: Pipeline, question: str, history: list[Turn], wrong: str
) -> None:
    answer = e5_pipeline.ask(question, history=history)
    assert answer.abstained, answer.answer
    assert " / " in answer.reason
    raw = e5_pipeline.ask(question, history=history, abstain=False)
    if raw.answer and wrong in raw.answer:
        assert raw.confidence <= 0.05


def test_an_english_question_the_page_cannot_answer_is_not_answered_confidently(
    e5_pipeline: Pipeline,
) -> None:
    # Still answered (建设, at about 0.38, above the fast reader's 0.28), but no longer at
    # the 0.60 it had: the English reader cannot yet tell this question apart.
    raw = e5_pipeline.ask("What is the population of Zhuzhou?", abstain=False)
    assert raw.answer is None or raw.confidence < 0.5


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("株洲节约了多少社会物流成本?", "近12亿元"),
        ("高端铝基材料产业化项目总投资多少?", "约5.1亿元"),
    ],
)
def test_the_printed_qualifier_stays_with_the_number(
    e5_pipeline: Pipeline, question: str, expected: str
) -> None:
    assert e5_pipeline.ask(question).answer == expected
