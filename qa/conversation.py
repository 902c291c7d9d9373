"""Complete an elliptical follow-up question from the conversation before retrieval.

Three shapes, tried in order (Chinese; English follow-ups get the previous question
appended, which is what an English question needs to reach Chinese text anyway; after an
English turn, a Chinese question stands alone):

1. "那X呢?" / "X呢?" — X takes the place of the previous question's subject:
   "高端铝基材料产业化项目总投资多少?" + "那宏达电子的项目呢?" → "宏达电子的项目总投资多少?".
2. A pronoun (它/其/该项目/他…) — replaced by the previous answer when that answer was a
   company or person (a 哪家/谁 question), else by the previous question's main noun phrase:
   "湘赣边数字贸易总部中心由哪些企业出资?" + "它的出资额是多少?"
   → "湘赣边数字贸易总部中心出资额是多少?".
3. A short question naming nothing ("出资额是多少?") — the previous question's main noun
   phrase is put in front.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from qa.question import AnswerType, analyze_question
from qa.tokens import is_english, tagged

_WHAT_ABOUT = re.compile(r"^(?:那么?|那|还有|另外)?(?P<x>.+?)(?:呢|怎么样|如何)[?!。]*$")
_PRONOUN = re.compile(
    r"它们的|它的|它|其|该项目|该公司|该企业|该中心|这个项目|这家企业|这家公司|他们|他|她|这些|那里|当地"
)
_NAMED = frozenset({"nr", "ns", "nt", "nz", "eng"})
_NOUNISH = re.compile(r"^(?:n|nr|ns|nt|nz|vn|j|eng|m|a|b)")
_WH_CHARS = re.compile(r"多少|几|什么|哪|谁|何")
_EN_FOLLOW = re.compile(
    r"^\s*(?:and|what about|how about|then)\b"
    r"|\b(?:it|its|they|their|them|he|she|his|her|this|that|there)\b",
    re.I,
)
MAX_SHORT = 12
_ENTITY_TYPES = frozenset({AnswerType.PERSON, AnswerType.ORGANIZATION})
"""A pronoun after "哪家企业…?"/"谁…?" means the entity that was the answer."""


class PreviousTurn(Protocol):
    """What follow-up resolution needs from an earlier exchange."""

    question: str
    answer: str | None


@dataclass(frozen=True, slots=True)
class Resolved:
    """The question to retrieve and read with, and whether it was rewritten."""

    text: str
    type_text: str
    """The text whose wording decides the answer type (the user's own question)."""
    rewritten: bool
    subject: str = ""
    """What a "那X呢?" follow-up asks about instead (X): a name in it must be in the
    answer's sentence."""


def main_noun_phrase(question: str) -> str:
    """The longest run of noun-like words in a question, its likely subject.

    A one-character word between two nouns joins them (jieba tags the 边 of 湘赣边 as an
    adverb).
    """
    tokens = tagged(question)
    best = ""
    run_start: int | None = None
    run_end = 0
    for i, (word, flag, start) in enumerate(tokens):
        nounish = bool(_NOUNISH.match(flag)) and not _WH_CHARS.search(word)
        bridge = (
            run_start is not None and len(word) == 1 and i + 1 < len(tokens)
            and bool(_NOUNISH.match(tokens[i + 1][1]))
        )  # fmt: skip
        if nounish or bridge:
            run_start = start if run_start is None else run_start
            run_end = start + len(word)
            continue
        if run_start is not None and run_end - run_start > len(best):
            best = question[run_start:run_end]
        run_start = None
    if run_start is not None and run_end - run_start > len(best):
        best = question[run_start:run_end]
    return best


def _substitute_subject(previous: str, replacement: str) -> str:
    """Put ``replacement`` where the previous question's subject was."""
    words = [w for w, _, _ in tagged(replacement)]
    head = words[-1] if words else replacement
    position = previous.find(head) if len(head) >= 2 else -1
    if position > 0:
        return replacement + previous[position + len(head) :]
    subject = main_noun_phrase(previous)
    if subject:
        return previous.replace(subject, replacement, 1)
    return f"{replacement}{previous}"


def _names_something(question: str) -> bool:
    return any(flag in _NAMED and len(word) >= 2 for word, flag, _ in tagged(question))


def resolve(question: str, history: Sequence[PreviousTurn] | None) -> Resolved:
    """Complete ``question`` from the last turn of ``history`` when it is elliptical."""
    if not history:
        return Resolved(question, question, False)
    previous = history[-1]
    if is_english(question):
        if _EN_FOLLOW.search(question) or len(question.split()) <= 5:
            return Resolved(f"{question} {previous.question}", question, True)
        return Resolved(question, question, False)
    if is_english(previous.question):
        # A Chinese question has no spaces to count its words by, and an English question
        # has no Chinese subject to substitute: the Chinese question stands alone.
        return Resolved(question, question, False)
    what_about = _WHAT_ABOUT.match(question)
    if what_about and not _WH_CHARS.search(what_about["x"]):
        x = what_about["x"]
        return Resolved(
            _substitute_subject(previous.question, x), previous.question, True, x
        )
    pronoun = _PRONOUN.search(question)
    if pronoun:
        asked_for_entity = analyze_question(previous.question).answer_type in _ENTITY_TYPES
        antecedent = (
            previous.answer
            if previous.answer and asked_for_entity
            else main_noun_phrase(previous.question)
        )
        if antecedent:
            text = question[: pronoun.start()] + antecedent + question[pronoun.end() :]
            return Resolved(text, question, True)
    if len(question) <= MAX_SHORT and not _names_something(question):
        subject = main_noun_phrase(previous.question)
        if subject and subject not in question:
            return Resolved(f"{subject}{question}", question, True)
    return Resolved(question, question, False)
