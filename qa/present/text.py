"""Plain-text rendering of an answer, or of a fact check, for the terminal."""

from __future__ import annotations

from qa.types import DATELINE_PART, HEADING_PART, Answer, CheckReport, Citation, Verdict

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


VERDICT_WORDS = {"supported": "属实 / supported", "contradicted": "不符 / contradicted",
                 "not_found": "未找到 / not found"}  # fmt: skip


def _marked_evidence(verdict: Verdict, color: bool) -> str:
    """The evidence quote with the article's aligned values marked."""
    evidence = verdict.evidence
    assert evidence is not None
    quote, cuts = evidence.quote, []
    for alignment in verdict.alignments:
        if alignment.start is not None and alignment.end is not None:
            cuts.append((alignment.start - evidence.start, alignment.end - evidence.start))
    parts, at = [], 0
    for a, b in sorted(set(cuts)):
        if a < at:
            continue
        marked = f"{_BOLD}{quote[a:b]}{_RESET}" if color else f"【{quote[a:b]}】"
        parts += [quote[at:a], marked]
        at = b
    return "".join([*parts, quote[at:]])


def render_check_text(report: CheckReport, *, color: bool = False) -> str:
    """One block per statement: verdict and note, the claim's values beside the article's,
    then ``title (date, source) quote`` with the article's values marked."""
    lines = []
    for n, verdict in enumerate(report.verdicts, start=1):
        lines.append(f"{n}. {verdict.statement}")
        lines.append(f"   {VERDICT_WORDS[verdict.verdict]}: {verdict.note}")
        for alignment in verdict.alignments:
            mark = "=" if alignment.agrees else "≠"
            printed = alignment.printed if alignment.printed is not None else "—"
            lines.append(f"   {alignment.kind}: {alignment.claimed} {mark} {printed}")
        if verdict.evidence is not None:
            evidence = verdict.evidence
            when = evidence.published_at[:10] if evidence.published_at else "undated"
            meta = ", ".join(filter(None, [when, evidence.source]))
            lines.append(f"   {evidence.title} ({meta}) {_marked_evidence(verdict, color)}")
            where = {HEADING_PART: "heading ", DATELINE_PART: "dateline "}.get(evidence.part, "")
            lines.append(f"   article {evidence.article_id} {where}chars "
                         f"{evidence.start}-{evidence.end}")  # fmt: skip
    lines.append(f"({report.timings_ms['total']:.0f} ms, {len(report.verdicts)} statements)")
    return "\n".join(lines)
