"""Read news files into normalised ``Article`` objects.

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
import gzip
import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from qa.errors import InputError, UsageError
from qa.textnorm import normalize_line, normalize_text
from qa.types import Article

Format = Literal["page", "jsonl", "crud"]
FORMATS: tuple[Format, ...] = ("page", "jsonl", "crud")
SOURCE_SUFFIXES = (".txt", ".jsonl", ".gz")

CRUD_SOURCE = "CRUD-RAG news 2023"
CRUD_DEFAULT_YEAR = 2023
"""The CRUD corpus is all 2023; headers that give only month and day get this year."""


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


# --------------------------------------------------------------------------- files


def expand_sources(paths: Sequence[str | Path]) -> list[Path]:
    """Files named directly, plus the news files (.txt, .jsonl, .gz) inside folders."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.name.endswith(SOURCE_SUFFIXES) and not p.name.startswith(".")
            )
            if not found:
                raise InputError(str(path), "folder holds no .txt, .jsonl or .gz files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(str(path), "no such file or folder")
    return files


def read_text(path: Path) -> str:
    """Read a file as UTF-8 text (gunzipping if needed) or raise a clear InputError."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(str(path), f"damaged gzip file ({exc})") from exc
    if not data.strip():
        raise InputError(str(path), "file is empty: give a file with at least one article")
    if b"\x00" in data[:65536]:
        offset = data.index(b"\x00")
        raise InputError(
            str(path),
            f"looks like a binary file (NUL byte at offset {offset}): "
            "give UTF-8 text (.txt page, .jsonl or CRUD .txt.gz)",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = " It decodes as GBK/GB18030:"
        except UnicodeDecodeError:
            pass
        raise InputError(
            str(path),
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}).{hint} "
            f"convert it with `iconv -f GB18030 -t UTF-8 {path} > {path.stem}.utf8{path.suffix}`",
            line=line,
        ) from exc


_CRUD_HEADER = re.compile(r"^[^\n]{0,300}?[,，]\s*正文[:：]")


def detect_format(path: Path, text: str) -> Format:
    """Guess the input kind from the file name and its first line."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".jsonl"):
        return "jsonl"
    first = next((line for line in text.splitlines() if line.strip()), "")
    if _CRUD_HEADER.match(first):
        return "crud"
    return "page"


# --------------------------------------------------------------------------- dates


def _date(year: int, month: int, day: int) -> dt.date | None:
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
    day_value = _date(int(year), int(month), int(day))
    if day_value is None:
        raise ValueError(f"no such date {value!r}")
    if hour is None:
        return day_value.isoformat()
    if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
        raise ValueError(f"no such time {value!r}")
    return f"{day_value.isoformat()}T{int(hour):02d}:{int(minute):02d}:{int(second or 0):02d}"


# --------------------------------------------------------------------------- pages

_TERMINAL = tuple('。!?…"”’」』):;')
_ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[.、])")
_JUMP = re.compile(r"^[▶►→>\s]*\(?(?:下转|上接|转|接)\s*第?\s*[\w]{1,3}\s*版\)?$")
_CREDIT = re.compile(r"^(?:\S{0,20}/\S{1,12}(?: \S{1,12})*\s*摄|(?:图|摄影)[:/]\S.{0,30})$")
_BYLINE = re.compile(
    r"^(?P<byline>(?:本报讯)?[\u4e00-\u9fff]{0,10}"
    r"\((?=[^()]*(?:记者|通讯员|实习生|特约|撰稿))[^()]{1,80}\))\s*(?P<rest>.*)$"
)
_AGENCY_DATELINE = re.compile(
    r"^(?P<dateline>(?P<agency>新华社|中新社|人民网|中新网|央视网)[\u4e00-\u9fff]{0,12}?"
    r"\d{1,2}月\d{1,2}日电)\s*(?P<reporter>\([^()]{1,40}\))?\s*(?P<rest>.*)$"
)
_LEADING_DATE = re.compile(r"^(\d{1,2})月(\d{1,2})日")
_DATELINE_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日电?")
_FULL_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_AUTHOR_LINE = re.compile(
    r"^[\u4e00-\u9fff]{2,24}(?:市长|书记|主任|局长|县长|区长|主席|总理|部长|院长|委员|记者)"
    r"\s+[\u4e00-\u9fff·]{2,6}$"
)
_KICKER_END = re.compile(r"(?:强调|指出|表示|要求|提出|宣布|寄语|致辞|讲话时说|调研时说)$")
_NEWSPAPER = re.compile(r"^([\u4e00-\u9fff]{2,8}(?:日报|晚报|时报|报))\(")


