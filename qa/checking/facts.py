"""What a statement's value is of, from the words around it (qa.checking.verify): the
noun that names it, a phase, a change or a level, the event a date dates, a dispatch, and
the document a claim cites."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from qa.checking.clauses import (
    CJK_CHAR,
    CLAUSE_BREAK,
    clause_of,
    clause_start,
    segment_around,
)
from qa.checking.values import (
    Value,
)
from qa.tokens import tagged

_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")


def digits_of(text: str) -> str | None:
    """The number a value writes, as digits (6,000 → 6000), if it writes one."""
    found = _DIGITS.search(text)
    return found[0].replace(",", "") if found else None


def said_of_another(word: str, text: str, candidate: Value, printed: Sequence[Value]) -> bool:
    """Whether ``word``, which names the claim's value (``measure_word``), is in the clause
    of another of the sentence's values and not in ``candidate``'s: 全社会物流总费用约为
    600亿元 speaks of 物流总费用与GDP的比率为13.5%, not of 节约社会物流成本近12亿元."""
    if word in clause_of(text, candidate.start, candidate.end):
        return False
    return any(word in clause_of(text, o.start, o.end) for o in printed if o is not candidate)


def measure_word(claim: str, value: Value) -> str | None:
    """The noun that names a Chinese claim's amount: one of two characters or more among
    the three words before it in its clause (物流总费用约为600亿元: 总费用; 预计年产值可达
    20亿元: 年产值). None for a date, which its clause's subject scopes from further off."""
    if value.kind == "date":
        return None
    before = claim[clause_start(claim, value.start) : value.start]
    nouns = [w for w, flag, _ in tagged(before)[-3:]
             if flag.startswith("n") and len(w) >= 2]  # fmt: skip
    return nouns[-1] if nouns else None


_ZH_CHANGE = re.compile(r"(?:增长|增加|提高|上升|提升|扩大|增|涨|下降|减少|降低|回落|下滑|缩小|降|"
                        r"增速|同比|比上年|较上年)[^,，;；。]{0,6}$")


_EN_CHANGE = re.compile(r"\b(?:grow|grew|grown|growing|growth|rise|rose|risen|rising|increase[sd]?|"
                        r"up|climb(?:ed|s)?|jump(?:ed|s)?|gain(?:ed|s)?|expand(?:ed|s)?|fall|fell|"
                        r"fallen|drop(?:ped|s)?|decline[sd]?|decrease[sd]?|down|cut|reduce[sd]?|"
                        r"year on year|year-on-year)\b[^,;.]{0,24}$", re.I)


def is_change(text: str, value: Value, english: bool) -> bool:
    """Whether a rate is a change (增长5.7%, 同比增加50%以上, grew by 5.7%), by the words just
    before it in its clause, rather than a level (比率为13.5%, a 45.5% share)."""
    before = text[clause_start(text, value.start) : value.start]
    return bool((_EN_CHANGE if english else _ZH_CHANGE).search(before))


_ZH_SAVING = re.compile(
    r"(?:节约|节省|节支|省下|压减|减少|降低|削减|缩减|下降)(?![至到为])[^,，;；。]{0,10}$"
)
_EN_SAVING = re.compile(r"\b(?:sav(?:e[sd]?|ings?)|cut(?:s|ting)?|reduc\w*|lower\w*|slash\w*|"
                        r"trim\w*|shav\w*|squeez\w*|curb\w*|decreas\w*|fell|fall\w*|drop\w*|"
                        r"declin\w*)\b", re.I)


# (月产 is a month's output, 1-11月销售额 the sales of eleven months: no date before it)
_NO_DATE = r"(?<![\d〇零一二两三四五六七八九十])"
_ZH_PERIODS = (
    ("month", re.compile(_NO_DATE + r"(?:月产|月均|月度|月销|月营收)|每月|单月|当月")),
    ("year", re.compile(_NO_DATE + r"(?:年产|年均|年度|年销|年营收|年吞吐)|全年|每年")),
)
_EN_PERIODS = (("month", re.compile(r"\b(?:monthly|a month|per month|each month)\b", re.I)),
               ("year", re.compile(r"\b(?:annual(?:ly)?|yearly|per year|each year|"
                                   r"full-year|for the (?:whole|full) year)\b", re.I)))


def period_of(text: str, value: Value, english: bool) -> str | None:
    """Whether an amount is a month's or a year's (月产突破3万辆; annual output), by its
    clause's words before it (anywhere in an English one); None when they do not say."""
    if english:
        said = [p for p, pattern in _EN_PERIODS if pattern.search(text)]
    else:
        before = text[clause_start(text, value.start) : value.start]
        said = [p for p, pattern in _ZH_PERIODS if pattern.search(before)]
    return said[0] if len(said) == 1 else None


def is_saving(text: str, value: Value, english: bool) -> bool:
    """Whether an amount is one saved or cut (节约社会物流成本近12亿元, cut costs by…), by the
    words before it in its clause (anywhere in an English one), rather than a total."""
    if english:
        return bool(_EN_SAVING.search(text))
    return bool(_ZH_SAVING.search(text[clause_start(text, value.start) : value.start]))


_PHASE = re.compile(r"(?:第?[一二三四五六七八九十1-9]|首)期(?!间|待|望|限|刊|货)")
_EN_PHASE = re.compile(
    r"\b(?:phase[ -](?P<n>one|two|three|1|2|3|I{1,3})\b|(?P<nth>first|second|third)[ -]phase\b)",
    re.I,
)


