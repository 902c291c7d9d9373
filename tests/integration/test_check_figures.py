"""The fact-check benchmark on the real encoder: the README's figures, within a tolerance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.__main__ import main

pytestmark = pytest.mark.integration

PUBLISHED = {"test": (0.889, 0.973), "dev": (0.883, 0.992)}
"""README, "Fact checks": (macro-F1, contradicted precision) of each part over the page."""
TOLERANCE = 0.03


def test_the_page_claims_score_as_published(e5_page_index: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "check.json", tmp_path / "report"
    code = main(["--mode", "check", "--index", str(e5_page_index), "--json", str(out),
                 "--report", str(report)])  # fmt: skip
    assert code == 0
    test, dev = json.loads(out.read_text())["check_runs"]
    for part, (macro_f1, precision) in zip((test, dev), PUBLISHED.values(), strict=True):
        figures = part["figures"]
        assert figures["evidence_exact"] == figures["n"]
        assert figures["macro_f1"] == pytest.approx(macro_f1, abs=TOLERANCE), part["name"]
        contradicted = figures["per_verdict"]["contradicted"]["precision"]
        assert contradicted == pytest.approx(precision, abs=TOLERANCE), part["name"]
    assert (report / "check.png").stat().st_size > 10_000
