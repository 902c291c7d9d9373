"""Values read as values (qa.checking.values): units, magnitudes, qualifiers, dates."""

from __future__ import annotations

import pytest

from qa.checking.values import Value, chinese_number, find_values, values_agree


def one(text: str, *, english: bool = False, year: int | None = None) -> Value:
    values = [v for v in find_values(text, english=english, year_of_article=year)]
    assert len(values) == 1, values
    return values[0]


@pytest.mark.parametrize(
    ("text", "english", "kind", "amount", "unit"),
    [
        ("节约社会物流成本12亿元", False, "money", 1.2e9, "元"),
        ("出资额为120000万元", False, "money", 1.2e9, "元"),
        ("saved 1.2 billion yuan", True, "money", 1.2e9, "元"),
        ("比率为百分之十三点五", False, "percent", 13.5, "%"),
        ("a ratio of 13.5%", True, "percent", 13.5, "%"),
        ("下降0.9个百分点", False, "points", 0.9, "个百分点"),
        ("fell 0.9 percentage points", True, "points", 0.9, "个百分点"),
        ("313个项目开工", False, "count", 313, "个"),
        ("三家企业入选", False, "count", 3, "家"),
        ("313 projects started", True, "count", 313, "个"),
        ("一期租赁标准厂房约6000平方米", False, "quantity", 6000, "平方米"),
        ("月产突破3万辆", False, "quantity", 30000, "辆"),
        ("增长三成", False, "percent", 30, "%"),
    ],
)
def test_a_value_is_read_in_its_base_unit(text: str, english: bool, kind: str, amount: float,
                                          unit: str) -> None:  # fmt: skip
    value = one(text, english=english)
    assert (value.kind, value.unit) == (kind, unit)
    assert value.amount == pytest.approx(amount)
    assert text[value.start : value.end] == value.text


def test_qualifiers_stay_with_their_value_and_words_that_hold_them_do_not_count() -> None:
    assert one("节约社会物流成本近12亿元").qualifier == "under"
    assert one("节约社会物流成本近12亿元").text == "近12亿元"
    assert one("总投资约5.1亿元").qualifier == "approx"
    assert one("增长5.7%左右").qualifier == "approx"
    assert one("增加50%以上").qualifier == "at_least"
    assert one("不超过3亿元").qualifier == "at_most"  # never read as 超过
    assert one("about 2 billion yuan", english=True).qualifier == "approx"
    assert one("more than 700 companies", english=True).qualifier == "over"
    # a bound may be written as a verb (未达, 少于, 多于) or with 未 (未超过)
    assert one("场均观赛人数未达4万人").qualifier == "under"
    assert one("少于300家企业").qualifier == "under"
    assert one("多于5个项目").qualifier == "over"
    assert one("未超过12亿元").qualifier == "at_most"  # never read as 超过
    assert values_agree(one("观赛人数未达4万人"), one("场均观赛超4万人")) is False
    # 节约 and 最近 hold 约 and 近 but qualify nothing
    assert one("节约12亿元").qualifier == ""
    assert one("最近12亿元").qualifier == ""


def test_the_same_amount_agrees_however_it_is_written() -> None:
    article = one("节约社会物流成本12亿元")
    for claim, english in (("1.2 billion yuan", True), ("120000万元", False), ("十二亿元", False)):
        assert values_agree(one(claim, english=english), article) is True


def test_a_percentage_point_is_not_a_percent() -> None:
    assert values_agree(one("下降0.9%"), one("下降0.9个百分点")) is False
    assert values_agree(one("增长78个百分点"), one("增长78%")) is False


def test_another_magnitude_or_unit_contradicts() -> None:
    assert values_agree(one("贷款32万元"), one("贷款32亿元")) is False
    assert values_agree(one("投资3亿美元"), one("投资3亿元")) is False
    assert values_agree(one("约6000亩"), one("约6000平方米")) is False


@pytest.mark.parametrize(
    ("claim", "article", "agrees"),
    [
        ("12亿元", "近12亿元", True),  # supported, but the article says nearly
        ("约12亿元", "近12亿元", True),
        ("约20亿元", "近12亿元", False),
        ("超过12亿元", "近12亿元", False),  # over against nearly: the two never meet
        ("不足3万辆", "突破3万辆", False),
        ("超过10亿元", "近12亿元", True),
        ("11.96亿元", "12亿元", True),  # rounding
        ("11亿元", "12亿元", False),
    ],
)
def test_qualified_values_agree_when_their_ranges_meet(claim: str, article: str,
                                                       agrees: bool) -> None:  # fmt: skip
    assert values_agree(one(claim), one(article)) is agrees


