"""The fact-check benchmark's data and scoring (eval.checking)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from eval.checking import (
    CLAIM_SPLITS,
    ClaimResult,
    check_metrics,
    generated_claims,
    load_claims,
    verdict_of,
)
from qa.errors import InputError
from qa.textnorm import clean_line
from qa.types import Article, CheckReport, Verdict
from tests.conftest import PAGE


def _as_printed(text: str) -> str:
    return "".join(clean_line(line) for line in text.splitlines())


def test_the_page_claim_sets_are_whole_and_checked_against_the_page() -> None:
    page = _as_printed(PAGE.read_text("utf-8"))
    parts = {split: load_claims(path) for split, path in CLAIM_SPLITS.items()}
    assert sum(len(items) for items in parts.values()) >= 150
    titles = {line.strip() for line in PAGE.read_text("utf-8").splitlines()}
    for items in parts.values():
        assert {i.label for i in items} == {"supported", "contradicted", "not_found"}
        assert {i.lang for i in items} == {"zh", "en"}
        kinds = {i.kind for i in items}
        assert {"amount", "date", "name", "qualifier", "unit", "percent_point"} <= kinds
        assert {"other_scope", "absent", "supported_qualifier"} <= kinds
        for item in items:
            if item.label == "not_found":
                assert item.evidence is None
                continue
            assert item.evidence and item.evidence in page, item.id
            assert item.article_value and item.article_value in item.evidence, item.id
            assert item.article_title and item.article_title.split(" ")[0] in "".join(titles)
    assert len({i.article_title for i in parts["test"]}) == 8
    # the two parts were written apart: no claim is in both
    assert not {i.claim for i in parts["dev"]} & {i.claim for i in parts["test"]}


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    good = {"id": "a", "claim": "株洲节约近12亿元。", "lang": "zh", "label": "supported",
            "kind": "supported"}  # fmt: skip
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "label": "true"}) + "\n")
    with pytest.raises(InputError, match=r"claims.jsonl:2: label 'true'"):
        load_claims(path)
    path.write_text("{not json\n")
    with pytest.raises(InputError, match=r"claims.jsonl:1"):
        load_claims(path)


def _report(*verdicts: str) -> CheckReport:
    return CheckReport("x", tuple(Verdict("x", 0, 1, v, "", None, (), 0.0) for v in verdicts), {})


def test_a_claim_of_several_statements_gets_one_verdict() -> None:
    assert verdict_of(_report("supported", "contradicted")) == "contradicted"
    assert verdict_of(_report("supported", "supported")) == "supported"
    assert verdict_of(_report("supported", "not_found")) == "not_found"
    assert verdict_of(_report()) == "not_found"


def _result(label: str, predicted: str) -> ClaimResult:
    return ClaimResult("id", "zh", "amount", label, predicted, 1, 10.0, True, None, "")


def test_scores_against_a_hand_count() -> None:
    results = [_result("supported", "supported")] * 3 + [
        _result("supported", "not_found"),
        _result("contradicted", "contradicted"),
        _result("contradicted", "supported"),
        _result("not_found", "not_found"),
    ]
    figures = check_metrics(results)
    supported = figures["per_verdict"]["supported"]
    assert supported["precision"] == pytest.approx(3 / 4) and supported["recall"] == 3 / 4
    contradicted = figures["per_verdict"]["contradicted"]
    assert (contradicted["precision"], contradicted["recall"]) == (1.0, 0.5)
    found = figures["per_verdict"]["not_found"]
    assert (found["precision"], found["recall"]) == (0.5, 1.0)
    f1s = [0.75, 2 / 3, 2 / 3]
    assert figures["macro_f1"] == pytest.approx(sum(f1s) / 3)
    assert figures["confusion"] == [[3, 0, 1], [1, 1, 0], [0, 0, 1]]


def test_generated_claims_change_one_value_or_come_from_outside() -> None:
    def article(n: int) -> Article:
        text = (f"第{n}家企业今年共完成投资{n + 12}亿元,同比增长{n}%以上。"
                f"该县去年新增就业岗位{100 + n}个,创历史新高。")  # fmt: skip
        return Article(f"a{n}", f"标题{n}", text)

    inside, outside = [article(n) for n in range(20)], [article(n) for n in range(20, 30)]
    claims = generated_claims(inside, outside, 5)
    by_label = {label: [c for c in claims if c.label == label] for label in
                ("supported", "contradicted", "not_found")}  # fmt: skip
    assert {k: len(v) for k, v in by_label.items()} == {k: 5 for k in by_label}
    texts = {a.text for a in inside}
    assert all(any(c.claim in t for t in texts) for c in by_label["supported"])
    assert not any(any(c.claim in t for t in texts) for c in by_label["contradicted"])
    assert all(any(c.claim in a.text for a in outside) for c in by_label["not_found"])
    assert generated_claims(inside, outside, 5) == claims  # seeded


def test_a_right_verdict_is_checked_against_the_gold_evidence() -> None:
    from eval.checking import ClaimItem, _agrees_with_gold
    from qa.types import Citation

    def said(verdict: str, quote: str) -> CheckReport:
        cited = Citation(1, "a", "t", None, "s", "c", 0, len(quote), quote)
        return CheckReport("x", (Verdict("x", 0, 1, verdict, "", cited, (), 0.0),), {})

    gold = "该项目自去年5月28日签约以来"
    item = ClaimItem("id", "claim", "zh", "contradicted", "date", None, gold)
    right = said("contradicted", "该项目自去年5月28日签约以来,已实现进出口总额2100万元的外贸佳绩。")
    wrong = said("contradicted", "1月14日上午,湘赣边数字贸易总部中心运营启动仪式在茶陵举行。")
    assert _agrees_with_gold(item, right) is True
    assert _agrees_with_gold(item, wrong) is False
    # a wrong verdict, or not_found, is not judged
    assert _agrees_with_gold(item, said("supported", "该项目自去年5月28日签约以来")) is None
    figures = check_metrics([replace(_result("contradicted", "contradicted"),
                                     evidence_agrees=True),
                             _result("supported", "not_found")])  # fmt: skip
    assert (figures["evidence_agrees"], figures["evidence_judged"]) == (1, 1)