def _is_finished(line: str) -> bool:
    return line.endswith(_TERMINAL)


def _is_heading_like(line: str) -> bool:
    return (
        len(line) <= 50
        and not _ENUMERATED.match(line)
        and not re.search(r"[,。;]", line)
        and not line.endswith(("、", ":", "!", "?"))
    )


@dataclass
class _PageArticle:
    """An article being assembled while a page is scanned (mutable on purpose)."""

    line: int
    headings: list[str] = field(default_factory=list)
    byline: str = ""
    dateline: str = ""
    dateline_date: tuple[int, int] | None = None
    paragraphs: list[str] = field(default_factory=list)
    joined_last: bool = False
    open_paragraph: bool = False
    authors: list[str] = field(default_factory=list)

    def add_body(self, line: str) -> None:
        if self.open_paragraph and self.paragraphs:
            # A paragraph broken across columns: the next line carries on mid-word.
            self.paragraphs[-1] += line
            self.joined_last = True
        else:
            self.paragraphs.append(line)
            self.joined_last = False
        last = self.paragraphs[-1]
        # A numbered section heading ("一、…工作回顾") is a paragraph of its own.
        section_heading = len(last) <= 50 and bool(_ENUMERATED.match(last)) and "。" not in last
        self.open_paragraph = not (_is_finished(last) or section_heading)


def _split_headings(block: _PageArticle) -> tuple[str, str, str]:
    """(kicker, title, subtitle) from a heading block's lines."""
    lines = list(block.headings)
    subtitles = [line for line in lines if line.startswith(("——", "—", "--"))]
    lines = [line for line in lines if line not in subtitles]
    kicker = ""
    if len(lines) >= 2 and (len(lines) >= 3 or _KICKER_END.search(lines[0])):
        kicker = lines.pop(0)
    title = lines.pop(0) if lines else ""
    subtitle = " ".join([*lines, *subtitles])
    return kicker, title, subtitle


def _full_dates(text: str) -> list[dt.date]:
    found = (_date(int(y), int(m), int(d)) for y, m, d in _FULL_DATE.findall(text))
    return [d for d in found if d is not None]


def _page_date(path: Path, blocks: Sequence[_PageArticle], text: str) -> dt.date:
    """Date of a page whose datelines give only month and day (see parse_page)."""
    datelines = [b.dateline_date for b in blocks if b.dateline_date]
    if not datelines:
        raise InputError(
            str(path), 'no dateline (e.g. "1月15日") to date this page: pass --date YYYY-MM-DD'
        )
    heading_text = "\n".join(line for b in blocks for line in b.headings)
    anchor_pool = _full_dates(heading_text) or _full_dates(text)
    if not anchor_pool:
        raise InputError(
            str(path),
            "the datelines give month and day but the page prints no full date (YYYY年M月D日) "
            "to tell the year: pass --date YYYY-MM-DD",
        )
    anchor = max(anchor_pool)
    candidates = []
    for month, day in datelines:
        for year in (anchor.year, anchor.year + 1):
            when = _date(year, month, day)
            if when is not None and when >= anchor:
                candidates.append(when)
                break
    if not candidates:
        raise InputError(str(path), "cannot place the datelines in a year: pass --date YYYY-MM-DD")
    return max(candidates)


