"""A draft cut into statements (qa.checking.claims)."""

from __future__ import annotations

import pytest

from qa.checking.claims import MAX_CHECK_CHARS, clean_claim, split_statements


def test_clauses_with_their_own_values_are_statements_that_keep_the_sentences_scope() -> None:
    text = "2025年株洲全社会物流总费用与GDP的比率为13.5%,节约社会物流成本约20亿元。"
    first, second = split_statements(text)
    assert first.text == "2025年株洲全社会物流总费用与GDP的比率为13.5%"
    assert second.text == "节约社会物流成本约20亿元。"
    assert text[second.start : second.end] == second.text
    assert "2025年" in second.scope and "株洲" in second.scope
    assert second.query.startswith(second.scope)


def test_a_clause_that_only_dates_the_sentence_is_not_a_statement_of_its_own() -> None:
    (statement,) = split_statements("2025年,株洲全社会物流总费用占GDP的比率为百分之十三点五。")
    assert statement.text.startswith("2025年")


def test_a_clause_without_a_value_stays_with_the_statement_before_it() -> None:
    statements = split_statements(
        "项目总投资约5.1亿元,由佛山市银正机械设备有限公司投资,新增就业岗位50个。"
    )
    assert [s.text for s in statements] == [
        "项目总投资约5.1亿元,由佛山市银正机械设备有限公司投资",
        "新增就业岗位50个。",
    ]


def test_english_sentences_end_at_stops_but_not_at_abbreviations() -> None:
    text = "Zhuzhou saved about 2 billion yuan in 2025. It grew 5.7% in Jan. 2026. U.S. firms paid."
    statements = split_statements(text)
    assert [s.text for s in statements] == [
        "Zhuzhou saved about 2 billion yuan in 2025.",
        "It grew 5.7% in Jan. 2026.",
        "U.S. firms paid.",
    ]
    assert all(s.english for s in statements)


def test_a_draft_may_mix_the_languages() -> None:
    statements = split_statements("株洲节约社会物流成本近12亿元。Zhuzhou saved 1.2 billion yuan.")
    assert [s.english for s in statements] == [False, True]


def test_bad_input_says_what_to_do() -> None:
    with pytest.raises(ValueError, match="empty"):
        clean_claim(" \u200b ")
    with pytest.raises(ValueError, match=str(MAX_CHECK_CHARS)):
        clean_claim("株" * (MAX_CHECK_CHARS + 1))
    with pytest.raises(ValueError, match="text"):
        clean_claim(None)  # type: ignore[arg-type]
    assert clean_claim("株洲\u200b节约,\n近12亿元") == "株洲节约,\n近12亿元"


def test_a_clause_that_only_names_the_batch_scopes_the_count() -> None:
    (statement,) = split_statements("在第六批湖南省制造业单项冠军企业名单中,石峰区有3家企业入选。")
    assert statement.text.startswith("在第六批")
    # …but ordinals alone still split where nothing else has a value
    assert len(split_statements("去年10月,攸县承办了第二届湖南省油茶节。")) == 1