def test_less_than_a_bound_contradicts_it() -> None:
    assert values_agree(one("less than 50%", english=True), one("增加50%以上")) is False


def test_relative_years_resolve_against_the_article() -> None:
    date = one("该项目自去年5月28日签约", year=2026)
    assert date.kind == "date" and date.date == (2025, 5, 28)
    assert one("今年5月份", year=2026).date == (2026, 5, None)
    assert one("last year", english=True, year=2026).date == (2025, None, None)


def test_dates_compare_only_as_far_as_both_say() -> None:
    assert values_agree(one("1月18日"), one("1月16日")) is False
    assert values_agree(one("January 16", english=True), one("1月16日")) is True
    assert values_agree(one("2026年7月"), one("2026年")) is None  # 2026 does not confirm July
    assert values_agree(one("2025年7月"), one("1月16日")) is None  # one lone month apart
    assert values_agree(one("2025至2027年实施"), one("2026至2028年实施")) is False
    assert values_agree(one("2026至2028年实施"), one("2026至2028年实施")) is True


def test_kinds_that_cannot_describe_one_fact_do_not_compare() -> None:
    assert values_agree(one("313个项目"), one("近12亿元")) is None
    assert values_agree(one("13.5%"), one("1月16日")) is None


def test_ordinals_compare_by_number() -> None:
    assert values_agree(one("首个签约项目"), one("第一个签约项目")) is True
    assert values_agree(one("第3期"), one("第2期")) is False


def test_chinese_numerals() -> None:
    assert chinese_number("十三点五") == 13.5
    assert chinese_number("两千") == 2000
    assert chinese_number("一百二十") == 120
    assert chinese_number("统一") is None


def test_not_reaching_a_value_is_under_it() -> None:
    assert one("产业规模尚未达到300亿元").qualifier == "under"
    assert one("is expected to fall short of 70 billion yuan", english=True).qualifier == "under"
    assert values_agree(one("尚未达到700亿元"), one("有望突破700亿元")) is False


def test_english_spans_of_years_compare_as_spans() -> None:
    span = one("carried out from 2025 to 2027", english=True)
    assert (span.date[0], span.until) == (2025, 2027)
    assert values_agree(span, one("一期将于2026至2028年实施")) is False
    assert values_agree(one("in 2026-2028", english=True), one("一期将于2026至2028年实施")) is True


def test_a_bare_hundred_or_thousand_before_a_magnitude_is_a_round_figure() -> None:
    assert one("工业软件产业规模突破百亿").amount == pytest.approx(1e10)
    assert one("投资千万元").amount == pytest.approx(1e7)
    assert values_agree(one("规模尚未达到百亿"), one("规模突破百亿")) is False
    # without a qualifier before it or a unit after it, 千万 is "by all means"
    assert find_values("千万不要错过", english=False) == []


def test_an_english_count_in_words_is_a_count() -> None:
    (phases,) = find_values("The project will be built in two phases.", english=True)
    assert (phases.kind, phases.amount, phases.unit) == ("count", 2.0, "期")
    (three,) = find_values("项目计划分三期建设", english=False)
    (two,) = find_values("计划分两期实施", english=False)
    assert values_agree(phases, three) is False and values_agree(phases, two) is True
    # a number word counts only what it counts
    assert find_values("One of the two said ten times more", english=True)[0].text == "ten times"
    assert find_values("two of them agreed", english=True) == []


def test_two_approximate_values_agree_only_as_numbers() -> None:
    def one(text: str, english: bool = False) -> Value:
        (value,) = find_values(text, english=english)
        return value

    assert values_agree(one("增长6.5%左右"), one("增长5.5%左右")) is False
    assert values_agree(one("增长5.5%左右"), one("增长5.5%左右")) is True
    # one side approximate keeps its slack (约12亿元 of 11.96亿元)
    assert values_agree(one("约12亿元"), one("11.96亿元")) is True
    assert values_agree(one("about 1.2 billion yuan", english=True), one("约12亿元")) is True


