"""English statements against Chinese sentences (qa.checking.verify): the people,
organisations and events they name, as the passages render or spell them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import pairwise

from qa.checking.claims import Statement
from qa.checking.names import (
    in_role,
    is_person,
)
from qa.checking.values import (
    Value,
)
from qa.question import AnswerType
from qa.reading.protocol import Sentence
from qa.reading.spans import SpanCandidate, name_spans
from qa.retrieval.crosslingual import (
    lemmas,
    pinyin_segmentations,
    reverse_cedict,
    spelled_in,
)
from qa.tokens import ENGLISH_STOPWORDS
from qa.types import (
    Expansion,
)

_EN_EVENTS = {
    ("held", "hosted", "convened", "staged"): ("举行", "举办", "召开", "开幕", "主办", "承办"),
    ("signed", "inked"): ("签约", "签署", "签订", "签下", "签定"),
    ("founded", "established", "registered", "set up", "incorporated"): (
        "成立", "创立", "创建", "创办", "设立", "组建", "注册", "落户"),
    ("opened", "inaugurated", "unveiled"): ("开业", "开幕", "开通", "开放", "启用", "揭牌", "运营"),
    ("launched", "started", "began", "kicked off"): (
        "启动", "开工", "开始", "开建", "发布", "上线"),
    ("completed", "finished"): ("竣工", "建成", "完成", "完工", "投产"),
    ("published", "released", "issued", "carried"): ("发布", "出版", "刊发", "印发", "发表", "公布",
                                                      "发行"),
}  # fmt: skip
"""English event verbs and the Chinese words that say the same event happened."""


_EN_EVENT_VERBS = tuple((re.compile(r"\b(?:" + "|".join(verbs) + r")\b"), said)
                        for verbs, said in _EN_EVENTS.items())  # fmt: skip


def english_event_words(claim: str, value: Value) -> tuple[str, ...] | None:
    """The Chinese words that say what an English claim says happened on its date: of the
    nearest event verb among the few words before it in its clause (was founded in 2010,
    was held in Youxian in October); None when it names none of ``_EN_EVENTS``."""
    before = re.split(r"[,;:.]", claim[: value.start])[-1].lower()
    words = " ".join(EN_WORD.findall(before)[-6:])
    found = [(m.end(), said) for verbs, said in _EN_EVENT_VERBS for m in verbs.finditer(words)]
    return max(found)[1] if found else None


def rendered_names(
    statement: Statement, sentence: Sentence, expansion: Expansion | None
) -> list[SpanCandidate]:
    """The people an English statement names, as the sentence writes them: each capitalised
    word whose rendering the sentence holds inside a person's name (Yuanshan → 邓元山)."""
    people = [n for n in name_spans(sentence.text) if n.kind.value == "person"]
    found = []
    for word, terms in expansion.groups if expansion else ():
        if not word[:1].isupper():
            continue
        for person in people:
            if any(t in person.text for t in terms):
                # unit carries the English word, so its group can be set aside
                found.append(replace(person, unit=word))
                break
    return found


def english_person_swap(sentence: Sentence, expansion: Expansion | None,
                         ) -> tuple[str, SpanCandidate] | None:  # fmt: skip
    """An English statement's person (a pinyin name rendered as one: Chen Huiqing, 陈恢清)
    whom the sentence does not name, where it names one other person instead (市委书记曹慧泉
    主持召开…座谈会 against "Chen Huiqing chaired the symposium"): (the English name, the
    sentence's person)."""
    for word, terms in english_people(expansion):
        if any(t in sentence.text for t in terms):
            continue
        rivals = {r.text: r for r in name_spans(sentence.text) if r.kind == AnswerType.PERSON
                  and is_person(r.text) and in_role(sentence.text, r)}  # fmt: skip
        if len(rivals) == 1:
            return word, next(iter(rivals.values()))
    return None


def unnamed_person(sentence: Sentence, expansion: Expansion | None) -> bool:
    """Whether an English statement names a person (``english_people``) the sentence
    does not."""
    return any(not any(t in sentence.text for t in terms)
               for _, terms in english_people(expansion))  # fmt: skip


def english_people(expansion: Expansion | None) -> list[tuple[str, tuple[str, ...]]]:
    """The groups of an English statement that name a person: two capitalised words read
    as one Chinese name (Chen Huiqing: 陈恢清)."""
    return [
        (word, terms) for word, terms in (expansion.groups if expansion else ())
        if len(word.split()) == 2 and all(w[:1].isupper() for w in word.split())
        and any(is_person(t) for t in terms)
    ]  # fmt: skip


_VALUE_WORDS = frozenset(
    "percent per cent percentage point points thousand million billion trillion hundred yuan "
    "rmb renminbi dollars dollar usd tons tonnes ton tonne kilometres kilometers km square "
    "metres meters mu times about around approximately roughly nearly almost over more than "
    "less fewer under below above exceeding least most within up".split()
)


def without_values(expansion: Expansion | None, values: Sequence[Value]) -> Expansion | None:
    """An English statement's renderings without those of its values' words ("percentage
    points", "million yuan"): the values are compared, not searched for as words."""
    if expansion is None:
        return None
    said = {w for v in values for w in re.findall(r"[a-z]+", v.text.lower())} & _VALUE_WORDS
    return Expansion(tuple((w, t) for w, t in expansion.groups
                           if not set(w.lower().split()) & said))  # fmt: skip


EN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
ENGLISH_WINDOW = 4
"""Words before an English value that belong to its phrase ("the ratio of … stood at")."""


