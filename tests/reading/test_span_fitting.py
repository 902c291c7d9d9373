"""Fitting the neural reader's span to the question (qa.reading.span_fitting)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from qa.question import QuestionAnalysis, analyze_question
from qa.reading.span_fitting import (
    after_the_question_words,
    fit_span,
    only_the_asked,
    only_the_number,
    repeats_previous_answer,
    with_coordinated,
    with_qualifiers,
    within_the_sentence,
    without_etc,
)

Rule = Callable[[QuestionAnalysis, str, int, int], tuple[int, int]]


def _fitted(rule: Rule, question: str, text: str, span: str) -> str:
    """What ``rule`` makes of ``span``, found in ``text``, for ``question``."""
    start = text.index(span)
    start, end = rule(analyze_question(question), text, start, start + len(span))
    return text[start:end]


@pytest.mark.parametrize(
    ("question", "text", "span", "expected"),
    [
        (
            "这一期杂志哪天出版?",
            "1月16日出版的第2期《求是》。",
            "1月16日出版的第2期《求是》",
            "1月16日",
        ),
        ("二期什么时候启动?", "二期于2025年下半年启动。", "2025年下半年", "2025年下半年"),
        ("展会什么时候举行?", "展会1月14日至1月16日举行。", "1月14日至1月16日", "1月14日至1月16日"),
        ("杂志出版于哪个单位?", "1月16日出版的第2期。", "1月16日出版的第2期", "1月16日出版的第2期"),
        ("鼠疫何时到达英格兰?", "鼠疫1349年春季到达。", "1349年春季", "1349年春季"),
        ("欧洲何时开始变暖?", "约22000年前开始。", "22000年前", "22000年前"),
        (
            "这是第几个签约项目?",
            "是第一个签约项目,由银正投资。",
            "第一个签约项目,由银正投资",
            "第一个",
        ),
        ("指数排第几位?", "指数居全国第36位。", "36位", "第36位"),
    ],
)
def test_a_date_or_ordinal_question_gets_it_out_of_a_longer_span(
    question: str, text: str, span: str, expected: str
) -> None:
    # Two dates stay a range; a question that does not ask when keeps the whole span.
    assert _fitted(only_the_asked, question, text, span) == expected


@pytest.mark.parametrize(
    ("question", "span", "expected"),
    [
        ("株齿老厂被改造成了什么?", "盘活改造成工业文旅新地标", "工业文旅新地标"),
        ("思微特的注册地在哪里?", "思微特注册地为湖南省株洲市", "湖南省株洲市"),
        # The echo comes after the answer: left whole.
        (
            "大会以特斯拉的名字命名了什么?",
            "SI 磁通量密度单位命名为特斯拉",
            "SI 磁通量密度单位命名为特斯拉",
        ),
        ("亚马逊雨林是哪种雨林?", "热带雨林", "热带雨林"),  # nothing would be left
        ("首钢是什么的简称?", "首钢集团有限公司", "首钢集团有限公司"),  # X是什么: may name X
        ("株洲节约了多少社会物流成本?", "近12亿元", "近12亿元"),
    ],
)
def test_a_span_starts_after_the_words_that_lead_up_to_the_question_word(
    question: str, span: str, expected: str
) -> None:
    text = f"据悉,{span}。"
    start = text.index(span)
    end = start + len(span)
    cut = after_the_question_words(analyze_question(question), text, start, end)
    assert text[cut:end] == expected


@pytest.mark.parametrize(
    ("question", "text", "span", "expected"),
    [
        (
            "中心由哪些企业出资?",
            "由大龙网集团和沐水集团共同出资打造。",
            "大龙网集团",
            "大龙网集团和沐水集团",
        ),
        (
            "哪几个县市获评先进县?",
            "醴陵市、茶陵县、炎陵县获评先进县。",
            "炎陵县",
            "醴陵市、茶陵县、炎陵县",
        ),
        ("哪两个朝代?", "大部分出自明朝和清朝。", "明朝", "明朝和清朝"),
        (
            "中心由哪家企业出资?",
            "由大龙网集团和沐水集团共同出资打造。",
            "大龙网集团",
            "大龙网集团",
        ),  # one
        # What follows the joiner does not end like the span: no list to extend.
        ("哪些企业出资?", "由大龙网集团和当地政府共同出资。", "大龙网集团", "大龙网集团"),
    ],
)
def test_a_question_for_several_things_gets_the_whole_list(
    question: str, text: str, span: str, expected: str
) -> None:
    assert _fitted(with_coordinated, question, text, span) == expected


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("光电子业、新能源电池、手机制造业等高科技行业", "光电子业、新能源电池、手机制造业"),
        ("新能源、消费电子、工业控制等领域", "新能源、消费电子、工业控制"),
        ("战争和冲击减少了不平等", "战争和冲击减少了不平等"),  # the 等 of a word
        ("改变文化传统、宗教信仰 等)的尝试", "改变文化传统、宗教信仰 等)的尝试"),
        ("新能源等领域", "新能源等领域"),  # one item: no list
    ],
)
def test_a_list_ends_before_its_etc(span: str, expected: str) -> None:
    text = f"据悉,{span}。"
    start = text.index(span)
    assert text[start : without_etc(text, start, start + len(span))] == expected


@pytest.mark.parametrize(
    ("span", "overlaps"),
    [("5000万元", True), ("出资额为5000万元", True), ("5000", True), ("2100万元", False)],
)
def test_a_follow_up_sets_aside_spans_that_repeat_the_previous_answer(
    span: str, overlaps: bool
) -> None:
    question = replace(analyze_question("其中大龙网集团出了多少?"), previous_answer="5000万元")
    assert repeats_previous_answer(question, span) is overlaps
    assert not repeats_previous_answer(analyze_question("出资额是多少?"), span)


def test_fit_span_applies_every_rule_and_drops_leading_list_punctuation() -> None:
    question = analyze_question("湘赣边数字贸易总部中心由哪些企业出资?")
    text = "项目由、大龙网集团和沐水集团等企业共同出资打造。"
    start = text.index("、")
    start, end = fit_span(question, text, start, text.index("和"))
    assert text[start:end] == "大龙网集团和沐水集团"


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("节约社会物流成本近12亿元。", "12亿元", "近12亿元"),
        ("项目总投资约5.1亿元。", "5.1亿元", "约5.1亿元"),
        ("增长5.7%左右。", "5.7%", "5.7%左右"),
        ("累计超过300家。", "300家", "超过300家"),
        ("共节约12亿元。", "12亿元", "12亿元"),  # 节约 saves; it does not qualify
        ("最近3年。", "3年", "3年"),
        ("涨幅不超过3%。", "3%", "不超过3%"),  # no more than: never "超过3%"
        ("违约3次。", "3次", "3次"),
        ("临近2026年。", "2026年", "2026年"),
        ("不仅1次。", "1次", "1次"),
        ("总投资约5.1亿元。", "总投资约5.1亿元", "总投资约5.1亿元"),  # not a number: kept
    ],
)
def test_a_number_keeps_its_qualifiers(text: str, span: str, expected: str) -> None:
    start = text.index(span)
    start, end = with_qualifiers(text, start, start + len(span))
    assert text[start:end] == expected


def test_a_qualifier_the_question_says_stays_out_of_the_answer() -> None:
    text = "北斗产业集群规模有望突破200亿元。"
    start = text.index("200亿元")
    question = analyze_question("北斗产业集群规模有望突破多少?")
    assert question.left_text.endswith("突破")
    fitted = with_qualifiers(text, start, start + len("200亿元"), asked=question.left_text)
    assert text[slice(*fitted)] == "200亿元"


def test_a_span_ends_with_its_sentence() -> None:
    text = "项目总投资约5.1亿元。\n这是2026年第一个签约项目。"
    start = text.index("约5.1亿元")
    assert text[start : within_the_sentence(text, start, len(text))] == "约5.1亿元"
    assert within_the_sentence(text, 0, 5) == 5


@pytest.mark.parametrize(
    ("question", "text", "span", "expected"),
    [
        ("外贸进出口额是多少?", "新增9亿元外贸进出口额,力争完成97家企业招商。",
         "9亿元外贸进出口额,力争完成97家企业招商", "9亿元"),
        ("项目总投资多少?", "项目总投资10亿元人民币。", "10亿元人民币", "10亿元人民币"),
        ("新签约项目有多少个?", "新签约项目162个、总投资341.4亿元。",
         "162个、总投资341.4亿元", "162个"),
        ("哪几个项目?", "项目162个、总投资341.4亿元。", "162个、总投资341.4亿元",
         "162个、总投资341.4亿元"),  # not a number question: left alone
    ],
)  # fmt: skip
def test_a_number_span_ends_at_its_number(
    question: str, text: str, span: str, expected: str
) -> None:
    start = text.index(span)
    end = only_the_number(analyze_question(question), text, start, start + len(span))
    assert text[start:end] == expected
