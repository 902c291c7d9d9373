"""HTML rendering of an answer or a fact check for the web chat, all article text inert.

Article text can hold anything ("<script>", "<img onerror=…>", "[x](javascript:…)"). The
chat renders Markdown and then sanitises HTML, so text is escaped twice over: HTML
special characters become entities, and so do the characters Markdown gives meaning to,
which leaves nothing for either renderer to interpret.
"""

from __future__ import annotations

from qa.types import DATELINE_PART, HEADING_PART, Answer, CheckReport, Citation, Passage, Verdict

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


VERDICT_LABELS = {"supported": ("qa-supported", "属实 / Supported"),
                  "contradicted": ("qa-contradicted", "不符 / Contradicted"),
                  "not_found": ("qa-not-found", "未找到 / Not found")}  # fmt: skip


def _evidence_html(verdict: Verdict) -> str:
    """The evidence quote, inert, with the article's aligned values highlighted (a differing
    one in its own colour)."""
    evidence = verdict.evidence
    if evidence is None:
        return "—"
    quote = evidence.quote
    marks = sorted(
        (a.start - evidence.start, a.end - evidence.start, a.agrees)
        for a in verdict.alignments
        if a.start is not None and a.end is not None
    )
    parts, at = [], 0
    for a, b, agrees in marks:
        if a < at:
            continue
        kind = "qa-value-same" if agrees else "qa-value-differs"
        parts += [inert(quote[at:a]), f'<mark class="{kind}">{inert(quote[a:b])}</mark>']
        at = b
    parts.append(inert(quote[at:]))
    meta = _meta(evidence.title, evidence.published_at, evidence.source)
    where = {HEADING_PART: "标题栏 / heading ", DATELINE_PART: "电头 / dateline "}.get(
        evidence.part, "")
    return (f'<div class="qa-meta">{meta} · {where}字符 / chars '
            f'{evidence.start}–{evidence.end}</div>'
            f'<blockquote class="qa-quote">{"".join(parts)}</blockquote>')  # fmt: skip


def _values_html(verdict: Verdict) -> str:
    rows = []
    for alignment in verdict.alignments:
        printed = alignment.printed if alignment.printed is not None else "—"
        kind = "qa-value-same" if alignment.agrees else "qa-value-differs"
        sign = "=" if alignment.agrees else "≠"
        rows.append(f'<div class="qa-alignment">{inert(alignment.kind)}: '
                    f'<span class="qa-claimed">{inert(alignment.claimed)}</span> {sign} '
                    f'<mark class="{kind}">{inert(printed)}</mark></div>')  # fmt: skip
    return "".join(rows)


def render_check_html(report: CheckReport) -> str:
    """A table: statement → verdict (with its note and the values side by side) → evidence."""
    if not report.verdicts:
        return ('<div class="qa-check"><b>没有可核查的陈述 / no checkable statement</b>: '
                "写一个含有事实的句子 / write a sentence that states a fact</div>")  # fmt: skip
    rows = []
    for verdict in report.verdicts:
        css, label = VERDICT_LABELS[verdict.verdict]
        rows.append(
            f'<tr class="qa-check-row"><td class="qa-statement">{inert(verdict.statement)}</td>'
            f'<td class="qa-verdict {css}"><b>{inert(label)}</b>'
            f'<div class="qa-note">{inert(verdict.note)}</div>{_values_html(verdict)}</td>'
            f'<td class="qa-evidence">{_evidence_html(verdict)}</td></tr>'
        )
    total = report.timings_ms.get("total", 0.0)
    return (
        '<div class="qa-check"><table class="qa-check-table"><thead><tr>'
        "<th>陈述 / Statement</th><th>结论 / Verdict</th><th>证据 / Evidence</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<div class="qa-meta">{len(report.verdicts)} 条陈述 / statements · {total:.0f} ms</div>'
        "</div>"
    )
