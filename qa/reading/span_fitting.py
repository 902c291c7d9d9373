"""Fit a span the neural reader read to what the question asks.

The model was fine-tuned on DRCD and CMRC, whose answers run longer than the minimal
span, and it reads one span where a question may ask for a list. Each rule here is a
property of the question (its type, the words before its question word, whether it asks
for several things, the previous turn's answer) that the span must respect. Measured on
the benchmark and on xquad.zh.json (never trained on): MODEL_CARD.md, "Fitting spans".
"""

from __future__ import annotations

import re

from qa.question import NUMERIC_TYPES, AnswerType, QuestionAnalysis
from qa.reading.spans import DATE_SPAN, NUMBER_SPAN, ORDINAL_SPAN

_ASKED_EXPRESSION = {AnswerType.DATE: DATE_SPAN, AnswerType.ORDINAL: ORDINAL_SPAN}
_LONGEST_QUALIFIER = 3
"""A shorter tail after a date qualifies it ("1349年春季", "1913年起", "1950年代")."""
_CLAUSE_BREAKS = frozenset(",，。;；、 ")

_FUNCTION_CHARS = "在是为于了的成:： "
"""Words that link what a question names to what it asks (注册地[在]哪里, 注册地[为]…)."""
_SHORTEST_ECHO = 2
_LATEST_ECHO = 3
"""The echo starts the span or follows a short verb (盘活, 旨在): an echo further in
belongs to an answer that comes before it ("…单位命名为特斯拉")."""
_SHORTEST_REST = 2
_OPENING_MARKS = frozenset("()（）[]【】,，。、;；")
"""What follows an echo that is the subject of a definition ("《宇宙奇兵》()是…")."""

_JOINERS = ("以及", "、", "和", "及", "与")
_ITEM_BREAKS = frozenset("、和及与,，。;；:：!！?？“”「」《》()（） \n")
_ITEM_SLACK = 3
"""A list item may be this many characters longer than the span it joins."""

_KIND_NOUN = re.compile(r"[\u4e00-\u9fff]{1,6}")
_LIST_PUNCTUATION = frozenset("、,，;；:：")


def fit_span(question: QuestionAnalysis, text: str, start: int, end: int) -> tuple[int, int]:
    """The span ``text[start:end]`` fitted to ``question`` by every rule of this module."""
    end = within_the_sentence(text, start, end)
    start, end = only_the_asked(question, text, start, end)
    start = after_the_question_words(question, text, start, end)
    end = only_the_number(question, text, start, end)
    start, end = with_coordinated(question, text, start, end)
    end = without_etc(text, start, end)
    while start < end and text[start] in _LIST_PUNCTUATION:
        start += 1
    return with_qualifiers(text, start, end, asked=question.left_text)


_QUALIFIERS_BEFORE = ("不超过", "不低于", "不少于", "不高于", "不多于", "将近", "接近", "不足",
                      "不到", "超过", "突破", "大约", "高于", "低于", "多于", "少于", "近", "约",
                      "超", "逾", "仅")  # fmt: skip
"""Longest first: 不超过 (no more than) must not be read as 超过 (more than)."""
_QUALIFIERS_AFTER = ("左右", "以上", "以下", "以内")
_NOT_A_QUALIFIER = {"约": frozenset("节制签预公条契守违合履集"), "近": frozenset("最附邻临靠"),
                    "超": frozenset("赶不"), "仅": frozenset("不"), "超过": frozenset("不"),
                    "低于": frozenset("不"), "高于": frozenset("不")}  # fmt: skip
"""Characters that make a qualifier part of another word: 节约, 违约, 最近, 临近, 赶超; a
不 before 超/仅 that the longer qualifiers did not take (不仅: not only) is left out too."""
_NUMERAL = re.compile(r"[0-9一二三四五六七八九十两百千]")


def with_qualifiers(text: str, start: int, end: int, asked: str = "") -> tuple[int, int]:
    """Widen a number to the qualifiers printed with it: "12亿元" → "近12亿元", "5.7%" →
    "5.7%左右". They are part of the fact: nearly 1.2 billion is not 1.2 billion. A
    qualifier the question says itself just before its question word (``asked``: "有望突破"
    in 有望突破多少?) is the question's, and stays out of the answer."""
    if start >= end or not _NUMERAL.match(text, start):
        return start, end
    asked = asked.removesuffix("了")
    for qualifier in _QUALIFIERS_BEFORE:
        begin = start - len(qualifier)
        if begin >= 0 and text.startswith(qualifier, begin):
            echoed = asked.endswith(qualifier)
            if not echoed and text[begin - 1 : begin] not in _NOT_A_QUALIFIER.get(
                qualifier, frozenset()
            ):
                start = begin
            break
    for qualifier in _QUALIFIERS_AFTER:
        if text.startswith(qualifier, end):
            end += len(qualifier)
            break
    return start, end


_SENTENCE_END = re.compile(r"[。!?！？\n]")


