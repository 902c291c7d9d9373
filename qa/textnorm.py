"""Text normalisation applied once, before anything is stored or indexed.

Offsets in the index refer to the normalised text, so the same function must run on every
article before it is chunked; questions go through it too so that they match.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidirectional control characters: invisible, but they break matching and
# can reorder what a reader sees (bidi spoofing), so they never reach the index.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
# C0/C1 control characters other than newline (tabs become spaces first).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\n]+")


def normalize_line(text: str) -> str:
    """Normalise one line: NFKC, no invisible or control characters, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\t", " ")
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def normalize_text(text: str) -> str:
    """Normalise a multi-line text: every line as ``normalize_line``, no blank lines.

    Paragraphs stay separated by a single ``\\n``.
    """
    lines = (
        normalize_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )
    return "\n".join(line for line in lines if line)
