from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.cli import main
from qa.indexing.store import read_manifest
from tests.conftest import PAGE


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_build_info_add_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = str(tmp_path / "index")
    code, out, _ = run(
        capsys, "build", "--source", str(PAGE), "--index", index, "--model", "hash", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert (report["articles_total"], report["chunks_total"]) == (8, report["chunks_added"])
    assert report["peak_rss_mb"] > 0

    code, out, err = run(
        capsys, "build", "--source", str(PAGE), "--index", index, "--model", "hash"
    )
    assert code == 1 and "--force" in err

    code, out, _ = run(capsys, "info", "--index", index, "--json", "--articles")
    info = json.loads(out)
    assert code == 0 and info["verification"]["ok"]
    assert info["manifest"]["counts"]["articles"] == 8
    assert info["manifest"]["embedding"]["model"] == "hash:64"
    first = info["articles"][0]["id"]

    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        json.dumps({"title": "新文章", "text": "株洲新增一条新闻。"}, ensure_ascii=False) + "\n"
    )
    code, out, _ = run(capsys, "add", "--source", str(extra), str(PAGE), "--index", index, "--json")
    assert code == 0
    assert json.loads(out)["articles_added"] == 1
    assert json.loads(out)["skipped_existing"] == 8

    code, out, _ = run(capsys, "remove", "--article", first, "--index", index)
    assert code == 0 and "removed 1 articles" in out
    assert read_manifest(Path(index))["counts"]["articles"] == 8


def test_bad_input_leaves_the_index_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "index"
    assert (
        run(capsys, "build", "--source", str(PAGE), "--index", str(index), "--model", "hash")[0]
        == 0
    )
    before = (index / "manifest.json").read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "a", "text": "一。"}\n{"title": "b"}\n', encoding="utf-8")
    code, _, err = run(capsys, "add", "--source", str(bad), "--index", str(index))
    assert code == 1
    assert f"{bad}:2: missing required field 'text'" in err
    code, _, err = run(
        capsys, "build", "--source", str(bad), "--index", str(index), "--force", "--model", "hash"
    )
    assert code == 1 and "Traceback" not in err
    assert (index / "manifest.json").read_bytes() == before
    code, out, err = run(capsys, "add", "--source", str(bad), "--index", str(index), "--skip-bad")
    assert code == 0 and "skipped" in err and "added 1 articles" in out


def test_usage_errors_exit_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "info", "--index", str(tmp_path / "none"))
    assert code == 1 and "python -m qa build" in err
    code, _, err = run(
        capsys,
        "build",
        "--source",
        str(PAGE),
        "--index",
        str(tmp_path / "i"),
        "--model",
        "hash",
        "--chunk-size",
        "100",
        "--chunk-overlap",
        "90",
    )
    assert code == 2 and "overlap" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--format", "xml"])
    assert exit_info.value.code == 2


def test_info_reports_a_corrupt_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = tmp_path / "index"
    run(capsys, "build", "--source", str(PAGE), "--index", str(index), "--model", "hash")
    generation = read_manifest(index)["generation"]
    (index / generation / "articles.jsonl").write_text("{}\n")
    code, out, _ = run(capsys, "info", "--index", str(index), "--json")
    assert code == 1
    assert "ChecksumError" in json.loads(out)["verification"]["problem"]


def test_check_prints_verdicts_or_one_json_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = str(tmp_path / "index")
    assert run(capsys, "build", "--source", str(PAGE), "--index", index, "--model", "hash")[0] == 0
    claim = "2025年株洲全社会物流总费用与GDP的比率为13.5%，节约社会物流成本约20亿元。"
    code, out, _ = run(capsys, "check", claim, "--index", index, "--json")
    assert code == 0
    report = json.loads(out)
    assert [v["verdict"] for v in report["verdicts"]] == ["supported", "contradicted"]
    assert report["verdicts"][1]["evidence"]["quote"].endswith("节约社会物流成本近12亿元。")
    code, out, _ = run(capsys, "check", claim, "--index", index)
    assert code == 0 and "不符 / contradicted" in out and "【近12亿元】" in out
    code, _, err = run(capsys, "check", " ", "--index", index)
    assert code != 0 and "empty" in err
