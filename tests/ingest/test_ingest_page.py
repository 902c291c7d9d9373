from __future__ import annotations

from pathlib import Path

import pytest

from qa.errors import InputError
from qa.ingest import parse_page, read_articles
from qa.types import Article
from tests.conftest import PAGE

TITLES = [
    "《求是》杂志发表习近平总书记重要文章 《在中央城市工作会议上的讲话》",
    "持续优化物流产业生态 提升城市综合竞争力",
    "湘赣边数字贸易总部中心正式运营",
    "石峰区累计培育29个国省级制造业单项冠军",
    "政府工作报告",
    "攸县:园区企业开足马力赶订单",
    "高端铝基材料产业化项目落户炎陵",
    "宏达电子布局半导体高端项目",
]


def by_title(articles: tuple[Article, ...], title: str) -> Article:
    return next(a for a in articles if a.title == title)


def test_page_splits_into_its_eight_articles(page_articles: tuple[Article, ...]) -> None:
    assert [a.title for a in page_articles] == TITLES


@pytest.mark.parametrize(
    "repaired",
    [
        "治理水平、宜居",
        "持续发力",
        "湖南时空信息",
        "订单已经",
        "一期项目的",
        "物流降本增效",
        "铁路货运、水运规模",
    ],
)
def test_paragraphs_broken_across_columns_are_joined(
    page_articles: tuple[Article, ...], repaired: str
) -> None:
    assert any(repaired in a.text for a in page_articles)


def test_jump_markers_credits_and_captions_leave_the_body(
    page_articles: tuple[Article, ...],
) -> None:
    for article in page_articles:
        assert "下转" not in article.text
        assert "▶" not in article.text
        assert " 摄" not in article.text
    report = by_title(page_articles, "政府工作报告")
    assert not report.text.startswith("在株洲市第十六届")  # the photo caption
    assert report.text.startswith("各位代表:")


def test_headline_blocks_give_kicker_subtitle_and_byline(
    page_articles: tuple[Article, ...],
) -> None:
    logistics = by_title(page_articles, TITLES[1])
    assert logistics.kicker == "曹慧泉在物流高质量发展座谈会上强调"
    assert logistics.subtitle == "陈恢清出席并讲话"
    assert logistics.byline == "株洲日报(全媒体记者/周菁)"
    assert logistics.dateline == "1月15日"
    assert logistics.text.startswith("1月15日,市委书记曹慧泉主持召开")
    report = by_title(page_articles, "政府工作报告")
    assert report.subtitle.startswith("——2025年12月24日在株洲市第十六届")
    assert report.byline == "株洲市人民政府市长 陈恢清"
    xinhua = by_title(page_articles, TITLES[0])
    assert xinhua.dateline == "新华社北京1月15日电"
    assert xinhua.byline == "新华社"
    assert xinhua.text.startswith("1月16日出版的第2期《求是》")


def test_section_headings_stay_their_own_paragraph(page_articles: tuple[Article, ...]) -> None:
    report = by_title(page_articles, "政府工作报告")
    assert "\n一、2025年及“十四五”时期工作回顾\n" in report.text


def test_page_date_is_inferred_from_datelines_and_the_printed_full_date(
    page_articles: tuple[Article, ...],
) -> None:
    # Latest dateline 1月15日, placed after the report's 2025年12月24日 → 2026-01-15.
    assert {a.published_at for a in page_articles} == {"2026-01-15"}
    assert {a.source for a in page_articles} == {"株洲日报"}


def test_explicit_date_and_publisher_win() -> None:
    articles = read_articles([PAGE], date="2026-01-16", source="株洲日报社").articles
    assert {a.published_at for a in articles} == {"2026-01-16"}
    assert {a.source for a in articles} == {"株洲日报社"}


def test_article_ids_are_stable_content_hashes(page_articles: tuple[Article, ...]) -> None:
    again = read_articles([PAGE]).articles
    assert [a.id for a in again] == [a.id for a in page_articles]
    assert len({a.id for a in page_articles}) == 8
    assert all(len(a.id) == 16 for a in page_articles)


def test_page_without_dateline_asks_for_date(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text("某地新闻标题\n\n正文第一句。第二句。\n", encoding="utf-8")
    with pytest.raises(InputError, match="--date"):
        read_articles([page])
    articles = read_articles([page], date="2024-03-01").articles
    assert articles[0].title == "某地新闻标题"
    assert articles[0].published_at == "2024-03-01"


def test_text_before_any_headline_is_reported_with_its_line(tmp_path: Path) -> None:
    text = "这是一个很长的句子,没有标题,直接开始了正文。\n"
    with pytest.raises(InputError) as info:
        parse_page(text, tmp_path / "x.txt", date=None)
    assert info.value.line == 1


def test_the_printed_text_is_kept_and_matched_normalised(tmp_path: Path) -> None:
    page = tmp_path / "fullwidth.txt"
    page.write_text(
        "标题一\n\n株洲日报（记者／张三）\u3000１月２日，某事发生\u200b了。\n", encoding="utf-8"
    )
    (article,) = read_articles([page], date="2026-01-02").articles
    # printed: only the zero-width space is gone; matched: NFKC
    assert article.text == "１月２日，某事发生了。"
    assert article.matched.text == "1月2日,某事发生了。"
    assert article.byline == "株洲日报（记者／张三）"
    assert article.dateline == "１月２日"
