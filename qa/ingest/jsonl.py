"""One article per JSON line: {"id"?, "title", "text", "published_at"?, "source"?, "url"?}."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from qa.errors import InputError
from qa.ingest.records import Problem, article_id, parse_published_at
from qa.textnorm import clean_line, clean_text, normalize_line, normalize_text
from qa.types import Article

_JSONL_FIELDS = {"id", "title", "text", "published_at", "source", "url"}


def _jsonl_article(record: object, path: Path) -> Article:
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    for name in ("title", "text"):
        if name not in record:
            raise ValueError(f"missing required field {name!r}")
    values: dict[str, str] = {}
    for name in _JSONL_FIELDS & record.keys():
        value = record[name]
        if value is None and name not in ("title", "text"):
            continue
        if not isinstance(value, str):
            raise ValueError(f"field {name!r} must be a string, got {type(value).__name__}")
        values[name] = value
    text = clean_text(values["text"])
    if not text:
        raise ValueError("field 'text' is empty")
    title = clean_line(values["title"])
    published = values.get("published_at")
    return Article(
        id=normalize_line(values["id"])
        if values.get("id")
        else article_id(normalize_line(title), normalize_text(text)),
        title=title,
        text=text,
        published_at=parse_published_at(published) if published else None,
        source=clean_line(values.get("source", "")),
        url=values.get("url", "").strip(),
    )


def parse_jsonl(text: str, path: Path, problems: list[Problem] | None) -> Iterator[Article]:
    """Articles of a JSONL file; bad lines raise, or are recorded in ``problems``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
            article = _jsonl_article(record, path)
        except ValueError as exc:
            if problems is None:
                raise InputError(str(path), str(exc), line=number) from exc
            problems.append(Problem(str(path), number, str(exc)))
            continue
        yield replace(article, origin=f"{path}:{number}")
