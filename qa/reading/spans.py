"""Typed span finders over one sentence: numbers with units, dates, names, noun phrases.

Every finder returns (start, end) offsets into the text it was given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.question import CLASSIFIERS, AnswerType
from qa.tokens import tagged

_QUALIFIER_BEFORE = r"(?:近|约|超过|超|逾|将近|接近|不足|不到|仅|突破)?"
_NUMBER = r"\d+(?:[.,]\d+)*(?:多|余)?(?:[十百千万亿]+)?(?:多|余)?"
_UNIT = rf"(?:亿美元|万美元|美元|亿元|万元|元|个百分点|%|{CLASSIFIERS}|万|亿)?"
_QUALIFIER_AFTER = r"(?:左右|以上|以下|多|余|以内)?"
NUMBER_SPAN = re.compile(
    rf"(?P<pre>{_QUALIFIER_BEFORE})(?P<num>{_NUMBER})(?P<unit>{_UNIT})(?P<post>{_QUALIFIER_AFTER})"
)
CHINESE_COUNT = re.compile(
    r"(?<![第一二三四五六七八九十两百千万统唯之])(?P<num>[一二三四五六七八九十两百千]+)"
    r"(?P<unit>个|家|项|期|条|座|批|名|位|次|年|大|类|种|张|届)"
)
ORDINAL_SPAN = re.compile(
    r"第(?:\d+|[一二三四五六七八九十百]+)(?:位|名|个|批|届|期|次|大|家)?|首批|首个|首家|首次"
)
DATE_SPAN = re.compile(
    # (?<!\d): "2000年" is not a date inside "22000年前".
    r"(?<!\d)(?:(?:\d{4}|去|今|明)年)?\d{1,2}月(?:\d{1,2}日|上旬|中旬|下旬|初|底|末|份)?"
    r"(?:上午|下午|晚上|晚间|晚|凌晨)?"
    r"|(?<!\d)\d{4}年(?!代)(?:至\d{4}年)?(?:上半年|下半年|初|底|末)?|(?<!\d)\d{4}至\d{4}年"
    r"|(?<!\d)\d{1,2}日(?:上午|下午|晚)?"
)
_YEAR_LIKE = re.compile(r"^\d{4}$")
_ORG_SUFFIX = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|集团|公司|中心|实验室|研究院|研究所|委员会|发改委|"
    r"工信厅|发改委|厅|局|协会|大学|学院|银行|基金)$"
)
_NOT_ORGANIZATIONS = frozenset(
    {"布局", "格局", "结局", "大局", "全局", "开局", "变局", "新局", "当局", "大厅", "客厅",
     "展厅", "门厅", "餐厅", "舞厅", "新格局", "新布局"}
)
"""Common words that end like an organisation (局, 厅) and name none."""
_PLACE_SUFFIX = frozenset(
    {"区", "县", "市", "镇", "乡", "村", "高新区", "港区", "开发区", "园区", "省", "港"}
)
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
    "严覃武戴莫孔向汤柳左常易文欧阳"
)
_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
_PLACE_CHARS = frozenset("区县市省镇乡村港")
_NOUNISH = re.compile(r"^(?:n|nr|ns|nt|nz|nrt|nrfg|j|eng|a|an|vn|b|m|l)$")
_TRIM_START = re.compile(
    r"^(?:是|为|的|了|由|在|将|被|有|共|等|即|对|把|从|和|与|及|其中|分别为|分别是|分别|包括|主要)+"
)
_TRIM_END = re.compile(r"(?:的|了|等|共同|分别|都|也|已|已经|将|正在|均|着|进行|实现|开展|是)+$")
_CLAUSE = re.compile(r"[,;:。!?]")


@dataclass(frozen=True, slots=True)
class SpanCandidate:
    """A span of the sentence text, with what kind of thing it is."""

    start: int
    end: int
    text: str
    kind: AnswerType
    unit: str = ""


def number_spans(text: str) -> list[SpanCandidate]:
    """Amounts, percentages and counts with their qualifiers and units."""
    found: list[SpanCandidate] = []
    for match in NUMBER_SPAN.finditer(text):
        unit = match["unit"]
        number = match["num"]
        following = text[match.end() : match.end() + 1]
        if unit in {"年", "月"} or (following in {"年", "月", "日"} and not unit):
            continue  # a date, not a quantity
        if not unit and _YEAR_LIKE.match(number) and following in {"至", "-"}:
            continue
        if "元" in unit:
            kind = AnswerType.MONEY
        elif unit in {"%", "个百分点"}:
            kind = AnswerType.PERCENT
        elif unit:
            kind = AnswerType.COUNT
        else:
            kind = AnswerType.NUMBER
        found.append(SpanCandidate(match.start(), match.end(), match[0], kind, unit))
    for match in CHINESE_COUNT.finditer(text):
        found.append(
            SpanCandidate(match.start(), match.end(), match[0], AnswerType.COUNT, match["unit"])
        )
    return found


def date_spans(text: str) -> list[SpanCandidate]:
    """Dates and years ("2025年12月24日", "1月14日上午", "2026至2028年")."""
    return [
        SpanCandidate(m.start(), m.end(), m[0], AnswerType.DATE) for m in DATE_SPAN.finditer(text)
    ]


def ordinal_spans(text: str) -> list[SpanCandidate]:
    """Ordinals such as 第36位 or 首批."""
    return [
        SpanCandidate(m.start(), m.end(), m[0], AnswerType.ORDINAL)
        for m in ORDINAL_SPAN.finditer(text)
    ]


def _person_end(tokens: tuple[tuple[str, str, int], ...], i: int) -> int | None:
    """End offset of a person's name starting at token i, or None.

    jieba often splits a name after the surname ("冯" + "江华") or before the last
    character ("柳祥" + "国"); both are put back together here.
    """
    word, flag, start = tokens[i]
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    after = tokens[i + 2] if i + 2 < len(tokens) else None

    def boundary(token: tuple[str, str, int] | None) -> bool:
        return token is None or token[1] in {"x", "v", "p", "c", "uj", "d"}

    if (
        len(word) == 1 and word in SURNAMES and following and 1 <= len(following[0]) <= 2
        and _CJK_ONLY.match(following[0]) and following[1][0] in "nav"
    ):  # fmt: skip
        return following[2] + len(following[0])
    if flag == "nr" and 2 <= len(word) <= 4 and word[-1] not in _PLACE_CHARS:
        if (
            len(word) == 2
            and word[0] in SURNAMES
            and following
            and len(following[0]) == 1
            and following[1] in {"n", "ng", "nr"}
            and boundary(after)
        ):
            return following[2] + 1
        return start + len(word)
    return None


def name_spans(text: str) -> list[SpanCandidate]:
    """People (nr), places (ns, with 区/县/高新区 suffixes) and organisations."""
    tokens = tagged(text)
    found: list[SpanCandidate] = []
    i = 0
    person_until = 0
    while i < len(tokens):
        word, flag, start = tokens[i]
        person_end = _person_end(tokens, i) if start >= person_until else None
        if person_end is not None:
            found.append(
                SpanCandidate(start, person_end, text[start:person_end], AnswerType.PERSON)
            )
            person_until = person_end
        if flag == "ns":
            end = start + len(word)
            j = i + 1
            while j < len(tokens) and (tokens[j][1] == "ns" or tokens[j][0] in _PLACE_SUFFIX):
                end = tokens[j][2] + len(tokens[j][0])
                j += 1
            found.append(SpanCandidate(start, end, text[start:end], AnswerType.PLACE))
        i += 1
    # Organisations: the longest run of noun-like tokens ending in an organisation suffix.
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and _NOUNISH.match(tokens[j][1]):
            j += 1
        run = tokens[i:j]
        for last in range(len(run) - 1, -1, -1):
            if run[last][0] in _NOT_ORGANIZATIONS:
                continue
            if _ORG_SUFFIX.search(run[last][0]) or run[last][1] == "nt":
                # A name usually starts at its region ("子公司湖南思微特…" → "湖南思微特…").
                first = next((t for t in run[1:last] if t[1] == "ns"), run[0])
                start = first[2]
                end = run[last][2] + len(run[last][0])
                if end - start >= 3:
                    found.append(
                        SpanCandidate(start, end, text[start:end], AnswerType.ORGANIZATION)
                    )
                break
        i = max(j, i + 1)
    return found


def trim_phrase(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past punctuation and function words at either edge."""
    while start < end and not re.match(r"[\w\u4e00-\u9fff“《]", text[start]):
        start += 1
    while end > start and not re.match(r"[\w\u4e00-\u9fff”》%]", text[end - 1]):
        end -= 1
    head = _TRIM_START.match(text, start, end)
    if head and head.end() < end:
        start = head.end()
    tail = _TRIM_END.search(text[start:end])
    if tail and tail.start() > 0:
        end = start + tail.start()
    return start, end


def clause_bounds(text: str, position: int) -> tuple[int, int]:
    """The clause (between commas or sentence marks) around ``position``."""
    start = 0
    for match in _CLAUSE.finditer(text, 0, position):
        start = match.end()
    following = _CLAUSE.search(text, position)
    return start, following.start() if following else len(text)
