"""The Gradio API endpoint returns the JSON object of `qa ask --json`."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_api_matches_the_cli_json(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    result = client.predict("湘赣边数字贸易总部中心的出资额是多少?", [], 5, api_name="/ask")
    assert result["answer"] == "5000万元" and result["abstained"] is False
    assert {"question", "answer", "abstained", "confidence", "citations", "timings_ms"} <= set(
        result
    )
    citation = result["citations"][0]
    assert citation["quote"][citation["answer_start"] - citation["start"] :].startswith("5000万元")
    follow = client.predict(
        "那高端铝基材料产业化项目呢?",
        [{"question": "湘赣边数字贸易总部中心的出资额是多少?", "answer": "5000万元"}],
        5,
        api_name="/ask",
    )
    assert follow["interpreted_as"] != follow["question"]
