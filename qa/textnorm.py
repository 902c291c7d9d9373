"""The article's own text, and the normalised view of it that every stage matches against.

Two forms of every text, and a map between them:

- **stored** (``clean_line``, ``clean_text``): the characters as printed. Only what is
  invisible or dangerous goes: zero-width and bidi controls (they break matching and can
  reorder what a reader sees), other control characters, tabs (a space), the white space
  at the ends of lines, and blank lines. ``Article.text`` holds this form, and every
  citation quotes it: ``article.text[start:end] == quote``.
- **matched** (``matching_view``): NFKC (full-width ``，`` → ``,``, ``㎡`` → ``m2``, ``①`` →
  ``1``), runs of white space as one space. BM25 terms, the encoder's input, the readers'
  patterns, chunk and span offsets inside the pipeline all refer to this form.
  ``TextView.span`` maps a span of it back to the stored characters, so an answer found in
  ``(JR东日本)`` is given as the printed ``（JR东日本）``.

NFKC runs per *cluster* (a character with the combining marks that follow it), so that
every matched character comes from one known stretch of the stored text. Questions are
matched in the same form (``normalize_line``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

# Zero-width and bidirectional control characters: invisible, but they break matching and
# can reorder what a reader sees (bidi spoofing), so they never reach the index.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
# C0/C1 control characters other than newline (tabs become spaces first).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE_RUN = re.compile(r"[^\S\n]+")
_ODD_SPACE = re.compile(r"[^\S\n]{2,}|[^\S\n ]|^[^\S\n]|[^\S\n]$", re.M)
"""White space the matched form changes: a run, a space other than " ", or one at the end
of a line."""
_VIEW_CACHE = 512
"""Views kept: a retrieved article is viewed by every stage that reads it; 512 views of
5,000-character articles hold about 20 MB of offset maps."""


def clean_line(text: str) -> str:
    """One line as stored: no invisible or control characters, no white space at its ends."""
    text = _INVISIBLE.sub("", text)
    text = text.replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def clean_text(text: str) -> str:
    """A multi-line text as stored: every line as ``clean_line``, no blank lines.

    Paragraphs stay separated by a single ``\\n``.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cleaned = (clean_line(line) for line in lines)
    return "\n".join(line for line in cleaned if line)


def _joins(char: str) -> bool:
    """Whether NFKC may merge ``char`` into the character before it: a combining mark, a
    Hangul vowel or final (they compose with the syllable before), or a character whose
    NFKC starts with one (half-width ﾞ → U+3099, compatibility jamo ㅏ → U+1161)."""
    for c in (char, unicodedata.normalize("NFKC", char)[:1]):
        code = ord(c) if c else 0
        if c and (
            unicodedata.category(c).startswith("M")
            or 0x1160 <= code <= 0x11FF
            or 0xD7B0 <= code <= 0xD7FF
        ):
            return True
    return False


