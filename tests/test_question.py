from __future__ import annotations

import pytest

from qa.question import AnswerType, analyze_question
from qa.reading.coverage import QuestionCoverage


@pytest.mark.parametrize(
    ("question", "answer_type", "unit"),
    [
        ("株洲节约了多少社会物流成本?", AnswerType.MONEY, None),
        ("湘赣边数字贸易总部中心的出资额是多少?", AnswerType.MONEY, None),
        ("株洲预计2025年地区生产总值增长多少?", AnswerType.PERCENT, None),
        ("物流总费用与GDP之比是多少?", AnswerType.PERCENT, None),
        ("发放房票多少张?", AnswerType.COUNT, "张"),
        ("石峰区这次有几家企业入选?", AnswerType.COUNT, "家"),
        ("社会消费品零售总额增速连续几个月居全省首位?", AnswerType.COUNT, "个月"),
        ("湘赣边数字贸易总部中心有多少员工?", AnswerType.COUNT, "人"),
        ("分别是哪几家?", AnswerType.ENTITY, None),  # which ones, not how many
        ("新增多少大学生?", AnswerType.COUNT, "人"),
        ("数字经贸中心包含几大板块?", AnswerType.COUNT, "大"),
        ("哪几个县市获评全省县域经济先进县?", AnswerType.ENTITY, None),
        ("株洲与广州港等几个港口共建了内陆港?", AnswerType.COUNT, "个"),
        ("株洲2025年的GDP总量是多少?", AnswerType.MONEY, None),
        ("2026年地区生产总值的预期增长目标是多少?", AnswerType.PERCENT, None),
        ("项目是什么时候签约的?", AnswerType.DATE, None),
        ("谁主持召开了物流高质量发展座谈会?", AnswerType.PERSON, None),
        ("出席座谈会并讲话的株洲市长叫什么名字?", AnswerType.PERSON, None),
        ("获评“大国工匠”的是哪两位?", AnswerType.PERSON, None),
        ("第六批名单是哪个部门发布的?", AnswerType.ORGANIZATION, None),
        ("曹慧泉要求株洲深入融入哪个都市圈?", AnswerType.ENTITY, None),
        ("项目落户在哪里?", AnswerType.PLACE, None),
        ("低空经济“链接力”指数居全国第几位?", AnswerType.ORDINAL, None),
        ("湘赣边数字贸易总部中心以什么为价值主线?", AnswerType.ENTITY, None),
        ("How much did Zhuzhou save in logistics costs?", AnswerType.MONEY, None),
        ("How many companies does the centre aim to attract?", AnswerType.COUNT, "家"),
        ("By how much did retail sales grow?", AnswerType.PERCENT, None),
        ("When was the symposium held?", AnswerType.DATE, None),
        ("Who was elected an academician?", AnswerType.PERSON, None),
        ("Where is the project located?", AnswerType.PLACE, None),
        ("What is CRRC Zhuzhou Institute's revenue expected to exceed?", AnswerType.MONEY, None),
        ("Which company is investing in the project?", AnswerType.ORGANIZATION, None),
        ("What does the centre take as its main line?", AnswerType.ENTITY, None),
    ],
)
def test_question_types(question: str, answer_type: AnswerType, unit: str | None) -> None:
    analysis = analyze_question(question)
    assert analysis.answer_type is answer_type
    assert analysis.unit == unit


def test_context_around_the_question_word() -> None:
    analysis = analyze_question("湘赣边数字贸易总部中心以什么为价值主线?")
    assert analysis.left_text == "湘赣边数字贸易总部中心以"
    assert analysis.right_text == "为价值主线"
    assert ("价值",) in analysis.groups
    assert analyze_question("中心与哪些企业签了协议?").plural
    assert not analyze_question("中心与哪家企业签了协议?").plural


def test_follow_up_type_comes_from_the_users_words() -> None:
    analysis = analyze_question("宏达电子的项目总投资多少?", type_text="那宏达电子的项目呢?")
    assert analysis.answer_type is AnswerType.MONEY


def test_english_words_of_a_chinese_question_are_found_by_their_rendering_or_any_case() -> None:
    # A Chinese follow-up to an English question carries the English one's words; a
    # passage in Chinese has them only as their Chinese rendering, and "gdp" as "GDP".
    from qa.types import Expansion

    text = "惠及多少户家庭? How many old residential community renovation projects were started?"
    expansion = Expansion((("community", ("社区",)), ("projects", ("项目", "工程"))))
    analysis = analyze_question(text, expansion, type_text="惠及多少户家庭?")
    assert ("projects", "项目", "工程") in analysis.groups
    assert ("community", "社区") in analysis.groups
    assert analysis.answer_type is AnswerType.COUNT and not analysis.english
    evidence = QuestionCoverage({})
    passage = "全市老旧小区改造项目开工,惠及1.7万户家庭,社区面貌一新。"
    _, missing = evidence.of(analysis, passage)
    assert ("projects", "项目", "工程") not in missing and ("community", "社区") not in missing
    found, missing = evidence.of(analyze_question("GDP之比是多少?"), "物流总费用与GDP的比率")
    assert found == 1.0 and not missing


def test_an_official_short_name_is_found_by_its_full_name_and_back() -> None:
    evidence = QuestionCoverage({})
    short = analyze_question("市十六届人大五次会议召开")
    found, missing = evidence.of(short, "株洲市第十六届人民代表大会第五次会议召开")
    assert found == 1.0 and not missing
    full = analyze_question("政治协商会议委员有多少人?")
    assert ("政治协商会议", "政协") in full.groups
    assert ("政治协商会议", "政协") not in evidence.of(full, "市政协委员350人")[1]
