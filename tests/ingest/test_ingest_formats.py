from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from qa.errors import InputError, UsageError
from qa.ingest import article_id, detect_format, parse_published_at, read_articles
from tests.conftest import CRUD_CORPUS


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows)
        + "\n",
        encoding="utf-8",
    )
    return path


def test_jsonl_articles(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "title": "标题",
                "text": "正文一。\n\n正文二。",
                "published_at": "2024-05-06 07:08",
                "source": "某报",
                "url": "https://example.org/1",
            },
            {"id": "custom-1", "title": "T2", "text": "Text two."},
        ],
    )
    first, second = read_articles([source]).articles
    assert first.text == "正文一。\n正文二。"
    assert first.published_at == "2024-05-06T07:08:00"
    assert first.id == article_id("标题", "正文一。\n正文二。")
    assert (first.source, first.url) == ("某报", "https://example.org/1")
    assert first.origin == f"{source}:1"
    assert second.id == "custom-1"
    assert second.published_at is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"title": "t"}', "missing required field 'text'"),
        ('{"text": "t"}', "missing required field 'title'"),
        ('{"title": "t", "text": 5}', "field 'text' must be a string"),
        ('{"title": "t", "text": "  "}', "field 'text' is empty"),
        ('{"title": "t", "text": "x", "published_at": "yesterday"}', "unrecognised date"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_bad_jsonl_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    source = write_jsonl(tmp_path / "bad.jsonl", [{"title": "ok", "text": "ok。"}, line])
    with pytest.raises(InputError, match=message) as info:
        read_articles([source])
    assert info.value.line == 2
    assert str(source) in str(info.value)


def test_skip_bad_counts_and_keeps_the_good_lines(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"title": "a", "text": "一。"},
            "{oops",
            {"title": "b"},
            {"title": "c", "text": "三。"},
        ],
    )
    result = read_articles([source], skip_bad=True)
    assert [a.title for a in result.articles] == ["a", "c"]
    assert [(p.line, p.message.split(" ")[0]) for p in result.problems] == [
        (2, "not"),
        (3, "missing"),
    ]


def test_duplicate_articles_are_dropped_and_counted(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "dup.jsonl", [{"title": "a", "text": "一。"}] * 3)
    result = read_articles([source])
    assert len(result.articles) == 1
    assert result.duplicates == 2


def test_empty_binary_and_gbk_files_are_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="file is empty"):
        read_articles([empty])
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="binary"):
        read_articles([binary])
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("标题\n\n正文。\n第二行是中文。".encode("gbk"))
    with pytest.raises(InputError, match="GB18030") as info:
        read_articles([gbk])
    assert info.value.line == 1


def test_skip_bad_skips_whole_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    good = write_jsonl(tmp_path / "good.jsonl", [{"title": "a", "text": "一。"}])
    result = read_articles([bad, good], skip_bad=True)
    assert len(result.articles) == 1
    assert "binary" in result.problems[0].message


def test_missing_source_and_bad_options(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_articles([tmp_path / "nope.txt"])
    good = write_jsonl(tmp_path / "g.jsonl", [{"title": "a", "text": "一。"}])
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        read_articles([good], date="15/01/2026")
    with pytest.raises(UsageError, match="unknown format"):
        read_articles([good], fmt="xml")  # type: ignore[arg-type]


CRUD_LINES = [
    "2023-08-16 18:24:57，正文：第一篇新闻正文。还有第二句。",
    "[ 2023-07-28 16：40 ] ，正文：人民网柏林7月28日电 第二篇。",
    "发布时间：2023-08-02 08:46:43，正文：第三篇。",
    "08/16  13:50，正文：第四篇只有月日。",
    "2023年08月03日 10:11:12 来自北京市，正文：第五篇。",
    "来源：央视网  |  2023年07月21日 09:08:07，正文：第六篇。",
    "，正文：第七篇没有日期。",
]


def test_crud_lines_give_dates_sources_and_titles(tmp_path: Path) -> None:
    source = tmp_path / "crud.txt.gz"
    source.write_bytes(gzip.compress("\n".join(CRUD_LINES).encode()))
    articles = read_articles([source]).articles
    assert [a.published_at for a in articles] == [
        "2023-08-16T18:24:57",
        "2023-07-28T16:40:00",
        "2023-08-02T08:46:43",
        "2023-08-16T13:50:00",
        "2023-08-03T10:11:12",
        "2023-07-21T09:08:07",
        None,
    ]
    assert articles[0].title == "第一篇新闻正文。"
    assert articles[0].text == "第一篇新闻正文。还有第二句。"
    assert articles[5].source == "央视网"
    assert articles[0].source == "CRUD-RAG news 2023"


def test_crud_line_without_body_marker_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "crud.txt"
    source.write_text(CRUD_LINES[0] + "\n2023-08-16 没有正文标记\n", encoding="utf-8")
    with pytest.raises(InputError, match="正文") as info:
        read_articles([source], fmt="crud")
    assert info.value.line == 2


def test_format_detection(tmp_path: Path) -> None:
    assert detect_format(tmp_path / "x.jsonl", "{}") == "jsonl"
    assert detect_format(tmp_path / "x.jsonl.gz", "{}") == "jsonl"
    assert detect_format(tmp_path / "x.txt.gz", CRUD_LINES[0]) == "crud"
    assert detect_format(tmp_path / "x.txt", "标题\n正文。") == "page"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-15", "2026-01-15"),
        ("2026/1/5 7:08", "2026-01-05T07:08:00"),
        ("2026年1月15日", "2026-01-15"),
        ("2023-08-16T18:24:57Z", "2023-08-16T18:24:57"),
    ],
)
def test_published_at_is_normalised(value: str, expected: str) -> None:
    assert parse_published_at(value) == expected


@pytest.mark.parametrize("value", ["2026-02-30", "tomorrow", "2026-01-15 25:00"])
def test_impossible_dates_are_rejected(value: str) -> None:
    with pytest.raises(ValueError, match=r"date|time"):
        parse_published_at(value)


@pytest.mark.skipif(
    not CRUD_CORPUS.exists(), reason="the shared news corpus is not on this machine"
)
def test_real_crud_corpus_sample_parses() -> None:
    result = read_articles([CRUD_CORPUS], limit=2000)
    assert len(result.articles) == 2000
    dated = sum(a.published_at is not None for a in result.articles)
    assert dated / len(result.articles) > 0.85
    assert all(a.text and a.title for a in result.articles)
