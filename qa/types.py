"""Frozen dataclasses passed between the stages of the pipeline.

Offsets are always character offsets into ``Article.text`` (the normalised text that the
index stores), so ``article.text[chunk.start:chunk.end] == chunk.text`` holds everywhere.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, its text already normalised."""

    id: str
    title: str
    text: str
    published_at: str | None = None
    """ISO 8601 date (``2026-01-15``) or date-time (``2023-08-16T18:24:57``)."""
    source: str = ""
    url: str = ""
    kicker: str = ""
    """A line printed above the headline (引题), e.g. "曹慧泉在…座谈会上强调"."""
    subtitle: str = ""
    """Lines printed below the headline (副题), e.g. "陈恢清出席并讲话"."""
    byline: str = ""
    """Agency and reporters, e.g. "株洲日报(全媒体记者/周菁)"."""
    dateline: str = ""
    """e.g. "新华社北京1月15日电" or "1月15日"."""
    origin: str = ""
    """Where the article was read from: "path:line"."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of every field."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Rebuild an article from ``to_dict`` output."""
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A window of an article's text, located by character offsets."""

    id: str
    article_id: str
    ordinal: int
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of every field."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        """Rebuild a chunk from ``to_dict`` output."""
        return cls(**data)
