"""Checkable values in a text, read as values: amounts, percentages, points, counts, dates.

A claim and an article agree when their values do, however either writes them: 12亿元 =
1.2 billion yuan = 120000万元, 百分之十三点五 = 13.5%. A percentage point is not a percent
(0.9个百分点 ≠ 0.9%). A qualifier (近, 约, 超过, 左右, nearly, about, over) turns a value
into a range, and two values agree when their ranges meet. Relative years (去年, 今年) are
resolved against the article's date.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, replace
from functools import cache
from types import ModuleType

from qa.question import CLASSIFIERS

Kind = str
"""money, percent, points, count, quantity, date or ordinal."""

# The order matters: the longest alternative first, so 不超过 is never read as 超过.
_QUALIFIER_WORDS: tuple[tuple[str, str], ...] = (
    ("不超过", "at_most"), ("不高于", "at_most"), ("不多于", "at_most"), ("以内", "at_most"),
    ("不少于", "at_least"), ("不低于", "at_least"), ("以上", "at_least"),
    ("未超过", "at_most"),
    ("尚未达到", "under"), ("未达到", "under"), ("没有达到", "under"), ("达不到", "under"),
    ("没达到", "under"), ("尚未达", "under"), ("未达", "under"), ("未满", "under"),
    ("不满", "under"), ("少于", "under"), ("多于", "over"),
    ("将近", "under"), ("接近", "under"), ("不足", "under"), ("不到", "under"), ("近", "under"),
    ("以下", "under"), ("低于", "under"),
    ("大约", "approx"), ("约", "approx"), ("左右", "approx"), ("上下", "approx"),
    ("超过", "over"), ("突破", "over"), ("高于", "over"), ("逾", "over"), ("超", "over"),
    ("多", "over"), ("余", "over"),
)  # fmt: skip
QUALIFIER_OF = dict(_QUALIFIER_WORDS)
QUALIFIER_WORDS_ZH = {
    "under": "近/不到", "over": "超过", "approx": "约", "at_most": "不超过", "at_least": "不少于",
}  # fmt: skip
QUALIFIER_WORDS_EN = {
    "under": "nearly", "over": "over", "approx": "about", "at_most": "at most",
    "at_least": "at least",
}  # fmt: skip

_BEFORE = (
    "不超过|不高于|不多于|不少于|不低于|未超过|尚未达到|未达到|没有达到|达不到|没达到|尚未达|未达|未满|"
    "不满|少于|多于|将近|接近|不足|不到|大约|约|近|超过|突破|高于|低于|逾|超"
)
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿点"
_MONEY_UNITS = {"亿美元": (1e8, "美元"), "万美元": (1e4, "美元"), "美元": (1.0, "美元"),
                "亿元": (1e8, "元"), "万元": (1e4, "元"), "元": (1.0, "元")}  # fmt: skip
_QUANTITY_UNITS = {"万吨": (1e4, "吨"), "吨": (1.0, "吨"), "平方公里": (1e6, "平方米"),
                   "平方米": (1.0, "平方米"), "万平方米": (1e4, "平方米"), "公里": (1e3, "米"),
                   "千米": (1e3, "米"), "米": (1.0, "米"), "万亩": (1e4, "亩"), "亩": (1.0, "亩"),
                   "万人次": (1e4, "人次"), "人次": (1.0, "人次"), "万户": (1e4, "户"),
                   "万辆": (1e4, "辆"), "倍": (1.0, "倍"), "岁": (1.0, "岁"), "天": (1.0, "天"),
                   "个月": (1.0, "个月")}  # fmt: skip
_PERCENT_UNITS = ("个百分点", "百分点", "%", "成")
_UNIT_ALTERNATIVES = "|".join(
    sorted({*_MONEY_UNITS, *_QUANTITY_UNITS, *_PERCENT_UNITS, *CLASSIFIERS.split("|"), "万", "亿"},
           key=len, reverse=True)
)  # fmt: skip
_ZH_VALUE = re.compile(
    rf"(?:(?P<pre>{_BEFORE})了?)?"  # 超过了12亿元 is 超过12亿元
    rf"(?:百分之(?P<pct>[{_CN_NUMERAL}]+|\d+(?:\.\d+)?)"
    rf"|(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|(?<![{_CN_NUMERAL}])[{_CN_NUMERAL}]*[一二两三四五六七八九十][{_CN_NUMERAL}]*"
    rf"|(?<![{_CN_NUMERAL}])[百千](?=[万亿]))"
    rf"(?P<more>多|余)?(?P<unit>{_UNIT_ALTERNATIVES}))"
    r"(?P<post>左右|上下|以上|以下|以内|多|余)?"
)
_ROUND = {"百": "100", "千": "1000"}
"""A bare 百 or 千 before 万 or 亿: a round figure (突破百亿 is over 100亿)."""
_NOT_QUALIFIED = {"约": frozenset("节制签预公条契守违合履集大"), "近": frozenset("最附邻临靠将接"),
                  "超": frozenset("赶"), "多": frozenset("许诸")}  # fmt: skip
"""Characters before a qualifier that make it part of another word (节约, 最近, 赶超)."""
_NON_UNITS = frozenset({"年", "月", "大", "A", "版", "届", "期"})
"""Classifiers that make a count only with digits (三年 and 二十大 are not counts)."""
_MAJOR = re.compile(r"大(?![会学概约型都量致家众小])[\u4e00-\u9fff]")
"""Digits, 大 and a noun count major parts (7大板块), not a congress (二十大) or a size."""

_ZH_YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})年(?!代)|(?P<rel>去年|今年|明年|前年)")
_ZH_YEARS = re.compile(r"(?<!\d)(?P<a>(?:19|20)\d{2})(?:年)?(?:至|到|-|—|~)(?P<b>(?:19|20)\d{2})年")
_ZH_MONTH_DAY = re.compile(r"(?<!\d)(?P<m>1[0-2]|0?[1-9])月(?:(?P<d>[12]\d|3[01]|0?[1-9])日)?")
_ORDINAL = re.compile(
    r"第(?P<n>\d+|[一二三四五六七八九十百]+)(?P<unit>位|名|个|批|届|期|次|大|家|季度)?"
    r"|首(?P<first>个|批|家|次|位|届)"
)
_RELATIVE_YEAR = {"前年": -2, "去年": -1, "今年": 0, "明年": 1,
                  "last year": -1, "this year": 0, "next year": 1}  # fmt: skip

_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
             "hundred million": 1e8}  # fmt: skip
_EN_MONEY = {"yuan": "元", "rmb": "元", "renminbi": "元", "dollars": "美元", "dollar": "美元",
             "us dollars": "美元", "usd": "美元"}  # fmt: skip
_EN_QUANTITY = {"tons": "吨", "tonnes": "吨", "ton": "吨", "tonne": "吨", "kilometres": "米",
                "kilometers": "米", "km": "米", "square metres": "平方米",
                "square meters": "平方米", "mu": "亩", "times": "倍"}  # fmt: skip
_EN_QUANTITY_SCALE = {"kilometres": 1e3, "kilometers": 1e3, "km": 1e3}
_EN_COUNT_NOUNS = {
    "compan": "家", "enterprise": "家", "firm": "家", "business": "家", "institution": "家",
    "project": "个", "job": "个", "port": "个", "person": "人", "people": "人",
    "employee": "人", "worker": "人", "student": "人", "resident": "人", "member": "人",
    "household": "户", "vehicle": "辆", "car": "辆", "item": "项", "patent": "项",
    "reform": "项", "line": "条", "route": "条", "train": "列", "issue": "期",
    "champion": "个", "unit": "个", "sme": "家", "entit": "家", "site": "个", "bas": "个",
    "park": "个", "phase": "期", "graduate": "人", "spectator": "人", "visitor": "人",
    "fan": "人", "attendee": "人", "participant": "人", "talent": "人", "farmer": "人",
    "voucher": "张", "ticket": "张", "card": "张", "match": "场", "game": "场", "school": "所",
    "bank": "家", "store": "家", "shop": "家", "agenc": "家", "investor": "家",
    "supplier": "家", "manufacturer": "家", "hospital": "家", "batch": "批", "award": "项",
    "achievement": "项", "standard": "项", "contract": "个", "village": "个", "road": "条",
    "bridge": "座", "tunnel": "条",
}  # fmt: skip
EN_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                    "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
"""Counts written as words ("in two phases": 分两期); "one" is too often no count."""
_EN_QUALIFIERS = {"about": "approx", "around": "approx", "approximately": "approx",
                  "roughly": "approx", "some": "approx", "nearly": "under", "almost": "under",
                  "close to": "under", "just under": "under", "under": "under",
                  "fall short of": "under", "falls short of": "under", "short of": "under",
                  "less than": "under", "below": "under", "fewer than": "under",
                  "over": "over", "more than": "over", "above": "over", "exceeding": "over",
                  "upwards of": "over", "at least": "at_least", "within": "at_most",
                  "at most": "at_most", "no more than": "at_most", "up to": "at_most"}  # fmt: skip
_EN_VALUE = re.compile(
    r"(?P<pre>\b(?:" + "|".join(sorted(_EN_QUALIFIERS, key=len, reverse=True)) + r")\s+)?"
    r"(?P<cur>(?:US)?\$|¥|RMB\s?)?"
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|\b(?:" + "|".join(EN_NUMBER_WORDS) + r")\b)"
    r"(?!st\b|nd\b|rd\b|th\b)[\s-]?"
    r"(?P<scale>hundred million|thousand|million|billion|trillion)?[\s-]?"
    r"(?P<unit>percentage points?|per ?cent|%|"
    + "|".join(sorted({*_EN_MONEY, *_EN_QUANTITY}, key=len, reverse=True))
    + r"|(?:[a-z-]+\s){0,4}?(?:"
    + "|".join(_EN_COUNT_NOUNS)
    + r")[a-z]*)?(?!\w)",
    re.I,
)
_EN_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december")  # fmt: skip
_EN_MONTH = r"(?P<month>" + "|".join(m[:3] + f"(?:{m[3:]})?" for m in _EN_MONTHS) + r")\.?"
_EN_DATE = re.compile(
    rf"\b{_EN_MONTH}\s+(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d{{2}})|\s+(?P<rel6>last|this|next)\s+year\b)?"
    rf"|\b(?P<day2>[12]\d|3[01]|0?[1-9])\s+{_EN_MONTH.replace('month', 'month2')}"
    rf"(?:\s+(?P<year2>(?:19|20)\d{{2}}))?"
    rf"|\b(?:in\s+)?{_EN_MONTH.replace('month', 'month3')}\s+(?P<year3>(?:19|20)\d{{2}})\b"
    # a month of a year said relative to the article's (September last year, last October)
    rf"|\b{_EN_MONTH.replace('month', 'month4')}\s+(?:of\s+)?(?P<rel4>last|this|next)\s+year\b"
    rf"|\b(?P<rel5>last|this|next)\s+{_EN_MONTH.replace('month', 'month5')}\b"
    r"|\b(?P<year4>(?:19|20)\d{2})\b(?!\s*(?:%|percent|yuan|tons))"
    r"|\b(?P<rel>last year|this year|next year)\b",
    re.I,
)
_EN_ORDINAL = re.compile(
    r"\b(?P<n>\d+)(?:st|nd|rd|th)\b|\b(?P<word>first|second|third|fourth|fifth|sixth|seventh|"
    r"eighth|ninth|tenth)\b|\bNo\.\s?(?P<no>\d+)(?:\s+(?:issue|batch|session)s?)?\b",
    re.I,
)
"""16th, second, No. 2 (issue): 第16, 第二, 第2期."""
_EN_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                     "eighth", "ninth", "tenth")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Value:
    """One checkable value of a text, with offsets into that text."""

    kind: Kind
    amount: float | None
    """In the unit's base: 元, %, percentage points, the count, the year of a bare year."""
    unit: str
    """Base unit: 元, 美元, %, 个百分点, 吨, a classifier (家, 个, 人) or "" for dates."""
    qualifier: str
    """"", approx, under, over, at_most or at_least."""
    start: int
    end: int
    text: str
    date: tuple[int | None, int | None, int | None] = (None, None, None)
    """(year, month, day) of a date, each None when the text does not say."""
    until: int | None = None
    """The last year of a span of years (2026至2028年: 2028, with ``date`` 2026)."""

    @property
    def family(self) -> str:
        """Values that may describe the same fact: a percent and a point both are rates."""
        return "rate" if self.kind in ("percent", "points") else self.kind


