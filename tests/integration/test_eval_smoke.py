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
