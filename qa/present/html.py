"""HTML rendering of an answer for the web chat, with all article text made inert.

Article text can hold anything ("<script>", "<img onerror=…>", "[x](javascript:…)"). The
chat renders Markdown and then sanitises HTML, so text is escaped twice over: HTML
special characters become entities, and so do the characters Markdown gives meaning to,
which leaves nothing for either renderer to interpret.
"""

from __future__ import annotations

from qa.types import Answer, Citation, Passage

# One pass over the text: escaping in two passes (HTML, then Markdown) would escape the
# first pass's own entities ("&#x27;" → "&&#35;x27;"), which then show as typed.
_INERT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
    | {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~$:"}
)
CONTEXT_CHARS = 80
NOT_FOUND = "文章中没有找到答案 / not found in the articles"


def inert(text: str) -> str:
    """Text that renders literally in HTML and in Markdown; line breaks become <br>."""
    return text.translate(_INERT).replace("\n", "<br>")


def _meta(title: str, published_at: str | None, source: str) -> str:
    when = published_at[:10] if published_at else "日期不详 / undated"
    parts = [f"<b>{inert(title)}</b>", inert(when)]
    if source:
        parts.append(inert(source))
    return " · ".join(parts)


def _quote(citation: Citation) -> str:
    quote = citation.quote
    if citation.answer_start is None or citation.answer_end is None:
        return inert(quote)
    a, b = citation.answer_start - citation.start, citation.answer_end - citation.start
    before = quote[max(0, a - CONTEXT_CHARS) : a]
    after = quote[b : b + CONTEXT_CHARS]
    return (
        ("…" if a > CONTEXT_CHARS else "") + inert(before)
        + f'<mark class="qa-answer-span">{inert(quote[a:b])}</mark>'
        + inert(after) + ("…" if b + CONTEXT_CHARS < len(quote) else "")
    )  # fmt: skip


def _passage(passage: Passage) -> str:
    meta = _meta(passage.title, passage.published_at, passage.source)
    return (
        f'<li class="qa-passage"><div class="qa-meta">{meta}'
        f" · 字符 / chars {passage.start}–{passage.end}</div>"
        f'<div class="qa-passage-text">{inert(passage.text)}</div></li>'
    )


def render_answer_html(answer: Answer) -> str:
    """The answer (or "not found"), confidence, numbered citations, retrieved passages."""
    parts = ['<div class="qa-reply">']
    if answer.interpreted_as and answer.interpreted_as != answer.question:
        understood = inert(answer.interpreted_as)
        parts.append(f'<div class="qa-interpreted">理解为 / Understood as: {understood}</div>')
    if answer.answer is None:
        parts.append(f'<div class="qa-not-found"><b>{inert(NOT_FOUND)}</b></div>')
        parts.append(f'<div class="qa-reason">{inert(answer.reason)}</div>')
    else:
        parts.append(
            f'<div class="qa-answer"><b>答案 / Answer:</b> <span class="qa-answer-text">'
            f"{inert(answer.answer)}</span></div>"
        )
    parts.append(f'<div class="qa-confidence">置信度 / Confidence: {answer.confidence:.2f}</div>')
    if answer.citations:
        parts.append('<div class="qa-citations">')
        for citation in answer.citations:
            parts.append(
                f'<div class="qa-citation"><div class="qa-meta">[{citation.n}] '
                f"{_meta(citation.title, citation.published_at, citation.source)}</div>"
                f'<blockquote class="qa-quote">{_quote(citation)}</blockquote></div>'
            )
        parts.append("</div>")
    if answer.passages:
        parts.append(
            f'<details class="qa-passages"><summary>检索到的段落 / Retrieved passages '
            f"({len(answer.passages)})</summary><ol>"
            + "".join(_passage(p) for p in answer.passages)
            + "</ol></details>"
        )
    parts.append("</div>")
    return "".join(parts)


def render_error_html(message: str) -> str:
    """An error shown in the chat instead of an answer."""
    return f'<div class="qa-error"><b>出错了 / Error:</b> {inert(message)}</div>'
