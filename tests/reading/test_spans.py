from __future__ import annotations

import pytest

from qa.question import AnswerType
from qa.reading.spans import date_spans, name_spans, number_spans, ordinal_spans, trim_phrase


def texts(spans) -> list[str]:
    return [s.text for s in spans]


@pytest.mark.parametrize(
    ("sentence", "expected", "kind"),
    [
        ("节约社会物流成本近12亿元。", "近12亿元", AnswerType.MONEY),
        ("预计全年地区生产总值增长5.7%左右,", "5.7%左右", AnswerType.PERCENT),
        ("发放房票1400多张。", "1400多张", AnswerType.COUNT),
        ("较2021年下降0.9个百分点,", "0.9个百分点", AnswerType.PERCENT),
        ("出资额为5000万元。", "5000万元", AnswerType.MONEY),
        ("新增市场主体8.6万家,", "8.6万家", AnswerType.COUNT),
        ("社会消费品零售总额增速连续10个月居全省首位。", "10个月", AnswerType.COUNT),
        ("项目计划分三期建设,", "三期", AnswerType.COUNT),
        ("新签约亿元以上项目162个、总投资341.4亿元,", "341.4亿元", AnswerType.MONEY),
    ],
)
def test_numbers_keep_qualifiers_and_units(sentence: str, expected: str, kind: AnswerType) -> None:
    spans = {s.text: s for s in number_spans(sentence)}
    assert expected in spans, texts(number_spans(sentence))
    assert spans[expected].kind is kind
    assert sentence[spans[expected].start : spans[expected].end] == expected


def test_years_are_dates_not_quantities() -> None:
    sentence = "2025年,株洲全社会物流总费用与GDP的比率为13.5%,较2021年下降0.9个百分点。"
    assert "2025" not in texts(number_spans(sentence))
    assert "2025年" in texts(date_spans(sentence))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("1月14日上午,湘赣边数字贸易总部中心运营启动仪式在茶陵举行", "1月14日上午"),
        ("该项目自去年5月28日签约以来", "去年5月28日"),
        ("——2025年12月24日在株洲市第十六届人民代表大会", "2025年12月24日"),
        ("一期将于2026至2028年实施", "2026至2028年"),
        ("二期已于2025年下半年启动建设", "2025年下半年"),
        ("订单已经排到了今年5月份", "今年5月份"),
        ("计划2026年底前建成", "2026年底"),
    ],
)
def test_dates(sentence: str, expected: str) -> None:
    assert expected in texts(date_spans(sentence))


def test_the_last_digits_of_a_longer_number_are_no_year() -> None:
    assert date_spans("距今约22000年前") == []
    assert date_spans("1990年代以后") == []  # a decade, not the year 1990


def test_names_of_people_places_and_organisations() -> None:
    people = name_spans("冯江华当选中国工程院院士,邓元山、柳祥国获评“大国工匠”。")
    assert {"冯江华", "邓元山", "柳祥国"} <= {s.text for s in people if s.kind is AnswerType.PERSON}
    assert "中国工程院" in {s.text for s in people if s.kind is AnswerType.ORGANIZATION}
    leaders = name_spans("市领导刘亚亮、邹志超、方婧、株洲高新区党组书记邹凌云参加。")
    assert "邹凌云" in {s.text for s in leaders if s.kind is AnswerType.PERSON}
    assert "株洲高新区" in {s.text for s in leaders if s.kind is AnswerType.PLACE}
    company = name_spans("该公司控股子公司湖南思微特科技有限公司拟在无锡投资")
    assert "湖南思微特科技有限公司" in {
        s.text for s in company if s.kind is AnswerType.ORGANIZATION
    }


def test_ordinals() -> None:
    assert "第36位" in texts(ordinal_spans("低空经济“链接力”指数居全国第36位。"))


def test_trimming_drops_function_words_and_punctuation() -> None:
    text = "由大龙网集团和沐水集团共同出资"
    start, end = trim_phrase(text, 0, text.index("出资"))
    assert text[start:end] == "大龙网集团和沐水集团"


def test_a_common_word_ending_in_bureau_or_hall_names_no_organisation() -> None:
    assert texts(name_spans("优多新材计划明年新布局5条高精度高速涂布线。")) == []
    assert texts(name_spans("形成发展新格局,走进展厅")) == []
    orgs = [
        s for s in name_spans("市场监管局和省工信厅发布名单") if s.kind == AnswerType.ORGANIZATION
    ]
    assert texts(orgs) == ["市场监管局", "省工信厅"]
