"""Sentence-aware chunking with overlap; every chunk is located by offsets in its article.

Chunks are windows of the article's matched text (qa.textnorm): the invariant is
``article.matched.text[chunk.start:chunk.end] == chunk.text`` for every chunk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from qa.config import ChunkingConfig
from qa.textnorm import normalize_line
from qa.types import Article, Chunk

# A sentence ends at 。!?; or an ellipsis, together with any closing quotes or brackets
# that follow ("…5月份。”" stays whole); a line break always ends one.
_SENTENCE_END = re.compile(r"(?:[。!?;]|…+|\.{3,})[”’」』)》\"']*|\n")
_CLAUSE_END = re.compile(r"[,、:][”’」』)》\"']*")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _split(text: str, start: int, end: int, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    cursor = start
    for match in pattern.finditer(text, start, end):
        span = _trimmed(text, cursor, match.end())
        if span:
            yield span
        cursor = match.end()
    span = _trimmed(text, cursor, end)
    if span:
        yield span


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence in ``text``, in order, without surrounding spaces."""
    return list(_split(text, 0, len(text), _SENTENCE_END))


def _pieces(text: str, max_chars: int) -> Iterator[tuple[int, int]]:
    """Sentences, with any longer than ``max_chars`` cut at clauses, then hard-cut."""
    for start, end in sentence_spans(text):
        if end - start <= max_chars:
            yield start, end
            continue
        for c_start, c_end in _split(text, start, end, _CLAUSE_END):
            for cut in range(c_start, c_end, max_chars):
                span = _trimmed(text, cut, min(cut + max_chars, c_end))
                if span:
                    yield span


def chunk_spans(text: str, config: ChunkingConfig) -> list[tuple[int, int]]:
    """Windows of whole pieces, each at most ``max_chars`` long where the text allows.

    Consecutive windows share their trailing pieces up to ``overlap_chars`` characters,
    so a fact cut at a window edge is whole in one of the two windows.
    """
    pieces = list(_pieces(text, config.max_chars))
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(pieces):
        last = first
        while last + 1 < len(pieces) and pieces[last + 1][1] - pieces[first][0] <= config.max_chars:
            last += 1
        windows.append((pieces[first][0], pieces[last][1]))
        if last == len(pieces) - 1:
            break
        # Back up over trailing pieces while they fit in the overlap and still leave room
        # for the next new piece, so that every window brings new text.
        next_first = last + 1
        while (
            next_first - 1 > first
            and pieces[last][1] - pieces[next_first - 1][0] <= config.overlap_chars
            and pieces[last + 1][1] - pieces[next_first - 1][0] <= config.max_chars
        ):
            next_first -= 1
        first = next_first
    return windows


def chunk_article(article: Article, config: ChunkingConfig) -> list[Chunk]:
    """The chunks of one article's matched text, numbered from 0."""
    text = article.matched.text
    return [
        Chunk(
            id=f"{article.id}-{ordinal}",
            article_id=article.id,
            ordinal=ordinal,
            start=start,
            end=end,
            text=text[start:end],
        )
        for ordinal, (start, end) in enumerate(chunk_spans(text, config))
    ]


def chunk_articles(articles: Iterable[Article], config: ChunkingConfig) -> list[Chunk]:
    """The chunks of many articles, in article order."""
    return [chunk for article in articles for chunk in chunk_article(article, config)]


def embedding_text(article: Article, chunk: Chunk) -> str:
    """What the encoder sees for a chunk: source and headline, then the chunk's text.

    The headline gives a chunk from deep inside a long article its topic; it is embedded
    but never stored in the chunk, so offsets stay exact.
    """
    heading = " ".join(normalize_line(part) for part in (article.source, article.title) if part)
    return f"{heading}\n{chunk.text}" if heading else chunk.text
