"""A reporter's paragraph cut into checkable statements, one fact each.

A sentence that states several values in separate clauses ("…比率为13.5%, 节约…约20亿元") gives
one statement per clause; a clause without a value of its own stays with the statement before
it. A statement remembers its sentence's scope (years and places said once for all its
clauses), so "节约社会物流成本约20亿元" is still checked as a fact about 2025 and 株洲.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.checking.values import Value, find_values
from qa.reading.spans import name_spans
from qa.textnorm import clean_text, normalize_line
from qa.tokens import is_english

MAX_CHECK_CHARS = 4000
MAX_STATEMENTS = 20
_ZH_SENTENCE = re.compile(r"[^。!?;！？；\n]+[。!?;！？；]*")
_EN_STOP = re.compile(r"[.!?;]+(?=\s|$)")
_LAST_WORD = re.compile(r"[A-Za-z.]+$")
_ANY = re.compile(r".+", re.S)
_ABBREVIATIONS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr no co ltd inc corp st vs "
    "u.s u.k e.g i.e etc approx".split()
)
_ZH_CLAUSE = re.compile(r"[^,，]+[,，]?")
_SCOPE_PLACE = re.compile(r"(?:全市|全省|全国|[\u4e00-\u9fff]{2,4}(?:市|县|区|省))")


@dataclass(frozen=True, slots=True)
class Statement:
    """One checkable statement: its text, where it is in what was submitted, its scope."""

    text: str
    start: int
    end: int
    scope: str = ""
    """Words its sentence says once for all its clauses (a year, a place), when the
    statement itself does not hold them."""
    english: bool = False

    @property
    def query(self) -> str:
        """What retrieval looks for: the scope, then the statement."""
        return f"{self.scope} {self.text}".strip() if self.scope else self.text


def _spans(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    found = []
    for match in pattern.finditer(text, start, end):
        a, b = match.span()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1] in " \t,，":
            b -= 1
        if b > a and re.search(r"\w", text[a:b]):
            found.append((a, b))
    return found


def _scope_of(text: str) -> str:
    """The years and places a clause says (the scope the clauses after it share)."""
    years = re.findall(r"(?:19|20)\d{2}年(?:上半年|下半年)?|去年|今年", text)
    places = [n.text for n in name_spans(text) if n.kind.value == "place"]
    return " ".join(dict.fromkeys([*years, *places, *_SCOPE_PLACE.findall(text)]))


def _sentences(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, english) of each sentence: a draft may mix the two languages."""
    found = []
    for start, end in _spans(_ZH_SENTENCE, text, 0, len(text)):
        if not is_english(text[start:end]):
            found.append((start, end, False))
            continue
        found.extend((a, b, True) for a, b in _english_sentences(text, start, end))
    return found


def _english_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """English sentences of ``text[start:end]``: a stop ends one unless it closes an
    abbreviation (Jan., U.S., No.) or a decimal."""
    found, begin = [], start
    for stop in _EN_STOP.finditer(text, start, end):
        word = _LAST_WORD.search(text, begin, stop.start())
        if word and (
            word[0].lower() in _ABBREVIATIONS or (len(word[0]) == 1 and word[0].isupper())
        ):
            continue
        found.extend(_spans(_ANY, text, begin, stop.end()))
        begin = stop.end()
    found.extend(_spans(_ANY, text, begin, end))
    return found


def _valued(found: list[list[Value]]) -> list[bool]:
    """Which clauses are statements of their own, by the values each holds: a clause with
    only a date ("2025年,") or an ordinal ("在第六批…名单中,") scopes the others, unless
    none has more (then ordinals count, and failing those dates)."""
    for ignored in (("date", "ordinal"), ("date",), ()):
        valued = [any(v.kind not in ignored for v in values) for values in found]
        if any(valued):
            return valued
    return valued


def split_statements(text: str) -> list[Statement]:
    """The checkable statements of ``text`` (normalised), in order; offsets into it."""
    statements: list[Statement] = []
    for s_start, s_end, english in _sentences(text):
        clauses = [(s_start, s_end)] if english else _spans(_ZH_CLAUSE, text, s_start, s_end)
        found = [find_values(text[a:b], english=english) for a, b in clauses]
        valued = _valued(found)
        if sum(valued) <= 1:
            statements.append(Statement(text[s_start:s_end], s_start, s_end, english=english))
            continue
        # Clauses before the first value open the sentence (its subject); a clause without a
        # value after one belongs to the statement before it.
        first = valued.index(True)
        opening = text[clauses[0][0] : clauses[first][0]] if first else ""
        scope = _scope_of(text[clauses[0][0] : clauses[first][1]])
        groups: list[list[tuple[int, int]]] = []
        for (a, b), has_value in zip(clauses[first:], valued[first:], strict=True):
            if has_value or not groups:
                groups.append([(a, b)])
            else:
                groups[-1].append((a, b))
        for n, group in enumerate(groups):
            start, end = group[0][0], group[-1][1]
            if n == 0 and opening:
                start = clauses[0][0]
            own = text[start:end]
            shared = " ".join(w for w in f"{opening} {scope}".split() if w not in own)
            statements.append(Statement(own, start, end, "" if n == 0 else shared, english))
    return statements


def clean_claim(text: str) -> str:
    """A submitted text as stored (invisible characters removed, lines kept); raises
    ValueError saying what is wrong with it."""
    if not isinstance(text, str):
        raise ValueError("the text to check must be text")
    if len(text) > MAX_CHECK_CHARS:
        raise ValueError(
            f"the text is {len(text)} characters long; check at most {MAX_CHECK_CHARS} at a "
            "time (a paragraph or two)"
        )
    cleaned = clean_text(text)
    if not normalize_line(cleaned):
        raise ValueError(
            "the text is empty: paste a sentence to check, e.g. 2025年株洲节约物流成本约20亿元。"
        )
    return cleaned
