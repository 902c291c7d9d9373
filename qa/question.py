"""What a question asks for: its answer type, unit, key terms and where its "wh" word is.

Chinese interrogatives (多少/几/谁/哪里/什么时候/什么/哪…) and English ones (how much,
how many, who, when, where, which, what) map onto the same answer types, which the
reader uses to pick a span of the right kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from qa.tokens import ENGLISH_STOPWORDS, STOPWORDS, analyze, is_english
from qa.types import Expansion


class AnswerType(StrEnum):
    """The kind of span a question asks for."""

    MONEY = "money"
    PERCENT = "percent"
    COUNT = "count"
    NUMBER = "number"
    ORDINAL = "ordinal"
    DATE = "date"
    PERSON = "person"
    PLACE = "place"
    ORGANIZATION = "organization"
    ENTITY = "entity"
    """A short noun phrase (什么/哪个/what/which)."""
    OTHER = "other"


NUMERIC_TYPES = frozenset(
    {AnswerType.MONEY, AnswerType.PERCENT, AnswerType.COUNT, AnswerType.NUMBER, AnswerType.ORDINAL}
)

CLASSIFIERS = (
    "万人次|人次|万户|万辆|万吨|平方米|公里|百分点|个月|个|家|张|项|人|名|位|辆|户|条|座|所|次|批|只|台|"
    "套|种|类|吨|亩|米|倍|届|期|块|部|篇|场|天|年|月|岁|元|版|大|A"
)
_MONEY_CUE = re.compile(
    r"(?:多少钱|多少元|几元|金额|资金|投资额|出资额|总投资|投资多少|投资了多少|投资约|成本|费用|营收|收入|"
    r"销售额|贸易额|税收|贷款|出资|总额|总值|融资|花费|节约了多少|节省了多少|留存|资产|价值|产值|规模|"
    r"GDP|生产总值|经济总量|亿元|万元)"
)
_PERCENT_CUE = re.compile(
    r"(?:百分之|百分比|比率|比例|之比|占比|比重|增长率|增速|增幅|降幅|涨幅|下降了?多少|增长了?多少|提高了?多少|"
    r"提升了?多少|增加了?多少|上升了?多少|降低了?多少|下降幅度|增长目标|百分点|市场份额|%)"
)
# 哪几 asks which ones (哪几家: the companies), not how many.
_HOW_MANY = r"(?:多少|(?<!哪)几)"
# 大 measures in 几大板块, but 多少大学生 counts 学生.
_COUNT_CUE = re.compile(rf"{_HOW_MANY}(?!大学)(?P<unit>个月|个|{CLASSIFIERS})")
_NOUN_UNITS = {
    "人": (
        "员工",
        "职工",
        "人员",
        "人口",
        "居民",
        "游客",
        "观众",
        "学生",
        "大学生",
        "工人",
        "就业岗位",
    ),
    "家": ("企业", "公司", "机构", "市场主体"),
    "个": ("项目", "岗位", "港口"),
}
_COUNTED_NOUN = re.compile(
    _HOW_MANY + r"(?:名|位|个|家)?(" + "|".join(n for ns in _NOUN_UNITS.values() for n in ns) + ")"
)
_ZH_TYPES: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        AnswerType.DATE,
        re.compile(
            r"什么时候|何时|哪天|哪一天|哪日|哪年|哪一年|几月|几号|什么日子|日期|哪个月|什么时间|哪一月"
        ),
    ),
    (AnswerType.ORDINAL, re.compile(r"第几")),
    (
        AnswerType.PERSON,
        re.compile(
            r"谁|哪[一两三几]?位|什么人|何人|哪个人|哪些人|姓名|名字叫|"
            r"(?:市长|书记|主任|记者|负责人|主管|院士|部长|董事长|总经理|局长|县长|区长|工匠|部长)"
            r"(?:是|叫)?(?:什么名字|叫什么)"
        ),
    ),
    (
        AnswerType.ORGANIZATION,
        re.compile(
            r"(?:哪家|哪些|哪个|什么|何种)(?:企业|公司|单位|机构|部门|集团|银行|平台|高校|学校|媒体)|哪家"
        ),
    ),
    (
        AnswerType.PLACE,
        re.compile(
            r"哪里|哪儿|在哪|什么地方|何地|何处|"
            r"(?:哪个|哪座|哪些|什么)(?:城市|省份|省|县|区|国家|地区|市|港口|地方|园区|高新区|街道)"
        ),
    ),
)
_WH = re.compile(
    r"多少钱|多少|几[个家张项人名位辆户条座所次批期年月天]?|谁|哪里|哪儿|什么时候|何时|"
    r"哪[一两三几]?[个些位家天年座种类]?|什么样的|什么|何[种地处时]?"
)
_TRAILING = re.compile(r"[?!。.]*$|(?:吗|呢|啊|了)[?!。.]*$")

_EN_TYPES: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        AnswerType.DATE,
        re.compile(
            r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bwhich (?:year|date|day|month)\b",
            re.I,
        ),
    ),
    (
        AnswerType.PERSON,
        re.compile(
            r"^\s*(?:and\s+)?who\b|\bwho (?:is|was|are|were|will|did|has)\b|\bwhom\b"
            r"|\bwhich (?:person|official|leader|people)\b",
            re.I,
        ),
    ),
    (
        AnswerType.PERCENT,
        re.compile(
            r"\b(?:what|which) (?:percentage|percent|share|proportion|ratio|rate)\b"
            r"|\bby how much\b|"
            r"\bhow much (?:did|does|will|is|was|has)\b.*"
            r"\b(?:grow|rise|fall|increase|decrease|drop|decline|expand|up|down)\b|"
            r"\bgrowth\b.*\bhow much\b|\bpercent",
            re.I,
        ),
    ),
    (AnswerType.COUNT, re.compile(r"\bhow many\b", re.I)),
    (AnswerType.MONEY, re.compile(r"\bhow much\b", re.I)),
    (
        AnswerType.MONEY,
        re.compile(
            r"\bwhat(?:'s| is| was| will be| are)?\b.*\b(?:revenue|investment|cost|costs|price"
            r"|value|worth|amount|funding|sales|turnover|budget|capital|output value|tax|income)\b",
            re.I,
        ),
    ),
    (
        AnswerType.ORGANIZATION,
        re.compile(
            r"\b(?:which|what) (?:company|companies|enterprise|enterprises|firm|firms"
            r"|organi[sz]ation|group|bank|institution|department)\b",
            re.I,
        ),
    ),
    (
        AnswerType.PLACE,
        re.compile(
            r"\bwhere\b|\b(?:which|what) "
            r"(?:city|county|province|country|district|place|zone|port|region|town)\b",
            re.I,
        ),
    ),
    (AnswerType.ORDINAL, re.compile(r"\bwhat (?:rank|place|position)\b|\branked?\b", re.I)),
    (AnswerType.ENTITY, re.compile(r"\bwhat\b|\bwhich\b", re.I)),
)
_EN_UNITS = {
    "compan": "家",
    "enterprise": "家",
    "firm": "家",
    "project": "个",
    "vehicle": "辆",
    "car": "辆",
    "job": "个",
    "employee": "人",
    "people": "人",
    "person": "人",
    "household": "户",
    "ticket": "张",
    "coupon": "张",
    "item": "项",
    "reform": "项",
    "achievement": "项",
    "patent": "项",
    "line": "条",
    "port": "个",
    "section": "个",
    "model": "个",
    "phase": "期",
    "expressway": "条",
    "champion": "个",
    "institution": "家",
    "student": "人",
    "graduate": "人",
    "spectator": "人",
    "case": "个",
}


@dataclass(frozen=True, slots=True)
class QuestionAnalysis:
    """A question, parsed for the reader."""

    text: str
    english: bool
    answer_type: AnswerType
    unit: str | None
    """Measure word the answer should carry (张, 家, 个, 亿元, %), when the question says."""
    groups: tuple[tuple[str, ...], ...]
    """Content words of the question, each with its alternatives: one Chinese word per
    group for a Chinese question; the Chinese renderings of each English word for an
    English one."""
    left_text: str = ""
    """The question's text before its wh-word ("湘赣边数字贸易总部中心以")."""
    right_text: str = ""
    """The question's text after its wh-word, without the final particles ("为价值主线")."""
    plural: bool = False
    """The question asks for several things (哪些, 哪两位, which two)."""
    previous_answer: str | None = None
    """The answer the previous turn got, when this question follows up on it: a follow-up
    ("竣工投产的呢?" after "多少个项目开工建设?" → 313个) asks for something new."""
    words: tuple[str, ...] = ()
    """English questions: the English word or phrase each of ``groups`` renders."""


