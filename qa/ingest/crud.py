"""The CRUD-RAG news corpus: one article per line, "<timestamp>，正文：<text>"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from qa.errors import InputError
from qa.ingest.records import Problem, article_id, valid_date
from qa.textnorm import TextView, clean_line, clean_text, matching_view
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


def _crud_title(body: TextView) -> tuple[str, str]:
    """(printed, matched) title: the body's first sentence, at most 40 characters."""
    text = body.text
    line_end = text.find("\n")
    line_end = len(text) if line_end < 0 else line_end
    sentence_end = re.search(r"[。!?]", text[:line_end])
    end = sentence_end.end() if sentence_end else line_end
    start = len("原标题:") if text.startswith("原标题:") else 0
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start > 40:
        return body.original_text(start, start + 39) + "…", text[start : start + 39] + "…"
    return body.original_text(start, end), text[start:end]


def parse_crud(text: str, path: Path, problems: list[Problem] | None) -> Iterator[Article]:
    """Articles of the CRUD-RAG corpus: one per line, "<timestamp>，正文：<text>"."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        printed = clean_line(line)
        view = matching_view(printed)
        header, sep, _ = view.text.partition("正文:")
        body_start = view.span(len(header) + len(sep), len(view.text))[0] if sep else 0
        body_text = clean_text(printed[body_start:])
        if not sep or not body_text:
            message = "expected '<timestamp>，正文：<text>'" if not sep else "article text is empty"
            if problems is None:
                raise InputError(str(path), message, line=number)
            problems.append(Problem(str(path), number, message))
            continue
        source_match = _CRUD_SOURCE.search(header)
        matched = matching_view(body_text)
        title, matched_title = _crud_title(matched)
        yield Article(
            id=article_id(matched_title, matched.text),
            title=title,
            text=body_text,
            published_at=_crud_date(header),
            source=source_match[1] if source_match else CRUD_SOURCE,
            origin=f"{path}:{number}",
        )
