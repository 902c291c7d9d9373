from __future__ import annotations

import numpy as np

from qa.lexical import Bm25Params, LexicalIndex, analyze

DOCS = [
    "2025年,株洲全社会物流总费用与GDP的比率为13.5%,节约社会物流成本近12亿元。",
    "湘赣边数字贸易总部中心项目由大龙网集团和沐水集团共同出资打造,出资额为5000万元。",
    "高端铝基材料产业化项目签约落户炎陵高新区,项目总投资约5.1亿元。",
    "",
]


def test_analyzer_drops_question_words_and_punctuation() -> None:
    tokens = analyze("株洲节约了多少社会物流成本?")
    assert "多少" not in tokens and "?" not in tokens and "了" not in tokens
    assert {"株洲", "节约", "物流", "成本"} <= set(tokens)
    assert analyze("Zhuzhou LOGISTICS") == ["zhuzhou", "logistics"]


def test_bigram_analyzer_adds_character_pairs() -> None:
    tokens = analyze("房票1400多张", "jieba+bigram")
    assert "#房票" in tokens


def test_search_ranks_the_matching_document_first() -> None:
    index = LexicalIndex.build(DOCS, Bm25Params())
    rows, scores = index.search("湘赣边数字贸易总部中心的出资额是多少?", 3)
    assert rows[0] == 1
    assert list(scores) == sorted(scores, reverse=True)
    assert index.search("完全无关的词语", 3)[0].size == 0
    rows, _ = index.search("株洲 物流", 3, allowed=np.array([False, True, True, True]))
    assert 0 not in rows


def test_extending_and_dropping_equal_a_fresh_build() -> None:
    grown = LexicalIndex.build(DOCS[:2], Bm25Params()).extended(DOCS[2:])
    fresh = LexicalIndex.build(DOCS, Bm25Params())
    for query in ["物流成本", "炎陵 投资", "出资额"]:
        assert np.allclose(grown.scores(query), fresh.scores(query))
    keep = np.array([True, False, True, True])
    dropped = fresh.kept(keep)
    rebuilt = LexicalIndex.build([d for d, k in zip(DOCS, keep, strict=True) if k], Bm25Params())
    for query in ["物流成本", "炎陵 投资"]:
        assert np.allclose(dropped.scores(query), rebuilt.scores(query))