def _classify_chinese(text: str) -> tuple[AnswerType, str | None]:
    for answer_type, pattern in _ZH_TYPES:
        if pattern.search(text):
            return answer_type, None
    count = _COUNT_CUE.search(text)
    if count and count["unit"] not in {"元", "年", "月", "天"}:
        return AnswerType.COUNT, count["unit"]
    counted = _COUNTED_NOUN.search(text)
    if counted:
        return AnswerType.COUNT, next(u for u, nouns in _NOUN_UNITS.items() if counted[1] in nouns)
    if re.search(_HOW_MANY, text):
        if _PERCENT_CUE.search(text):
            return AnswerType.PERCENT, None
        if _MONEY_CUE.search(text):
            return AnswerType.MONEY, None
        return AnswerType.NUMBER, None
    if re.search(r"什么|哪|何", text):
        return AnswerType.ENTITY, None
    return AnswerType.OTHER, None


def _classify_english(text: str) -> tuple[AnswerType, str | None]:
    for answer_type, pattern in _EN_TYPES:
        if pattern.search(text):
            unit = None
            if answer_type is AnswerType.COUNT:
                # The counted noun follows "how many", perhaps after an adjective or two.
                for word in text.lower().split("how many", 1)[-1].split()[:4]:
                    unit = next((u for stem, u in _EN_UNITS.items() if word.startswith(stem)), None)
                    if unit:
                        break
            return answer_type, unit
    return AnswerType.OTHER, None