def english_window(claim: str, value: Value) -> str:
    """The words of an English value's own phrase (its counted noun: "16 provincial-level
    champions"), the ``ENGLISH_WINDOW`` words before it, and as many of what it is "in" or
    "of" after it ("900 million yuan in foreign trade imports")."""
    before = EN_WORD.findall(claim[: value.start])[-ENGLISH_WINDOW:]
    inside = [w for w in EN_WORD.findall(value.text) if w.lower() not in _VALUE_WORDS]
    # and what it is "in" or "of" ("900 million yuan in foreign trade imports")
    after = re.match(r"\s+(?:in|of)\s+([^,;.]+)", claim[value.end :])
    tail = EN_WORD.findall(after[1])[:ENGLISH_WINDOW] if after else []
    return " ".join([*before, *inside, *tail])


_PARTICLES = frozenset("out up off in on down over away back about through".split())


def unsaid_term(claim: str, value: Value, article: str) -> str | None:
    """A two-word term of an English value's own phrase that CC-CEDICT renders as one
    ("unemployment rate": 失业率) and the article holds in none of its renderings, nor a
    word of it in any (失业): the figure is of a measure the article never gives, whatever
    other word of it matches ("rate": 比率). A term the article says word by word ("growth
    rate": 增长…率) is said; verb phrases ("come out") are no terms."""
    words = [w.lower().removesuffix("'s") for w in EN_WORD.findall(english_window(claim, value))]
    words = [w for w in words if w not in ENGLISH_STOPWORDS]
    glossed = reverse_cedict()

    def rendered(word: str) -> bool:
        return any(t in article for form in lemmas(word) for t in glossed.get(form, ()))

    for first, second in pairwise(words):
        terms = glossed.get(f"{first} {second}")
        if not terms or second in _PARTICLES or any(t in article for t in terms):
            continue
        if not (rendered(first) and rendered(second)):
            return f"{first} {second}"
    return None


CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:'s)?\b(?!-)")
EN_ORG_ENDS = {"Group": ("集团",), "Academy": ("院",), "Commission": ("委", "委员会"),
                "Company": ("公司",), "Co": ("公司",), "Corporation": ("公司", "集团"),
                "Institute": ("所", "院"), "University": ("大学",), "Bureau": ("局",),
                "Department": ("厅", "部"), "Committee": ("委", "委员会"),
                "Association": ("协会", "会"), "Bank": ("银行",), "Society": ("会",),
                "Administration": ("局", "署"), "Ministry": ("部",)}  # fmt: skip
"""How each kind of English organisation's Chinese name ends."""


EN_ORG_KINDS = tuple(EN_ORG_ENDS)
_EN_ORGANISATION = re.compile(
    r"\b(?:[A-Z][\w'-]*\s+(?:(?:of|and|for|the)\s+)*)+"
    r"(?:" + "|".join(EN_ORG_KINDS) + r")\b"
    r"(?:\s+of\s+(?:the\s+)?[A-Z][\w'-]*(?:\s+(?:and\s+)?[A-Z][\w'-]*)*)?"
)


_GENERIC_IN_NAMES = frozenset(
    "chinese china national provincial municipal city county people's state central new "
    "material materials technology technologies tech industrial industry holding holdings "
    "development international".split()
)
"""Words of many organisations' names (the Chinese Academy of Engineering: 中国工程院) that
tell none apart."""


def unsaid_organisations(text: str, expansion: Expansion | None,
                          passages: str) -> list[tuple[str, str]]:  # fmt: skip
    """The organisations of an English statement (a capitalised run ending in Group,
    Academy, Commission…), each with a word of it the passages say in no rendering nor
    pinyin: (Sany Group, Sany), (the Chinese Academy of Sciences, Sciences: 中国科学院,
    where the passages print 中国工程院)."""
    rendered = {w.lower() for word, _ in (expansion.groups if expansion else ())
                for w in word.split()}  # fmt: skip
    unsaid = []
    for match in _EN_ORGANISATION.finditer(text):
        for word in re.findall(r"[A-Z][\w'-]*", match[0]):
            lower = word.lower().removesuffix("'s")
            if lower in rendered or lower in ENGLISH_STOPWORDS or lower in _GENERIC_IN_NAMES:
                continue
            if len(lower) < 3:
                continue
            if word in EN_ORG_KINDS or word.isupper() or spelled_in(word, passages):
                continue  # acronyms (CRRC: 中车, BAIC: 北汽) are not spelled out
            unsaid.append((match[0], word))
    return unsaid


@lru_cache(maxsize=64)
def unread_names(text: str, article: str) -> tuple[str, ...]:
    """``unrendered_names`` against one article, once per statement and article."""
    return tuple(unrendered_names(text, article))


def unrendered_names(text: str, passages: str) -> list[str]:
    """The names of an English statement written in pinyin (Xiangtan, Liling, Hetang) that
    the passages it is checked against never spell. English words (Chinese, Change) are
    not names here, nor are hyphenated ones (Hunan-Jiangxi is 湘赣, not spelled out)."""
    glossed = reverse_cedict()
    unread = []
    for match in CAPITALISED.finditer(text):
        if text[match.start() - 1 : match.start()] == "-":
            continue
        word = match[0].removesuffix("'s")
        lower = word.lower()
        if len(word) < 4 or lower in ENGLISH_STOPWORDS:
            continue
        # the dictionary glosses English words (Chinese: 汉语) and transliterations
        # (Xiangtan: 湘潭); only the second are names
        if lower in glossed and not any(spelled_in(word, zh) for zh in glossed[lower][:5]):
            continue
        if pinyin_segmentations(word, 1) and not spelled_in(word, passages):
            unread.append(word)
    return unread
