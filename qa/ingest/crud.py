"""The CRUD-RAG news corpus: one article per line, "<timestamp>，正文：<text>"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from qa.errors import InputError
from qa.ingest.records import Problem, article_id, valid_date
from qa.textnorm import normalize_text
from qa.types import Article

CRUD_SOURCE = "CRUD-RAG news 2023"
CRUD_DEFAULT_YEAR = 2023
"""The CRUD corpus is all 2023; headers that give only month and day get this year."""


_CRUD_DATES = (
    re.compile(
        r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})日?"
        r"(?:\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    ),
    re.compile(
        r"(?P<y>\d{4})(?P<m>\d{2})/(?P<d>\d{2})(?:\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    ),
    re.compile(
        r"(?<!\d)(?P<yy>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2}))?"
    ),
    re.compile(
        r"(?<!\d)(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})日?"
        r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    ),
)
_CRUD_SOURCE = re.compile(r"来源:\s*([^\s|,>]{2,20})")


def _crud_date(header: str) -> str | None:
    for pattern in _CRUD_DATES:
        match = pattern.search(header)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("y"):
            year = int(groups["y"])
        elif groups.get("yy"):
            year = 2000 + int(groups["yy"])
        else:
            year = CRUD_DEFAULT_YEAR
        day = valid_date(year, int(match["m"]), int(match["d"]))
        if day is None:
            continue
        if groups.get("H") is None:
            return day.isoformat()
        hour, minute, second = int(groups["H"]), int(groups["M"]), int(groups.get("S") or 0)
        if hour > 23 or minute > 59 or second > 59:
            return day.isoformat()
        return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}"
    return None


def _crud_title(text: str) -> str:
    first = re.split(r"(?<=[。!?])", text.split("\n", 1)[0], maxsplit=1)[0]
    first = first.removeprefix("原标题:").strip()
    return first if len(first) <= 40 else first[:39] + "…"


def parse_crud(text: str, path: Path, problems: list[Problem] | None) -> Iterator[Article]:
    """Articles of the CRUD-RAG corpus: one per line, "<timestamp>，正文：<text>"."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        normalized = unicodedata.normalize("NFKC", line)
        header, sep, body = normalized.partition("正文:")
        body_text = normalize_text(body)
        if not sep or not body_text:
            message = "expected '<timestamp>，正文：<text>'" if not sep else "article text is empty"
            if problems is None:
                raise InputError(str(path), message, line=number)
            problems.append(Problem(str(path), number, message))
            continue
        source_match = _CRUD_SOURCE.search(header)
        title = _crud_title(body_text)
        yield Article(
            id=article_id(title, body_text),
            title=title,
            text=body_text,
            published_at=_crud_date(header),
            source=source_match[1] if source_match else CRUD_SOURCE,
            origin=f"{path}:{number}",
        )