ABBREVIATIONS = {
    "人大": ("人民代表大会",), "政协": ("政治协商会议",),
    "发改委": ("发展和改革委员会", "发展改革委"),
    "工信部": ("工业和信息化部",), "工信厅": ("工业和信息化厅",), "工信局": ("工业和信息化局",),
    "国资委": ("国有资产监督管理委员会",), "人社局": ("人力资源和社会保障局",),
    "住建局": ("住房和城乡建设局",),
}  # fmt: skip
"""Official short names and the full names an article may print instead (a claim's
市十六届人大五次会议 is the page's 第十六届人民代表大会第五次会议); each way round."""
_FULL_NAMES = {full: short for short, fulls in ABBREVIATIONS.items() for full in fulls}


def _context_terms(fragment: str) -> list[str]:
    return [t for t in analyze(fragment) if not t.startswith("#")]


def _also_written(term: str) -> tuple[str, ...]:
    """The other ways an official name is written: its short or its full name."""
    if term in ABBREVIATIONS:
        return ABBREVIATIONS[term]
    return (_FULL_NAMES[term],) if term in _FULL_NAMES else ()


def analyze_question(
    text: str, expansion: Expansion | None = None, type_text: str | None = None
) -> QuestionAnalysis:
    """Parse a (normalised) question; ``expansion`` renders an English one in Chinese.

    ``type_text`` (default: ``text``) decides the answer type: for a completed follow-up
    the user's own words ask the question, the completion only adds context.
    """
    type_text = type_text or text
    if is_english(text):
        answer_type, unit = _classify_english(type_text)
        groups = tuple(terms for _, terms in expansion.groups) if expansion else ()
        plural = bool(re.search(r"\bwhich (?:two|three|several)\b|\bwhat are\b", text, re.I))
        words = tuple(word for word, _ in expansion.groups) if expansion else ()
        return QuestionAnalysis(text, True, answer_type, unit, groups, plural=plural, words=words)
    answer_type, unit = _classify_chinese(type_text)
    if answer_type is AnswerType.OTHER and type_text != text:
        answer_type, unit = _classify_chinese(text)
    terms = list(dict.fromkeys(_context_terms(text)))
    wh = _WH.search(text)
    left = text[: wh.start()] if wh else ""
    right = _TRAILING.sub("", text[wh.end() :]) if wh else ""
    plural = bool(re.search(r"哪些|哪几|哪[两三四五]|分别|都有|有哪", text))
    # English words in a Chinese question (a follow-up to an English one, or a name such as
    # GDP) also count as found where the passage has their Chinese rendering.
    renderings = {
        word.lower().removesuffix("'s"): rendered for word, rendered in expansion.groups
    } if expansion else {}  # fmt: skip
    groups = tuple((t, *renderings.get(t, ()), *_also_written(t)) for t in terms)
    return QuestionAnalysis(text, False, answer_type, unit, groups, left, right, plural)


ZH_QUESTION_WORDS = {
    AnswerType.MONEY: "多少元", AnswerType.PERCENT: "百分之多少", AnswerType.NUMBER: "多少",
    AnswerType.ORDINAL: "第几", AnswerType.DATE: "什么时候", AnswerType.PERSON: "谁",
    AnswerType.PLACE: "哪里", AnswerType.ORGANIZATION: "哪个单位",
}  # fmt: skip


def bilingual_question(question: QuestionAnalysis) -> str:
    """An English question followed by a rough Chinese one, for a reader trained on Chinese:
    each rendered word's first term in the question's order, then a Chinese question word
    for its answer type ("… CRRC Zhuzhou Institute's revenue … 株洲收入预期多少元?").

    The words are not a translation, but they name what the passage says in Chinese, and
    the question word says what kind of span to take. A Chinese question comes back as it is.
    """
    if not question.english:
        return question.text
    if question.answer_type is AnswerType.COUNT:
        asked = "多少" + (question.unit or "个")
    else:
        asked = ZH_QUESTION_WORDS.get(question.answer_type, "什么")
    rendered = "".join(group[0] for group in question.groups if group)
    return f"{question.text} {rendered}{asked}?"


def content_words(text: str) -> list[str]:
    """Words of ``text`` that carry meaning (no stopwords), in either language."""
    if is_english(text):
        return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in ENGLISH_STOPWORDS]
    return [t for t in analyze(text) if not t.startswith("#") and t not in STOPWORDS]