def test_a_count_and_a_quantity_of_the_same_unit_compare() -> None:
    (vehicles,) = find_values("monthly output stayed below 30,000 vehicles", english=True)
    (printed,) = find_values("北汽株洲基地月产突破3万辆", english=False)
    assert (vehicles.kind, printed.kind) == ("count", "quantity")
    assert values_agree(vehicles, printed) is False  # under 30,000 against over it
    (about,) = find_values("about 30,000 vehicles a month", english=True)
    assert values_agree(about, printed) is not None
    # a count names its noun several words after the number
    (firms,) = find_values("benefited 700 technology-based small and medium-sized enterprises",
                           english=True)  # fmt: skip
    assert (firms.kind, firms.amount, firms.unit) == ("count", 700.0, "家")


def test_a_session_without_di_is_an_ordinal() -> None:
    values = find_values("报告在市十六届人大五次会议上作出", english=False)
    assert [(v.kind, v.amount, v.unit) for v in values] == [("ordinal", 16, "届"),
                                                             ("ordinal", 5, "次")]  # fmt: skip
    printed = find_values("在株洲市第十六届人民代表大会第五次会议上", english=False)
    assert [values_agree(c, p) for c, p in zip(values, printed, strict=True)] == [True, True]
    # a count of meetings or terms stays a count, or no value
    assert [(v.kind, v.text) for v in find_values("全年召开五次会议", english=False)] == [
        ("count", "五次")]  # fmt: skip
    assert find_values("连续三届获评", english=False) == []


def test_a_qualifier_followed_by_le_still_qualifies() -> None:
    (over,) = find_values("节省的社会物流成本超过了12亿元", english=False)
    assert (over.qualifier, over.amount) == ("over", 1.2e9)
    (printed,) = find_values("节约社会物流成本近12亿元", english=False)
    assert values_agree(over, printed) is False


def test_english_counts_of_people_and_hyphenated_units() -> None:
    (line,) = find_values("a 3,000-tonne extrusion production line", english=True)
    assert (line.kind, line.amount, line.unit) == ("quantity", 3000.0, "吨")
    (graduates,) = find_values("25,000 new university graduates", english=True)
    assert (graduates.kind, graduates.unit) == ("count", "人")
    (printed,) = find_values("新增株洲选株大学生2.5万余人", english=False)
    assert values_agree(graduates, printed) is True
    assert find_values("a 10-year plan", english=True) == []


def test_a_percent_and_a_point_of_different_numbers_do_not_compare() -> None:
    (growth,) = find_values("增长5.7%", english=False)
    (points,) = find_values("下降0.9个百分点", english=False)
    assert values_agree(growth, points) is None  # a rate of something else
    (confused,) = find_values("下降0.9%", english=False)
    assert values_agree(confused, points) is False  # the same number: a confusion


def test_an_english_number_sign_is_an_ordinal() -> None:
    (issue,) = find_values("the journal's No. 2 issue", english=True)
    assert (issue.kind, issue.amount) == ("ordinal", 2.0)
    printed = [v for v in find_values("第2期《求是》杂志", english=False) if v.kind == "ordinal"]
    assert values_agree(issue, printed[0]) is True


def test_an_english_month_of_a_relative_year_is_a_date() -> None:
    for text in ("held in Youxian in September last year", "held in Youxian last September"):
        (month,) = find_values(text, english=True, year_of_article=2026)
        assert month.date == (2025, 9, None), text
    (day,) = find_values("signed on May 18 last year", english=True, year_of_article=2026)
    assert day.date == (2025, 5, 18)
    printed = find_values("去年10月,第二届湖南省油茶节在攸县举办", english=False,
                          year_of_article=2026)[0]  # fmt: skip
    assert printed.date == (2025, 10, None)
    assert values_agree(month, printed) is False


def test_digits_and_da_before_a_noun_count_major_parts() -> None:
    (claimed,) = find_values("由细分行业集采中心等9大板块组成", english=False)
    (printed,) = find_values("数字贸易产业大数据中心等7大板块", english=False)
    assert (claimed.kind, claimed.amount) == ("count", 9.0)
    assert values_agree(claimed, printed) is False
    assert find_values("学习贯彻党的二十大精神", english=False) == []