def within_the_sentence(text: str, start: int, end: int) -> int:
    """End a span at the end of the sentence it starts in: an answer does not run on into
    the next sentence ("约5.1亿元。\n这是2026年…" → "约5.1亿元")."""
    found = _SENTENCE_END.search(text, start, end)
    return found.start() if found and found.start() > start else end


def only_the_number(question: QuestionAnalysis, text: str, start: int, end: int) -> int:
    """End a span that starts with the amount, share or count asked for and runs on into
    another clause or list item at that number: "9亿元外贸进出口额,力争完成97家企业招商…"
    → "9亿元". A unit word that follows without a break stays (10亿元人民币)."""
    if question.answer_type not in NUMERIC_TYPES or question.plural:
        return end
    found = NUMBER_SPAN.match(text, start, end)
    if found is None or not found["num"] or found.end() >= end:
        return end
    if any(c in _CLAUSE_BREAKS for c in text[found.end() : end]):
        return found.end()
    return end


def only_the_asked(question: QuestionAnalysis, text: str, start: int, end: int) -> tuple[int, int]:
    """Cut a span that starts with one date (or ordinal) and goes on past it to that date
    when the question asks when (or which place in order): "1月16日出版的第2期《求是》"
    → "1月16日", "第一个签约项目,由…投资" → "第一个"; "36位" after 第 becomes "第36位"."""
    pattern = _ASKED_EXPRESSION.get(question.answer_type)
    if pattern is None:
        return start, end
    if question.answer_type is AnswerType.ORDINAL and text[start - 1 : start] == "第":
        start -= 1
    found = list(pattern.finditer(text, start, end))
    if len(found) != 1 or found[0].start() != start:
        return start, end  # a range, or words before the date: left to the model
    tail = text[found[0].end() : end]
    if len(tail) >= _LONGEST_QUALIFIER or tail[:1] in _CLAUSE_BREAKS:
        return start, found[0].end()
    return start, end


def after_the_question_words(question: QuestionAnalysis, text: str, start: int, end: int) -> int:
    """Start a span after the words that lead up to the question word when the span
    repeats them: "盘活改造成工业文旅新地标" for 被改造成了什么 → "工业文旅新地标",
    "思微特注册地为湖南省株洲市" for 注册地在哪里 → "湖南省株洲市"."""
    if question.answer_type is AnswerType.OTHER:
        return start  # why/how: the answer is a clause that may well restate its subject
    if question.left_text.endswith("是"):
        return start  # X是什么(的简称): the answer may name X itself (首钢集团有限公司)
    lead = question.left_text.rstrip(_FUNCTION_CHARS)
    span = text[start:end]
    for size in range(min(len(lead), len(span) - _SHORTEST_REST), _SHORTEST_ECHO - 1, -1):
        at = span.find(lead[-size:], 0, _LATEST_ECHO + size)
        if at < 0 or at + size > len(span) - _SHORTEST_REST:
            continue
        cut = start + at + size
        while cut < end - _SHORTEST_REST and text[cut] in _FUNCTION_CHARS:
            cut += 1
        return start if text[cut] in _OPENING_MARKS else cut
    return start


def with_coordinated(
    question: QuestionAnalysis, text: str, start: int, end: int
) -> tuple[int, int]:
    """For a question that asks for several things (哪些, 哪两条), extend a span over the
    list items joined to it by 、/和/及/与: "大龙网集团" → "大龙网集团和沐水集团",
    "炎陵县" → "醴陵市、茶陵县、炎陵县". An item after the span ends in the span's last
    character (集团, 北); one before it is all that lies back to a delimiter."""
    if not question.plural or end <= start:
        return start, end
    last, longest = text[end - 1], end - start + _ITEM_SLACK
    while joiner := next((j for j in _JOINERS if text.startswith(j, end)), None):
        item = end + len(joiner)
        stop = text.find(last, item, item + longest)
        if stop <= item or any(c in _ITEM_BREAKS for c in text[item:stop]):
            break
        end = stop + 1
    while joiner := next((j for j in _JOINERS if text.endswith(j, 0, start)), None):
        item_end = item = start - len(joiner)
        while item > 0 and item_end - item < longest and text[item - 1] not in _ITEM_BREAKS:
            item -= 1
        if item == item_end or (item > 0 and text[item - 1] not in _ITEM_BREAKS):
            break
        start = item
    return start, end


def without_etc(text: str, start: int, end: int) -> int:
    """End a list before the 等 + kind that closes it: "新能源、消费电子、工业控制等领域"
    → "新能源、消费电子、工业控制" (the items are the answer; 等领域 restates the
    question's noun)."""
    etc = text.rfind("等", start, end)
    # The kind is a plain noun (领域, 高科技行业): not the 等 of 不平等, nor 等)的….
    if etc <= start or not _KIND_NOUN.fullmatch(text[etc + 1 : end]):
        return end
    if not any(joiner in text[start:etc] for joiner in ("、", "和")):
        return end
    return etc


def repeats_previous_answer(question: QuestionAnalysis, span: str) -> bool:
    """Whether ``span`` holds the previous turn's answer or is part of it (5000 of
    5000万元): a follow-up asks for something new."""
    previous = question.previous_answer
    return bool(previous and span and (previous in span or span in previous))