def significant_digits(value: Value) -> str:
    """The digits of a value's amount without leading or trailing zeros (20.72 million and
    2072万 both ``2072``; 12亿 ``12``), to ten significant digits; "" without an amount."""
    if value.amount is None or value.amount == 0:
        return ""
    digits = f"{abs(value.amount):.10g}".split("e")[0].replace(".", "")
    return digits.strip("0")


@cache
def _cn2an() -> ModuleType:
    import cn2an

    return cn2an


def chinese_number(text: str) -> float | None:
    """十三点五 → 13.5, 一百二十 → 120, 两千 → 2000; None when it is not a numeral."""
    if text.isdigit():
        return float(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(_cn2an().cn2an(text, "smart"))
        except (ValueError, KeyError, IndexError, TypeError):
            return None


def _qualifier_before(text: str, match: re.Match[str]) -> str:
    word = match["pre"]
    if not word:
        return ""
    before = text[match.start() - 1 : match.start()]
    if before in _NOT_QUALIFIED.get(word, frozenset()):
        return ""
    return QUALIFIER_OF[word]


def _zh_number(match: re.Match[str], split: bool = False) -> tuple[float, str, str] | None:
    """(amount in the base unit, kind, base unit) of one Chinese value match; ``split``: the
    value follows 分 or 共 (分两期 counts phases, 一期 names one)."""
    if match["pct"]:
        amount = chinese_number(match["pct"])
        return None if amount is None else (amount, "percent", "%")
    raw, unit = match["num"], match["unit"]
    digits = _ROUND.get(raw, raw.replace(",", ""))
    amount = float(digits) if re.fullmatch(r"\d+(?:\.\d+)?", digits) else chinese_number(digits)
    if amount is None:
        return None
    if not re.match(r"\d", raw) and unit in _NON_UNITS and not (unit == "期" and split):
        return None
    scale = 1.0
    while unit and unit[0] in "万亿" and unit not in _MONEY_UNITS and unit not in _QUANTITY_UNITS:
        scale *= 1e4 if unit[0] == "万" else 1e8
        unit = unit[1:]
    if unit in _MONEY_UNITS:
        factor, base = _MONEY_UNITS[unit]
        return amount * scale * factor, "money", base
    if unit in ("个百分点", "百分点"):
        return amount, "points", "个百分点"
    if unit == "%":
        return amount, "percent", "%"
    if unit == "成":
        return amount * 10, "percent", "%"
    if unit in _QUANTITY_UNITS:
        factor, base = _QUANTITY_UNITS[unit]
        return amount * scale * factor, "quantity", base
    if unit in _NON_UNITS and not (unit == "期" and split):
        return None
    return amount * scale, "count", unit


def _zh_values(text: str) -> list[Value]:
    found = []
    for match in _ZH_VALUE.finditer(text):
        following = text[match.end() : match.end() + 1]
        if match["num"] and not match["unit"]:
            continue
        if match["num"] in _ROUND and not (match["pre"] or len(match["unit"]) > 1):
            continue  # 百亿 is a figure after 突破 or before 元; 千万 alone is "by all means"
        if match["unit"] in ("年", "月") or (following in ("年", "月", "日") and not match["unit"]):
            continue
        read = _zh_number(match, text[match.start() - 1 : match.start()] in ("分", "共"))
        if read is None and _MAJOR.match(match["unit"] + following) and match["num"].isdigit():
            read = (float(match["num"]), "count", "大")  # 7大板块: seven major parts
        if read is None:
            continue
        amount, kind, unit = read
        qualifier = _qualifier_before(text, match)
        after = match["post"] or match["more"] or ""
        qualifier = qualifier or QUALIFIER_OF.get(after, "")
        # a qualifier word that is part of another word (节约) stays out of the value
        start = (
            match.end("pre")
            if match["pre"] and not _qualifier_before(text, match)
            else (match.start())
        )
        found.append(
            Value(kind, amount, unit, qualifier, start, match.end(), text[start : match.end()])
        )
    return found


def _zh_dates(text: str, year_of_article: int | None) -> list[Value]:
    found: list[Value] = []
    taken: list[tuple[int, int]] = []
    for years in _ZH_YEARS.finditer(text):
        first, last = int(years["a"]), int(years["b"])
        found.append(Value("date", float(first), "", "", years.start(), years.end(), years[0],
                           (first, None, None), last))  # fmt: skip
        taken.append(years.span())
    for year in _ZH_YEAR.finditer(text):
        if any(s <= year.start() < e for s, e in taken):
            continue
        if year["y"]:
            number: int | None = int(year["y"])
        elif year_of_article is not None:
            number = year_of_article + _RELATIVE_YEAR[year["rel"]]
        else:
            number = None  # resolved against the article it is compared with
        end = year.end()
        month = day = None
        rest = _ZH_MONTH_DAY.match(text, end)
        if rest:
            month, day = int(rest["m"]), int(rest["d"]) if rest["d"] else None
            end = rest.end()
        amount = float(number) if number is not None else None
        found.append(Value("date", amount, "", "", year.start(), end, text[year.start() : end],
                           (number, month, day)))  # fmt: skip
        taken.append((year.start(), end))
    for md in _ZH_MONTH_DAY.finditer(text):
        if any(s <= md.start() < e for s, e in taken):
            continue
        month, day = int(md["m"]), int(md["d"]) if md["d"] else None
        if day is None and text[md.end() : md.end() + 1] not in (
            "份",
            "底",
            "初",
            "末",
            "起",
            "",
            ",",
            "，",
            "。",
            "以",
            "上",
            "中",
            "下",
        ):
            continue  # 3月 alone is a duration as often as a date: only 3月份, 3月底
        found.append(Value("date", None, "", "", md.start(), md.end(), md[0], (None, month, day)))
    return found


_N = r"(?<![第\d〇零一二两三四五六七八九十百])(\d+|[一二三四五六七八九十百]+)"
_SESSION = re.compile(
    rf"{_N}届(?:[^，,。;；:：\n]{{0,8}}?{_N}次)?"
    r"(?=[^，,。;；:：\n]{0,4}?(?:人大|政协|全会|代表大会|委员会|会议|党代会))"
)
"""A session written without 第 (市十六届人大五次会议: the 16th congress, its 5th meeting)."""


def _sessions(text: str) -> list[Value]:
    found = []
    for match in _SESSION.finditer(text):
        for group, unit in ((1, "届"), (2, "次")):
            number = chinese_number(match[group]) if match[group] else None
            if number is not None:
                start, end = match.start(group), match.end(group) + 1
                found.append(Value("ordinal", number, unit, "", start, end, text[start:end]))
    return found


def _zh_ordinals(text: str) -> list[Value]:
    found = _sessions(text)
    for match in _ORDINAL.finditer(text):
        number = 1.0 if match["first"] else chinese_number(match["n"])
        if number is not None:
            unit = match["unit"] or match["first"] or ""
            found.append(Value("ordinal", number, unit, "", match.start(), match.end(), match[0]))
    return found


def _en_values(text: str) -> list[Value]:
    found = []
    for match in _EN_VALUE.finditer(text):
        unit_text = (match["unit"] or "").lower()
        currency = (match["cur"] or "").strip().lower()
        if not unit_text and not currency and not match["scale"]:
            continue
        number = match["num"].lower()
        amount = float(EN_NUMBER_WORDS.get(number) or number.replace(",", ""))
        amount *= _EN_SCALE.get((match["scale"] or "").lower(), 1.0)
        if unit_text.startswith("percentage point"):
            kind, unit = "points", "个百分点"
        elif unit_text in ("%", "percent", "per cent"):
            kind, unit = "percent", "%"
        elif unit_text in _EN_MONEY or currency:
            kind, unit = "money", "美元" if "$" in currency else _EN_MONEY.get(unit_text, "元")
        elif unit_text in _EN_QUANTITY:
            kind, unit = "quantity", _EN_QUANTITY[unit_text]
            amount *= _EN_QUANTITY_SCALE.get(unit_text, 1.0)
        elif unit_text:
            noun = unit_text.split()[-1]
            unit = next((u for stem, u in _EN_COUNT_NOUNS.items() if noun.startswith(stem)), "")
            kind = "count"
        else:
            kind, unit = "count", ""
        if kind == "count" and not unit and not match["scale"]:
            continue
        pre = (match["pre"] or "").strip().lower()
        qualifier = _EN_QUALIFIERS.get(pre, "")
        start = (
            match.start()
            if qualifier
            else match.start("cur")
            if match["cur"]
            else match.start("num")
        )
        end = (
            match.end("unit")
            if match["unit"]
            else match.end("scale")
            if match["scale"]
            else match.end("num")
        )
        found.append(Value(kind, amount, unit, qualifier, start, end, text[start:end]))
    return found


_EN_YEARS = re.compile(
    r"\b(?:from\s+|between\s+)?(?P<a>(?:19|20)\d{2})\s*(?:-|–|to|and|through)\s*(?P<b>(?:19|20)\d{2})\b"
)


def _en_dates(text: str, year_of_article: int | None) -> list[Value]:
    found = []
    spans = []
    for years in _EN_YEARS.finditer(text):
        first, last = int(years["a"]), int(years["b"])
        found.append(Value("date", float(first), "", "", years.start(), years.end(), years[0],
                           (first, None, None), last))  # fmt: skip
        spans.append(years.span())
    for match in _EN_DATE.finditer(text):
        if any(a <= match.start() < b for a, b in spans):
            continue
        groups = match.groupdict()
        month_name = (groups["month"] or groups["month2"] or groups["month3"] or groups["month4"]
                      or groups["month5"])  # fmt: skip
        month = next((i + 1 for i, m in enumerate(_EN_MONTHS) if month_name and m.startswith(
            month_name.lower()[:3])), None)  # fmt: skip
        day_text = groups["day"] or groups["day2"]
        year_text = groups["year"] or groups["year2"] or groups["year3"] or groups["year4"]
        year = int(year_text) if year_text else None
        if groups["rel"]:
            if year_of_article is None:
                continue
            year = year_of_article + _RELATIVE_YEAR[groups["rel"].lower()]
        relative = groups["rel4"] or groups["rel5"] or groups["rel6"]
        if relative and year_of_article is not None:
            year = year_of_article + _RELATIVE_YEAR[f"{relative.lower()} year"]
        day = int(day_text) if day_text else None
        found.append(Value("date", float(year) if year else None, "", "", match.start(),
                           match.end(), match[0], (year, month, day)))  # fmt: skip
    return found


def _en_ordinals(text: str) -> list[Value]:
    found = []
    for match in _EN_ORDINAL.finditer(text):
        digits = match["n"] or match["no"]
        number = int(digits) if digits else _EN_ORDINAL_WORDS.index(match["word"].lower()) + 1
        found.append(Value("ordinal", float(number), "", "", match.start(), match.end(), match[0]))
    return found


def _without_overlaps(values: list[Value]) -> list[Value]:
    """Longest first; a value inside a longer one is part of it (2025 in 2025年5月)."""
    kept: list[Value] = []
    for value in sorted(values, key=lambda v: (-(v.end - v.start), v.start)):
        if all(value.end <= k.start or value.start >= k.end for k in kept):
            kept.append(value)
    return sorted(kept, key=lambda v: v.start)


def find_values(text: str, *, english: bool, year_of_article: int | None = None) -> list[Value]:
    """Every checkable value of ``text`` (a normalised one), in order.

    ``year_of_article`` resolves relative years (去年 in a 2026 article is 2025).
    """
    if english:
        dates = _en_dates(text, year_of_article)
        numbers = [
            v for v in _en_values(text) if not any(d.start <= v.start < d.end for d in dates)
        ]
        return _without_overlaps([*dates, *numbers, *_en_ordinals(text)])
    dates = _zh_dates(text, year_of_article)
    ordinals = _zh_ordinals(text)
    # 五次 of 人大五次会议 is the fifth meeting, not five of them
    numbers = [n for n in _zh_values(text) if not any(o.start <= n.start < o.end for o in ordinals)]
    return _without_overlaps([*dates, *numbers, *ordinals])


# ---------------------------------------------------------------- comparing

_SAME = 0.005
"""Relative difference under which two amounts are the same (rounding: 11.96 → 12)."""
_SLACK = {"under": (0.85, 1.0), "approx": (0.9, 1.1), "over": (1.0, 1.25),
          "at_most": (0.0, 1.0), "at_least": (1.0, math.inf), "": (1.0, 1.0)}  # fmt: skip
"""The range a qualified value stands for, as factors of the number: 近12亿 is 10.2–12亿."""


def _range(value: Value, *, claimed: bool) -> tuple[float, float]:
    """The amounts ``value`` stands for. Rounding widens a closed end; an open end stays
    open (近12亿 is under 12亿, 超过12亿 over it, so the two never meet)."""
    assert value.amount is not None
    low, high = _SLACK[value.qualifier]
    if claimed and value.qualifier == "over":
        high = math.inf  # a claim of "over 10" is true of any larger number
    if claimed and value.qualifier == "under" and value.kind != "money":
        low = 0.0
    amount = abs(value.amount)
    # rounding widens an exact or approximate end; a bound (以上, 不超过) is exact, and an
    # open end stays open
    epsilon = amount * _SAME if value.qualifier in ("", "approx") else 0.0
    a = amount * (1 + 1e-9) if value.qualifier == "over" else amount * low - epsilon
    b = amount * (1 - 1e-9) if value.qualifier == "under" else amount * high + epsilon
    return a, b


def values_agree(claimed: Value, printed: Value) -> bool | None:
    """Whether the article's value bears the claim out; None when they cannot be compared
    (a date against an amount, yuan against dollars)."""
    if claimed.kind == "date" or printed.kind == "date":
        if claimed.kind != printed.kind:
            return None
        if claimed.until is not None or printed.until is not None:
            if claimed.until is None or printed.until is None:
                return None
            return (claimed.date[0], claimed.until) == (printed.date[0], printed.until)
        told = [(c, p) for c, p in zip(claimed.date, printed.date, strict=True)
                if c is not None and p is not None]  # fmt: skip
        if not told:
            return None
        if all(c == p for c, p in told):
            # a date agrees only as far as the article says it: 2026年 does not confirm 7月
            return True if len(told) == sum(c is not None for c in claimed.date) else None
        # a lone differing month says little (1月 of publication, 7月 of the meeting): a
        # date contradicts only when it says as much as the article's, or two parts of it
        said = sum(p is not None for p in printed.date)
        return False if len(told) >= min(2, said) else None
    if {claimed.kind, printed.kind} == {"count", "quantity"} and claimed.unit == printed.unit:
        # 3万辆 reads as a quantity and 30,000 vehicles as a count: the same thing counted
        claimed, printed = replace(claimed, kind="count"), replace(printed, kind="count")
    if claimed.family != printed.family:
        return None
    if claimed.kind != printed.kind:
        # 0.9% for 0.9个百分点, or the reverse; with another number as well, a rate of
        # something else (增长5.7% beside 下降0.9个百分点)
        if claimed.amount is None or printed.amount is None:
            return None
        same = abs(claimed.amount - printed.amount) <= _SAME * abs(printed.amount)
        return False if same else None
    if claimed.kind in ("money", "quantity") and claimed.unit != printed.unit:
        return False  # 3亿美元 for 3亿元, 6000亩 for 6000平方米
    if claimed.kind == "count" and claimed.unit and printed.unit and claimed.unit != printed.unit:
        return None  # 300个 jobs and 两期 count different things
    if claimed.amount is None or printed.amount is None:
        return None
    if claimed.kind == "ordinal":
        return claimed.amount == printed.amount
    if claimed.qualifier == printed.qualifier == "approx":
        # both about a number: the numbers themselves must agree (6.5%左右 is not 5.5%左右,
        # however their ±10% ranges overlap)
        claimed, printed = replace(claimed, qualifier=""), replace(printed, qualifier="")
    low_c, high_c = _range(claimed, claimed=True)
    low_p, high_p = _range(printed, claimed=False)
    return low_c <= high_p and low_p <= high_c
