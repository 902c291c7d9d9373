"""A printed newspaper page (like corpus/zhuzhou-daily/*.txt) split into articles.

Headlines stand on their own lines, paragraphs are broken across columns, and jump
markers ("▶▶▶ 下转3版"), photo captions and credits are dropped; see ``parse_page``."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import InputError
from qa.ingest.records import article_id, valid_date
from qa.textnorm import clean_line, matching_view, normalize_line, normalize_text
from qa.types import Article

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
        """Add a printed line of body text: to the open paragraph, or as a new one."""
        if self.open_paragraph and self.paragraphs:
            # A paragraph broken across columns: the next line carries on mid-word.
            self.paragraphs[-1] += line
            self.joined_last = True
        else:
            self.paragraphs.append(line)
            self.joined_last = False
        last = normalize_line(self.paragraphs[-1])
        # A numbered section heading ("一、…工作回顾") is a paragraph of its own.
        section_heading = len(last) <= 50 and bool(_ENUMERATED.match(last)) and "。" not in last
        self.open_paragraph = not (_is_finished(last) or section_heading)


def _split_headings(block: _PageArticle) -> tuple[str, str, str]:
    """(kicker, title, subtitle) from a heading block's lines, as printed."""
    lines = list(block.headings)
    subtitles = [line for line in lines if normalize_line(line).startswith(("——", "—", "--"))]
    lines = [line for line in lines if line not in subtitles]
    kicker = ""
    if len(lines) >= 2 and (len(lines) >= 3 or _KICKER_END.search(normalize_line(lines[0]))):
        kicker = lines.pop(0)
    title = lines.pop(0) if lines else ""
    subtitle = " ".join([*lines, *subtitles])
    return kicker, title, subtitle


def _full_dates(text: str) -> list[dt.date]:
    found = (valid_date(int(y), int(m), int(d)) for y, m, d in _FULL_DATE.findall(text))
    return [d for d in found if d is not None]


def _page_date(path: Path, blocks: Sequence[_PageArticle], text: str) -> dt.date:
    """Date of a page whose datelines give only month and day (see parse_page)."""
    datelines = [b.dateline_date for b in blocks if b.dateline_date]
    if not datelines:
        raise InputError(
            str(path), 'no dateline (e.g. "1月15日") to date this page: pass --date YYYY-MM-DD'
        )
    heading_text = "\n".join(normalize_line(line) for b in blocks for line in b.headings)
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
            when = valid_date(year, month, day)
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
        # Decisions read the matched form of a line; what is kept is the printed one.
        printed = clean_line(raw)
        view = matching_view(printed)
        line = view.text
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
                    and len(normalize_line(current.paragraphs[-1])) <= 100
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
                current.authors.append(printed)
            else:
                current.headings.append(printed)
            after_break = False
            continue
        if current is None:
            raise InputError(
                str(path), "text before the first headline: is this a newspaper page?", line=number
            )
        if not current.paragraphs and not current.byline:
            agency = _AGENCY_DATELINE.match(line)
            byline = _BYLINE.match(line)
            rest = 0
            if agency:
                reporter = agency.span("reporter") if agency["reporter"] else (0, 0)
                current.byline = view.original_text(*agency.span("agency")) + view.original_text(
                    *reporter
                )
                current.dateline = view.original_text(*agency.span("dateline"))
                date_match = _DATELINE_DATE.search(agency["dateline"])
                if date_match:
                    current.dateline_date = (int(date_match[1]), int(date_match[2]))
                rest = agency.start("rest")
            elif byline:
                current.byline = view.original_text(*byline.span("byline"))
                rest = byline.start("rest")
                leading = _LEADING_DATE.match(line[rest:])
                if leading:
                    current.dateline = view.original_text(rest, rest + leading.end())
                    current.dateline_date = (int(leading[1]), int(leading[2]))
            if rest:
                printed = printed[view.span(rest, len(line))[0] :]
                line = line[rest:]
            if not line:
                continue
        current.add_body(printed)
        after_break = not current.open_paragraph

    if not blocks:
        raise InputError(str(path), "no articles found: expected headline lines above each article")
    page_date = date or _page_date(path, blocks, text)
    if not source:
        papers = Counter(
            m[1] for b in blocks if (m := _NEWSPAPER.match(normalize_line(b.byline)))
        )
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
                id=article_id(normalize_line(title), normalize_text(body)),
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
