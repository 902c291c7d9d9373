"""Read news files into normalised ``Article`` objects: ``read_articles`` is the entry.

Three input kinds:

``page``
    Plain text of one printed newspaper page (like corpus/zhuzhou-daily/*.txt): headlines
    on their own lines, paragraphs broken across columns, jump markers ("▶▶▶ 下转3版"),
    photo captions and credits. Split into articles; see ``parse_page``.
``jsonl``
    One article per line: {"id"?, "title", "text", "published_at"?, "source"?, "url"?}.
``crud``
    The CRUD-RAG news corpus: one article per line, "<timestamp>，正文：<text>".

The kind comes from ``fmt`` or, failing that, from the extension (``.jsonl``) and the first
line (a CRUD header); anything else is read as a page. Files may be gzip-compressed.
Text is normalised (qa.textnorm) before anything else, so offsets always refer to the
stored text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from qa.errors import InputError, UsageError
from qa.ingest.crud import CRUD_SOURCE, parse_crud
from qa.ingest.jsonl import parse_jsonl
from qa.ingest.page import parse_page
from qa.ingest.records import IngestResult, Problem, article_id, parse_published_at
from qa.ingest.sources import FORMATS, Format, detect_format, expand_sources, read_text
from qa.types import Article

__all__ = [
    "CRUD_SOURCE",
    "FORMATS",
    "Format",
    "IngestResult",
    "Problem",
    "article_id",
    "detect_format",
    "expand_sources",
    "parse_crud",
    "parse_jsonl",
    "parse_page",
    "parse_published_at",
    "read_articles",
]

def read_articles(
    paths: Sequence[str | Path],
    *,
    fmt: Format | None = None,
    date: str | None = None,
    source: str = "",
    skip_bad: bool = False,
    limit: int | None = None,
) -> IngestResult:
    """Read every article in ``paths`` (files or folders).

    Raises InputError naming the file (and line) of the first bad input, unless
    ``skip_bad``, in which case bad files and lines are skipped and listed in
    ``IngestResult.problems``. Articles with an id already seen are dropped and counted.
    ``limit`` stops after that many articles (for benchmarks on a corpus sample).
    """
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    page_date = None
    if date is not None:
        try:
            page_date = dt.date.fromisoformat(date)
        except ValueError as exc:
            raise UsageError(f"--date {date!r} is not a date: use YYYY-MM-DD") from exc
    problems: list[Problem] | None = [] if skip_bad else None
    articles: dict[str, Article] = {}
    duplicates = 0
    for path in expand_sources(paths):
        try:
            for article in _read_file(path, fmt, page_date, source, problems):
                if article.id in articles:
                    duplicates += 1
                    continue
                articles[article.id] = article
                if limit is not None and len(articles) >= limit:
                    break
        except InputError as exc:
            if problems is None:
                raise
            problems.append(Problem(exc.path, exc.line, exc.reason))
        if limit is not None and len(articles) >= limit:
            break
    if not articles:
        raise InputError(", ".join(map(str, paths)), "no articles could be read")
    return IngestResult(tuple(articles.values()), tuple(problems or ()), duplicates)


def _read_file(
    path: Path,
    fmt: Format | None,
    page_date: dt.date | None,
    source: str,
    problems: list[Problem] | None,
) -> Iterable[Article]:
    text = read_text(path)
    kind = fmt or detect_format(path, text)
    if kind == "page":
        return parse_page(text, path, date=page_date, source=source)
    if kind == "jsonl":
        articles: Iterable[Article] = parse_jsonl(text, path, problems)
    else:
        articles = parse_crud(text, path, problems)
    if source:
        return (replace(a, source=source) for a in articles)
    return articles
