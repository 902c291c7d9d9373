from __future__ import annotations

from qa.conversation import main_noun_phrase, resolve
from qa.pipeline import Turn


def test_what_about_substitutes_the_subject() -> None:
    resolved = resolve(
        "那宏达电子的项目呢?", [Turn("高端铝基材料产业化项目总投资多少?", "约5.1亿元")]
    )
    assert resolved.rewritten
    assert resolved.text == "宏达电子的项目总投资多少?"
    assert resolved.type_text == "高端铝基材料产业化项目总投资多少?"


def test_pronoun_takes_the_previous_subject() -> None:
    resolved = resolve(
        "它的出资额是多少?", [Turn("湘赣边数字贸易总部中心在哪里举行启动仪式?", "茶陵")]
    )
    assert "湘赣边数字贸易总部中心" in resolved.text
    assert resolved.text.endswith("出资额是多少?")


def test_pronoun_takes_an_entity_answer() -> None:
    resolved = resolve(
        "它在哪里注册?", [Turn("宏达电子的哪家子公司去无锡投资?", "湖南思微特科技有限公司")]
    )
    assert resolved.text == "湖南思微特科技有限公司在哪里注册?"


def test_short_question_gets_the_previous_subject() -> None:
    resolved = resolve(
        "出资额是多少?", [Turn("湘赣边数字贸易总部中心由哪些企业出资?", "大龙网集团")]
    )
    assert resolved.text.startswith("湘赣边数字贸易总部中心")


def test_complete_questions_are_left_alone() -> None:
    question = "株洲节约了多少社会物流成本?"
    assert not resolve(question, [Turn("石峰区有几家企业入选?", "3家")]).rewritten
    assert not resolve(question, None).rewritten


def test_english_follow_up_carries_the_previous_question() -> None:
    resolved = resolve(
        "And how many at the provincial level?",
        [Turn("How many national-level champions has Shifeng District cultivated?", "11个")],
    )
    assert resolved.rewritten and "Shifeng" in resolved.text
    assert resolved.type_text == "And how many at the provincial level?"


def test_main_noun_phrase() -> None:
    assert main_noun_phrase("湘赣边数字贸易总部中心由哪些企业出资?") == "湘赣边数字贸易总部中心"


def test_a_chinese_question_after_an_english_turn_stands_alone() -> None:
    previous = [Turn("How much did Zhuzhou save in logistics costs?", "近12亿元")]
    resolved = resolve("高端铝基材料产业化项目总投资多少?", previous)
    assert not resolved.rewritten
    assert resolved.text == "高端铝基材料产业化项目总投资多少?"


def test_an_english_follow_up_after_an_english_turn_still_gets_its_context() -> None:
    previous = [Turn("How much did Zhuzhou save in logistics costs?", "近12亿元")]
    resolved = resolve("And in 2021?", previous)
    assert resolved.rewritten
    assert resolved.text == "And in 2021? How much did Zhuzhou save in logistics costs?"
