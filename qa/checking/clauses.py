"""Clauses of a statement or sentence: where one ends, the clause around a span, and
the character pairs that compare them."""

from __future__ import annotations

import re

CLAUSE_BREAK = re.compile(r"[,，;；:：。!?！？\n]")
ITEM_BREAK = re.compile(r"[,，;；:：。!?！？、\n]")


CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
FUNCTION_EDGES = re.compile(r"^[与和及的在是由于了将为、,，]+|[与和及的在是由于了将为、,，]+$")
"""Function words and commas at either end of a name's stretch (由, 的, 与…)."""


CLAUSE_TEXT = re.compile(r"[^,，;；。!?！？\n]+")


def clause_start(text: str, at: int) -> int:
    """Where the clause of ``text`` holding offset ``at`` begins."""
    return max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, at)), default=0)


def clause_of(text: str, start: int, end: int) -> str:
    """The clause of ``text`` around ``[start, end)``."""
    right = CLAUSE_BREAK.search(text, end)
    return text[clause_start(text, start) : right.start() if right else len(text)]


SEGMENT_BREAK = re.compile(r"[;；:：。!?！？\n]")


def segment_around(text: str, start: int, end: int) -> str:
    """The part of ``text`` around ``[start, end)`` between semicolons, colons or full stops
    (wider than its clause: 由A和B共同出资打造,出资额为5000万元)."""
    starts = [m.end() for m in SEGMENT_BREAK.finditer(text, 0, start)]
    stop = SEGMENT_BREAK.search(text, end)
    return text[starts[-1] if starts else 0 : stop.start() if stop else len(text)]


def bigrams(text: str) -> set[str]:
    """The pairs of adjacent characters of ``text``, spaces aside."""
    compact = re.sub(r"\s+", "", text)
    return {compact[i : i + 2] for i in range(len(compact) - 1)}
