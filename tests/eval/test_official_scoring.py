"""Our EM/F1 (qa.scoring, through the benchmark) against the official CMRC 2018 rules
(eval/cmrc2018_official.py), question by question, on both public sets."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import pytest

from eval import cmrc2018_official as official
from eval.datasets import load_squad
from eval.runner import score_answer
from tests.conftest import SHARED_DATA

PUBLIC_SETS = [SHARED_DATA / "qa-train" / "xquad.zh.json",
               SHARED_DATA / "qa-train" / "cmrc2018_trial.json"]  # fmt: skip


def _predictions(path: Path) -> dict[str, str]:
    """Predictions of every kind a reader makes, chosen per question by its id: the gold
    span, the gold in NFKC (ASCII brackets), one character more or less, a stretch of the
    context, nothing, and the gold with stray spaces and capitals."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    predictions = {}
    for document in data:
        for paragraph in document["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                gold = qa["answers"][0]["text"] if qa["answers"] else ""
                at = max(0, context.find(gold))
                kind = int(hashlib.sha256(str(qa["id"]).encode()).hexdigest(), 16) % 8
                predictions[str(qa["id"])] = [
                    gold,
                    unicodedata.normalize("NFKC", gold),
                    context[at : at + len(gold) + 1],
                    gold[:-1],
                    context[at + 3 : at + 3 + (kind + 1) * 4],
                    "",
                    f" {gold.upper()} ",
                    context[max(0, at - 5) : at + len(gold)],
                ][kind]
    return predictions


@pytest.mark.parametrize("path", PUBLIC_SETS, ids=lambda p: p.stem)
def test_our_scores_are_the_official_ones_question_by_question(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared data)")
    predictions = _predictions(path)
    truth = official.per_question(json.loads(path.read_text(encoding="utf-8")), predictions)
    items = load_squad(path).items
    assert len(items) == len(truth) > 1000
    disagree = []
    for item in items:
        em, f1 = score_answer(predictions[item.id] or None, item)
        official_f1, official_em = truth[item.id]
        if em != official_em or f1 != pytest.approx(official_f1, abs=1e-9):
            disagree.append((item.id, predictions[item.id], item.answers, em, official_em))
    assert disagree == []
    # the NFKC'd gold is the bias the official script does not have: it must cost EM
    nfkc_misses = [
        item.id for item in items
        if predictions[item.id] == unicodedata.normalize("NFKC", item.answers[0])
        != item.answers[0] and truth[item.id][1] == 0.0
    ]  # fmt: skip
    assert nfkc_misses


def test_the_official_summary_counts_a_missing_prediction_as_zero() -> None:
    truth = {"data": [{"paragraphs": [{"context": "甲乙丙", "qas": [
        {"id": "1", "question": "?", "answers": [{"text": "甲乙"}]},
        {"id": "2", "question": "?", "answers": [{"text": "（丙）"}]},
    ]}]}]}  # fmt: skip
    summary = official.evaluate(truth, {"2": "(丙)"})
    assert (summary["TOTAL"], summary["SKIP"], summary["EM"]) == (2, 1, 0.0)
    assert official.evaluate(truth, {"1": "甲乙", "2": "丙"})["EM"] == 100.0


def test_reader_mode_can_score_a_listed_slice_of_paragraphs(tmp_path: Path) -> None:
    from qa.reading.train import paragraph_ids

    data = {"data": [{"title": "t", "paragraphs": [
        {"id": pid, "context": f"{pid}的答案是甲。", "qas": [
            {"id": f"{pid}_QUERY_0", "question": "答案是什么?",
             "answers": [{"text": "甲", "answer_start": len(pid) + 4}]}]}
        for pid in ("TRAIN_1", "TRAIN_2", "TRAIN_3")]}]}  # fmt: skip
    path = tmp_path / "train.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    listing = tmp_path / "slice.tsv"
    listing.write_text("# paragraph_id\nTRAIN_3\nTRAIN_1\t0\n", encoding="utf-8")
    squad = load_squad(path, paragraphs=paragraph_ids(listing))
    assert sorted(item.id for item in squad.items) == ["TRAIN_1_QUERY_0", "TRAIN_3_QUERY_0"]
    assert len(squad.articles) == 2
