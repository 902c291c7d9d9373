"""A small benchmark run end to end (the CI smoke subset)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.__main__ import main

pytestmark = pytest.mark.integration


def test_eval_smoke(e5_page_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    report = tmp_path / "report"
    code = main(
        [
            "--index",
            str(e5_page_index),
            "--limit",
            "24",
            "--json",
            str(out),
            "--report",
            str(report),
        ]
    )
    assert code == 0
    run = json.loads(out.read_text())
    hybrid = run["summaries"]["hybrid"]
    assert hybrid["answerable"] > 15
    assert hybrid["evidence_recall@5"] >= 0.8
    assert hybrid["em"] >= 30  # measured 36.4 on these 24 questions
    assert {r["mode"] for r in run["results"]} == {"hybrid", "bm25", "dense"}
    assert (report / "report.md").read_text().startswith("# end to end")
    assert (report / "report.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", ["xquad.zh", "cmrc2018_trial"])
def test_reader_predictions_score_as_the_official_script_scores_them(
    tmp_path: Path, name: str
) -> None:
    """The real reader's predictions, question by question: our EM/F1 equal the official
    script's (eval/cmrc2018_official.py), and the predictions are printed characters."""
    from eval import cmrc2018_official as official
    from qa.scoring import cmrc_em, cmrc_f1
    from tests.conftest import SHARED_DATA

    dataset = SHARED_DATA / "qa-train" / f"{name}.json"
    if not dataset.exists():
        pytest.skip(f"{dataset} is not here (the shared data)")
    out, predictions = tmp_path / "run.json", tmp_path / "pred.json"
    assert main(["--mode", "reader", "--dataset", str(dataset), "--limit", "60",
                 "--json", str(out), "--predictions", str(predictions)]) == 0  # fmt: skip
    results = json.loads(out.read_text())["results"]
    truth = json.loads(dataset.read_text(encoding="utf-8"))
    never = predictions.with_suffix(".never-abstaining.json")
    for path, field in ((predictions, "prediction"), (never, "raw_prediction")):
        scores = official.per_question(truth, json.loads(path.read_text(encoding="utf-8")))
        for r in results:
            prediction = r[field]
            ours = (cmrc_f1(prediction, r["answers"]), cmrc_em(prediction, r["answers"]))
            assert scores[r["id"]] == pytest.approx(ours), (r["id"], prediction, r["answers"])
            if field == "prediction":
                assert ours == pytest.approx((r["f1"], r["em"]))  # what the benchmark reports
    contexts = {p["context"] for d in truth["data"] for p in d["paragraphs"]}
    given = [r["raw_prediction"] for r in results if r["raw_prediction"]]
    assert all(any(g in c for c in contexts) for g in given)  # verbatim spans of the contexts
