from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.config import ChunkingConfig
from qa.indexing.chunking import chunk_article, chunk_spans, embedding_text, sentence_spans
from qa.ingest import article_id
from qa.textnorm import normalize_text
from qa.types import Article


def make_article(text: str, title: str = "标题") -> Article:
    return Article(id=article_id(title, text), title=title, text=text, source="株洲日报")


def test_sentences_keep_their_closing_quotes() -> None:
    text = "他说:“订单已经排到了5月份。”公司预计增长50%。真的吗?是的!"
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == ["他说:“订单已经排到了5月份。”", "公司预计增长50%。", "真的吗?", "是的!"]


def test_decimal_points_do_not_end_sentences() -> None:
    text = "增长5.7%左右,比率为13.5%。下降0.9个百分点。"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "增长5.7%左右,比率为13.5%。",
        "下降0.9个百分点。",
    ]


def test_line_breaks_end_sentences() -> None:
    text = "各位代表:\n一、工作回顾\n今年以来,经济平稳。"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "各位代表:",
        "一、工作回顾",
        "今年以来,经济平稳。",
    ]


def test_page_chunks_hold_offsets_and_respect_the_size(page_articles: tuple[Article, ...]) -> None:
    config = ChunkingConfig()
    for article in page_articles:
        chunks = chunk_article(article, config)
        assert chunks, article.title
        for chunk in chunks:
            assert article.matched.text[chunk.start : chunk.end] == chunk.text
            assert len(chunk.text) <= config.max_chars
            assert chunk.id == f"{article.id}-{chunk.ordinal}"


def test_consecutive_chunks_overlap_by_whole_sentences(page_articles: tuple[Article, ...]) -> None:
    report = next(a for a in page_articles if a.title == "政府工作报告")
    chunks = chunk_article(report, ChunkingConfig(240, 60))
    overlaps = [max(0, a.end - b.start) for a, b in pairwise(chunks)]
    assert all(o <= 60 for o in overlaps)
    assert any(o > 0 for o in overlaps)
    assert all(b.start > a.start for a, b in pairwise(chunks))


def test_title_is_embedded_but_not_stored() -> None:
    article = make_article("正文第一句。")
    (chunk,) = chunk_article(article, ChunkingConfig())
    assert chunk.text == "正文第一句。"
    assert embedding_text(article, chunk) == "株洲日报 标题\n正文第一句。"


def test_overlong_sentence_is_cut_at_clauses_then_hard() -> None:
    text = "".join([",".join(["这是一个分句"] * 30), "。", "长" * 100])
    spans = chunk_spans(text, ChunkingConfig(40, 10))
    assert all(e - s <= 40 for s, e in spans)
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


texts = st.text(
    alphabet=st.sampled_from([*"株洲日报记者。!?;,、“”‘’ \n\t12.%abcAB——…", "\u3000", "\u200b"]),
    max_size=600,
)


@settings(max_examples=300, deadline=None)
@given(raw=texts, size=st.integers(20, 300), overlap_ratio=st.floats(0, 0.49))
def test_chunk_invariants_hold_for_any_text(raw: str, size: int, overlap_ratio: float) -> None:
    text = normalize_text(raw)
    config = ChunkingConfig(size, int(size * overlap_ratio))
    article = make_article(text)
    chunks = chunk_article(article, config)
    covered: set[int] = set()
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()
        assert 0 < len(chunk.text) <= size
        covered.update(range(chunk.start, chunk.end))
    # Every visible character of the article is in some chunk: nothing is lost.
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    assert [c.start for c in chunks] == sorted({c.start for c in chunks})


@settings(max_examples=200, deadline=None)
@given(raw=st.text(max_size=300))
def test_normalisation_is_idempotent(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once
    assert "\n\n" not in once