_EN_PHASE_NUMBER = {"one": "一", "1": "一", "i": "一", "first": "一", "two": "二", "2": "二",
                    "ii": "二", "second": "二", "three": "三", "3": "三", "iii": "三",
                    "third": "三"}  # fmt: skip


def phase_of(claim: str, value: Value, english: bool = False) -> str | None:
    """The phase a claim's figure is of, as the article writes it: in a Chinese claim's
    clause (项目一期计划投入3亿元: 一期), anywhere in an English one (Phase I, the first
    phase: 一期)."""
    if english:
        found = [_EN_PHASE_NUMBER[(m["n"] or m["nth"]).lower()] + "期"
                 for m in _EN_PHASE.finditer(claim)]  # fmt: skip
        return found[0] if len(set(found)) == 1 else None
    found = _PHASE.findall(claim[clause_start(claim, value.start) : value.start])
    return found[-1].removeprefix("第") if found else None


def qualifying_words(claim: str, value: Value) -> tuple[str, ...]:
    """The claim's words of two characters or more among the two just before its value, in
    its clause (项目一期投资3亿元: 一期, 投资)."""
    before = claim[clause_start(claim, value.start) : value.start]
    return tuple(w for w, _, _ in tagged(before)[-2:] if len(w) >= 2 and CJK_CHAR.match(w))


def said_in_segment(words: Sequence[str], text: str, value: Value) -> bool:
    """Whether the part of ``text`` around ``value``, between semicolons, colons or full
    stops, says every one of ``words``."""
    if not words:
        return False
    segment = segment_around(text, value.start, value.end)
    return all(w in segment for w in words)


_ZH_DISPATCH = re.compile(r"电头|电讯|电报|发电|发出|发自|播发|电称|电\b")
_EN_DISPATCH = re.compile(r"\b(?:datelined?|dispatch(?:es|ed)?|filed|wire)\b", re.I)


def of_dispatch(claim: str, english: bool) -> bool:
    """Whether a claim's date is a dispatch's (datelined Beijing, January 15; 1月15日从北京
    发出的电讯), which only the dateline gives."""
    return bool((_EN_DISPATCH if english else _ZH_DISPATCH).search(claim))


_NOT_EVENTS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz", "t", "m", "f", "x", "eng"})


def event_word(claim: str, value: Value) -> str | None:
    """What a Chinese claim says happened on its date: the word right after it (去年6月28日
    签约: 签约; 1月16日出版: 出版), when it is no name, time or number."""
    after = [t for t in tagged(claim[value.end : value.end + 8]) if t[1] != "x"]
    if not after or after[0][2] != 0:
        return None
    word, flag, _ = after[0]
    if len(word) < 2 or flag in _NOT_EVENTS or not CJK_CHAR.match(word):
        return None
    return word


_HOLDING = frozenset({"召开", "举行", "举办", "开幕", "召开了", "举行了", "举办了"})
_HELD = re.compile(r"[\u4e00-\u9fff\d]{3}(?:会议|大会|论坛|仪式|博览会|展会|峰会|年会|活动)")


def held_on(claim: str, value: Value) -> str | None:
    """What a Chinese claim says was held on its date when its event word only holds it,
    the last such noun of its clause with the three characters before it
    (2025年12月25日召开的…第五次会议: 第五次会议), which a sentence dating the meeting itself
    says without the verb (2025年12月24日在…第五次会议上)."""
    if event_word(claim, value) not in _HOLDING:
        return None
    stop = CLAUSE_BREAK.search(claim, value.end)
    held = [m[0] for m in _HELD.finditer(claim, value.end, stop.start() if stop else len(claim))]
    return held[-1] if held else None


def resolve_relative(value: Value, year: int | None) -> Value:
    """A claim's relative year (去年, last year) read in the article's year."""
    if value.kind != "date" or year is None or value.date[0] is not None:
        return value
    lowered = value.text.lower()
    # (last September: a month of the year before the article's)
    for word, shift in (("前年", -2), ("去年", -1), ("今年", 0), ("明年", 1),
                        ("last ", -1), ("this ", 0), ("next ", 1)):  # fmt: skip
        if word in lowered:
            return replace(value, amount=float(year + shift), date=(year + shift, *value.date[1:]))
    return value


_DOCUMENTS_ZH = "报告|报道|公告|通报|消息|文章|讲话|数据|统计|规划|方案"
_ZH_ATTRIBUTION = re.compile(
    rf"^(?:据|根据)[^,，。;；]{{1,24}}?(?:{_DOCUMENTS_ZH})[,，]\s*"
    rf"|^[^,，。;；]{{0,12}}(?:{_DOCUMENTS_ZH})(?:显示|指出)[,，:：]\s*"
)


_DOCUMENTS_EN = r"(?:report|article|announcement|notice|statement|data|figures|statistics|plan)"
_EN_ATTRIBUTION = re.compile(
    rf"^(?:according to|as stated in|as reported in|per)\s[^,;.]{{0,60}}?\b{_DOCUMENTS_EN}s?,\s*"
    rf"|^[^,;.]{{0,60}}?\b{_DOCUMENTS_EN}s?\s(?:says|said|shows|showed|notes|noted|states|stated)"
    r"(?: that)?\s+",
    re.I,
)
"""Who says it, when it is a document (a report, an article): no speaker whose name may be
the fact (陈荣介绍, according to Chen Rong)."""


def unattributed(text: str, english: bool) -> str:
    """``text`` without an opening that only says which document says it (据株洲市政府工作
    报告, According to the government work report,), when enough is left to check."""
    found = (_EN_ATTRIBUTION if english else _ZH_ATTRIBUTION).match(text)
    if found is None or len(text) - found.end() < (20 if english else 6):
        return text
    return text[found.end() :]
