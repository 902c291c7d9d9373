"""The 核查 / Fact check tab and the /check API, in a real headless Chromium."""

from __future__ import annotations

import pytest

from tests.browser.test_web_chat import page  # noqa: F401  (the fixture: network closed)

pytestmark = pytest.mark.browser


def check(page, text: str) -> None:  # noqa: F811
    page.click("button[role='tab']:has-text('核查')")
    page.fill("#claim textarea", text)
    page.click("#check")
    page.wait_for_function(
        "document.querySelectorAll('#verdicts .qa-check, #verdicts .qa-error').length > 0",
        timeout=60_000,
    )


def test_a_paragraph_gets_a_verdict_per_statement_with_the_differing_value(page) -> None:  # noqa: F811
    check(page, "2025年株洲全社会物流总费用与GDP的比率为13.5%，节约社会物流成本约20亿元。")
    rows = page.locator("#verdicts .qa-check-row")
    assert rows.count() == 2
    assert "属实 / Supported" in rows.nth(0).inner_text()
    second = rows.nth(1)
    assert "不符 / Contradicted" in second.inner_text()
    assert second.locator(".qa-evidence mark.qa-value-differs").inner_text() == "近12亿元"
    assert "约20亿元" in second.locator(".qa-claimed").inner_text()
    assert "持续优化物流产业生态" in second.locator(".qa-evidence .qa-meta").inner_text()
    assert page.outside_requests == []


def test_hostile_text_in_claims_and_articles_shows_as_typed(page) -> None:  # noqa: F811
    claim = "恶意测试项目投资额为5亿元。<script>window.__pwned='claim'</script> O'Brien's \"引号\""
    check(page, claim)
    table = page.locator("#verdicts")
    text = table.inner_text()
    assert "不符 / Contradicted" in table.locator(".qa-check-row").first.inner_text()
    assert "<script>window.__pwned='claim'</script>" in text  # the claim, as typed
    assert "<script>window.__pwned='title'</script>" in text  # the article's title, as printed
    assert "测试<b>来源</b>" in text
    assert "O'Brien's \"引号\"" in text and "&#" not in text and "&amp;" not in text
    assert page.evaluate("window.__pwned") is None
    assert table.locator("script, img, a[href^='javascript']").count() == 0
    assert page.outside_requests == []


def test_an_empty_draft_says_what_to_do(page) -> None:  # noqa: F811
    check(page, "   ")
    assert "empty" in page.inner_text("#verdicts .qa-error")


def test_the_check_api_returns_the_cli_json(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    result = client.predict("2025年株洲节约社会物流成本约20亿元。", 5, api_name="/check")
    (verdict,) = result["verdicts"]
    assert verdict["verdict"] == "contradicted"
    assert {"statement", "start", "end", "note", "evidence", "alignments", "score"} <= set(verdict)
    evidence = verdict["evidence"]
    assert {"article_id", "title", "published_at", "source", "start", "end", "quote"} <= set(
        evidence
    )
    wrong = [a for a in verdict["alignments"] if not a["agrees"]]
    assert wrong[0]["printed"] == "近12亿元"
    offset = wrong[0]["start"] - evidence["start"]
    assert evidence["quote"][offset:].startswith("近12亿元")