@cache
def _irregular() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(characters that NFKC may merge into the one before them, characters whose NFKC is
    longer than one character): the only ones that make the map other than one to one."""
    joining, expanding = [], []
    for code in (*range(0x30000), *range(0xE0000, 0xE01F0)):
        char = chr(code)
        if _joins(char):
            joining.append(char)
        elif len(unicodedata.normalize("NFKC", char)) > 1:
            expanding.append(char)

    def char_class(chars: list[str]) -> re.Pattern[str]:
        return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")

    return char_class(joining), char_class(expanding)


@dataclass(frozen=True, slots=True, eq=False)
class TextView:
    """The matched form of a stored text, and where each of its characters came from."""

    text: str
    """The matched (normalised) text."""
    original: str
    """The stored text it was made from."""
    starts: np.ndarray | None
    """Per matched character, the offset in ``original`` of the stretch it came from
    (None: the two texts align one to one)."""
    ends: np.ndarray | None
    """Per matched character, the end of that stretch."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The stored offsets of the matched span ``[start, end)``: every stored character
        that any of its characters came from (``㎡`` whole for a span ending in ``m``)."""
        if self.starts is None or self.ends is None:
            return start, end
        size = len(self.text)
        if not 0 <= start <= end <= size:
            raise ValueError(f"span {start}:{end} is outside the matched text (0:{size})")
        if start == end:
            position = int(self.starts[start]) if start < size else len(self.original)
            return position, position
        return int(self.starts[start]), int(self.ends[end - 1])

    def original_text(self, start: int, end: int) -> str:
        """The stored characters of the matched span ``[start, end)``."""
        first, last = self.span(start, end)
        return self.original[first:last]


def _clusters(text: str) -> list[tuple[int, int]]:
    """(start, end) of each character with the characters that NFKC may merge into it."""
    joining, _ = _irregular()
    bounds = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not joining.match(text, i):
            bounds.append((start, i))
            start = i
    return bounds


def _build_view(text: str) -> TextView:
    joining, expanding = _irregular()
    joins = joining.search(text) is not None
    lengths = None
    if not joins:
        matched = unicodedata.normalize("NFKC", text)
        if len(matched) != len(text):
            lengths = np.ones(len(text), np.int32)
            for found in expanding.finditer(text):
                lengths[found.start()] = len(unicodedata.normalize("NFKC", found[0]))
    if joins or (lengths is not None and int(lengths.sum()) != len(matched)):
        # Something merges across characters: NFKC cluster by cluster, slowly but surely.
        pieces, starts, ends = [], [], []
        for first, last in _clusters(text):
            piece = unicodedata.normalize("NFKC", text[first:last])
            pieces.append(piece)
            starts.extend([first] * len(piece))
            ends.extend([last] * len(piece))
        matched = "".join(pieces)
        start_at, end_at = np.asarray(starts, np.int32), np.asarray(ends, np.int32)
    elif lengths is None:
        start_at = end_at = None  # nothing joins, nothing expands: one to one
    else:
        positions = np.arange(len(text), dtype=np.int32)
        start_at = np.repeat(positions, lengths)
        end_at = start_at + 1
    if not _ODD_SPACE.search(matched):
        return TextView(matched, text, start_at, end_at)
    if start_at is None or end_at is None:
        start_at = np.arange(len(matched), dtype=np.int32)
        end_at = start_at + 1
    keep_text, keep_starts, keep_ends = [], [], []
    for line in re.finditer(r"[^\n]*\n?", matched):
        if not line[0]:
            break
        body_start, body_end = line.start(), line.end() - (1 if line[0].endswith("\n") else 0)
        stripped = matched[body_start:body_end]
        lead = len(stripped) - len(stripped.lstrip())
        trail = len(stripped) - len(stripped.rstrip())
        body_start, body_end = body_start + lead, body_end - trail
        cursor = body_start
        for run in _SPACE_RUN.finditer(matched, body_start, body_end):
            keep_text.append(matched[cursor : run.start()])
            keep_starts.append(start_at[cursor : run.start()])
            keep_ends.append(end_at[cursor : run.start()])
            keep_text.append(" ")
            keep_starts.append(start_at[run.start() : run.start() + 1])
            keep_ends.append(end_at[run.end() - 1 : run.end()])
            cursor = run.end()
        keep_text.append(matched[cursor:body_end])
        keep_starts.append(start_at[cursor:body_end])
        keep_ends.append(end_at[cursor:body_end])
        if line[0].endswith("\n"):
            keep_text.append("\n")
            keep_starts.append(start_at[line.end() - 1 : line.end()])
            keep_ends.append(end_at[line.end() - 1 : line.end()])
    return TextView(
        "".join(keep_text), text, np.concatenate(keep_starts), np.concatenate(keep_ends)
    )


@lru_cache(maxsize=_VIEW_CACHE)
def matching_view(text: str) -> TextView:
    """The matched form of a stored ``text`` with its offset map (cached: a retrieved
    article is viewed by every stage that reads it)."""
    return _build_view(text)


def normalize_line(text: str) -> str:
    """One line in the matched form (questions, titles, metadata): cleaned, then NFKC with
    single spaces."""
    return matching_view(clean_line(text)).text


def normalize_text(text: str) -> str:
    """A multi-line text in the matched form: ``clean_text``, then NFKC with single spaces."""
    return matching_view(clean_text(text)).text