def parse_page(
    text: str, path: Path, *, date: dt.date | None = None, source: str = ""
) -> list[Article]:
    """Split the text of one newspaper page into its articles.

    - A *heading block* (one to four short lines with no sentence punctuation) after a
      finished paragraph, a jump marker or the top of the page starts an article. Its lines
      become kicker (引题, when it ends in 强调/指出/… or when there are three lines), title
      and subtitle (副题, and lines starting with "——"); a "<office> <name>" line is the
      author and goes to the byline.
    - A byline such as "株洲日报(全媒体记者/周菁)" or an agency dateline such as
      "新华社北京1月15日电" leaves the body and is kept as metadata; a leading
      "1月15日," stays in the body (it belongs to the first sentence) and is recorded as the
      dateline too.
    - A paragraph that does not end in sentence punctuation was broken across columns: the
      next line is appended to it with no separator ("治理水" + "平、宜居" → "治理水平、宜居").
    - Jump markers ("▶▶▶ 下转3版") and photo credits ("株洲日报全媒体记者/谢慧 摄") are
      dropped; the short line just before a credit is its caption and leaves the body.
    - Date: ``date`` if given. Otherwise the latest dateline on the page, whose year is
      the first that puts it on or after the latest full date printed on the page (in a
      heading if there is one, e.g. "——2025年12月24日在…", else anywhere). A page with no
      dateline, or no full date to anchor the year, is an error asking for ``--date``.
    - Source: ``source`` if given, else the newspaper named most often in the bylines.
    """
    blocks: list[_PageArticle] = []
    current: _PageArticle | None = None
    after_break = True  # top of page, a jump marker, or a finished paragraph
    for number, raw in enumerate(text.splitlines(), start=1):
        line = normalize_line(raw)
        if not line:
            continue
        if _JUMP.match(line):
            if current is not None:
                current.open_paragraph = False
            after_break = True
            continue
        if _CREDIT.match(line):
            if current is not None:
                # The short line just above a credit is the photo's caption.
                if (
                    current.paragraphs
                    and not current.joined_last
                    and len(current.paragraphs[-1]) <= 100
                ):
                    current.paragraphs.pop()
                current.open_paragraph = False
            after_break = True
            continue
        in_heading = current is not None and not current.paragraphs and not current.byline
        if (
            _is_heading_like(line)
            and (after_break or in_heading)
            and not (current is not None and current.open_paragraph)
        ):
            if current is None or not in_heading:
                current = _PageArticle(line=number)
                blocks.append(current)
            if _AUTHOR_LINE.match(line) and current.headings:
                current.authors.append(line)
            else:
                current.headings.append(line)
            after_break = False
            continue
        if current is None:
            raise InputError(
                str(path), "text before the first headline: is this a newspaper page?", line=number
            )
        if not current.paragraphs and not current.byline:
            agency = _AGENCY_DATELINE.match(line)
            byline = _BYLINE.match(line)
            if agency:
                current.byline = agency["agency"] + (agency["reporter"] or "")
                current.dateline = agency["dateline"]
                date_match = _DATELINE_DATE.search(agency["dateline"])
                if date_match:
                    current.dateline_date = (int(date_match[1]), int(date_match[2]))
                line = agency["rest"]
            elif byline:
                current.byline = byline["byline"]
                line = byline["rest"]
                leading = _LEADING_DATE.match(line)
                if leading:
                    current.dateline = leading[0]
                    current.dateline_date = (int(leading[1]), int(leading[2]))
            if not line:
                continue
        current.add_body(line)
        after_break = not current.open_paragraph

    if not blocks:
        raise InputError(str(path), "no articles found: expected headline lines above each article")
    page_date = date or _page_date(path, blocks, text)
    if not source:
        papers = Counter(m[1] for b in blocks if (m := _NEWSPAPER.match(b.byline)))
        source = papers.most_common(1)[0][0] if papers else ""

    articles: list[Article] = []
    for block in blocks:
        kicker, title, subtitle = _split_headings(block)
        body = "\n".join(block.paragraphs)
        if not body:
            raise InputError(str(path), f"headline {title!r} has no text under it", line=block.line)
        byline = " ".join(filter(None, [block.byline, *block.authors]))
        articles.append(
            Article(
                id=article_id(title, body),
                title=title,
                text=body,
                published_at=page_date.isoformat(),
                source=source,
                kicker=kicker,
                subtitle=subtitle,
                byline=byline,
                dateline=block.dateline,
                origin=f"{path}:{block.line}",
            )
        )
    return articles


# --------------------------------------------------------------------------- jsonl

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
    text = normalize_text(values["text"])
    if not text:
        raise ValueError("field 'text' is empty")
    title = normalize_line(values["title"])
    published = values.get("published_at")
    return Article(
        id=normalize_line(values["id"]) if values.get("id") else article_id(title, text),
        title=title,
        text=text,
        published_at=parse_published_at(published) if published else None,
        source=normalize_line(values.get("source", "")),
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


# --------------------------------------------------------------------------- crud

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
        day = _date(year, int(match["m"]), int(match["d"]))
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


# --------------------------------------------------------------------------- entry


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
