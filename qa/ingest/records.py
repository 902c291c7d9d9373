"""What every reader of news files produces: articles with stable ids and ISO dates, and
the problems it skipped."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from qa.textnorm import normalize_line
from qa.types import Article


@dataclass(frozen=True, slots=True)
class Problem:
    """Input skipped under ``skip_bad``: where, and why."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Articles read from a set of files, and what was skipped."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    duplicates: int = 0


def article_id(title: str, text: str) -> str:
    """Stable id of an article: a hash of its normalised title and text."""
    digest = hashlib.sha256(f"{title}\x1f{text}".encode()).hexdigest()
    return digest[:16]


def valid_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when there is no such day (a misread 2月30日)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_ISO = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_published_at(value: str) -> str:
    """Normalise a date or date-time to ISO 8601, or raise ValueError."""
    match = _ISO.match(normalize_line(value))
    if not match:
        raise ValueError(f"unrecognised date {value!r}: use YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]")
    year, month, day, hour, minute, second, _tz = match.groups()
    day_value = valid_date(int(year), int(month), int(day))
    if day_value is None:
        raise ValueError(f"no such date {value!r}")
    if hour is None:
        return day_value.isoformat()
    if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
        raise ValueError(f"no such time {value!r}")
    return f"{day_value.isoformat()}T{int(hour):02d}:{int(minute):02d}:{int(second or 0):02d}"
