"""Hostile article content is neutralised at ingest and stays inert in every output."""

from __future__ import annotations

import json
import re
from pathlib import Path

from qa.encoders.embedding import HashEmbedder
from qa.indexing.build import build_index
from qa.ingest import read_articles
from qa.pipeline import Pipeline
from qa.present.html import render_answer_html
from qa.present.text import render_text

HOSTILE_TEXT = (
    "恶意测试项目投资额为3亿元。\u202e反向\u202c\u200b\u2066隐形\u2069\x1b[31m红色\x1b[0m"
    "<script>alert(1)</script><img src=x onerror=alert(2)>[链接](javascript:alert(3))。"
    + "长"
    * 100_000
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def test_hostile_article_is_inert(tmp_path: Path) -> None:
    source = tmp_path / "hostile.jsonl"
    source.write_text(json.dumps({"title": "恶意\u202e标题", "text": HOSTILE_TEXT}) + "\n")
    (article,) = read_articles([source]).articles
    assert not CONTROL.search(article.text) and not CONTROL.search(article.title)
    index_dir = tmp_path / "index"
    build_index(index_dir, [article], HashEmbedder(64))
    pipeline = Pipeline.load(index_dir, embedder=HashEmbedder(64), reader="fast")
    assert max(len(c.text) for c in pipeline.snapshot.chunks) <= 240
    answer = pipeline.ask("恶意测试项目投资额是多少?")
    assert answer.answer == "3亿元"
    text = render_text(answer)
    assert not CONTROL.search(text)
    page = render_answer_html(answer)
    assert "<script" not in page and "<img" not in page and "](" not in page
    assert "&lt;script&gt;" in page


def test_a_hostile_heading_cited_by_a_fact_check_is_inert(tmp_path: Path) -> None:
    from qa.present.html import render_check_html
    from qa.present.text import render_check_text

    source = tmp_path / "hostile.jsonl"
    title = "恶意测试项目总投资5亿元<script>alert(1)</script>\u202e"
    text = "恶意测试项目今日开工建设。项目位于测试园区,由测试公司承建。"
    source.write_text(json.dumps({"title": title, "text": text}) + "\n")
    (article,) = read_articles([source]).articles
    index_dir = tmp_path / "index"
    build_index(index_dir, [article], HashEmbedder(64))
    pipeline = Pipeline.load(index_dir, embedder=HashEmbedder(64), reader="fast")
    report = pipeline.check("恶意测试项目总投资5亿元。")
    (verdict,) = report.verdicts
    assert verdict.verdict == "supported" and verdict.evidence is not None
    assert verdict.evidence.part == "heading"
    assert article.heading[verdict.evidence.start : verdict.evidence.end] == verdict.evidence.quote
    page = render_check_html(report)
    assert "<script" not in page and "&lt;script&gt;" in page and "标题栏 / heading" in page
    assert not CONTROL.search(render_check_text(report))
