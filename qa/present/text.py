"""Plain-text rendering of an answer for the terminal."""

from __future__ import annotations

from qa.types import Answer, Citation

_BOLD, _RESET = "\033[1m", "\033[0m"
CONTEXT_CHARS = 60
"""Characters of the cited sentence shown either side of the answer."""


def _quote(citation: Citation, color: bool) -> str:
    quote, start = citation.quote, citation.start
    if citation.answer_start is None or citation.answer_end is None:
        return quote if len(quote) <= 2 * CONTEXT_CHARS else quote[: 2 * CONTEXT_CHARS] + "…"
    a, b = citation.answer_start - start, citation.answer_end - start
    left = quote[max(0, a - CONTEXT_CHARS) : a]
    right = quote[b : b + CONTEXT_CHARS]
    marked = f"{_BOLD}{quote[a:b]}{_RESET}" if color else f"【{quote[a:b]}】"
    return (
        ("…" if a > CONTEXT_CHARS else "")
        + left
        + marked
        + right
        + ("…" if b + CONTEXT_CHARS < len(quote) else "")
    )


def render_text(answer: Answer, *, color: bool = False) -> str:
    """The answer (or why there is none), then ``[n] title (date, source) …quote…``."""
    lines = []
    if answer.answer is None:
        lines.append(f"文章中没有找到答案 / not found in the articles ({answer.reason})")
    else:
        lines.append(f"{answer.answer}    (confidence {answer.confidence:.2f})")
    for citation in answer.citations:
        when = citation.published_at[:10] if citation.published_at else "undated"
        meta = ", ".join(filter(None, [when, citation.source]))
        lines.append(f"[{citation.n}] {citation.title} ({meta}) {_quote(citation, color)}")
        lines.append(f"    article {citation.article_id} chars {citation.start}-{citation.end}")
    if answer.answer is None and answer.passages:
        lines.append("closest passages:")
        for passage in answer.passages[:3]:
            text = passage.text if len(passage.text) <= 80 else passage.text[:80] + "…"
            lines.append(f"  - {passage.title}: {text}")
    total, retrieve, read = (answer.timings_ms[k] for k in ("total", "retrieve", "read"))
    lines.append(f"({total:.0f} ms: retrieve {retrieve:.0f}, read {read:.0f})")
    return "\n".join(lines)
