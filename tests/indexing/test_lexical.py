from __future__ import annotations

import numpy as np
import pytest

from qa.indexing.lexical import Bm25Params, LexicalIndex
from qa.reading.coverage import QuestionCoverage
from qa.reading.fast import idf_table
from qa.retrieval.crosslingual import EnglishExpander, _syllable_chars, pinyin_segmentations
from qa.tokens import analyze

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


PLACES = "株洲 醴陵 炎陵 湘潭 长沙 攸县 茶陵 株洲市 渌口 天元区 石峰 荷塘 芦淞 珠洲 朱州"


def test_term_lookup_finds_every_term_and_nothing_else() -> None:
    index = LexicalIndex.build([*DOCS, PLACES], Bm25Params())
    for term_id, term in enumerate(index.vocab):
        assert index.term_id(term) == term_id
    assert index.term_id("不在词表里的词") is None
    assert "株洲" in index and "zzz" not in index


def test_a_loaded_index_answers_without_reading_its_word_list(tmp_path) -> None:
    built = LexicalIndex.build([*DOCS, PLACES], Bm25Params())
    built.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25", Bm25Params())
    for query in ["株洲 物流成本", "炎陵 投资", "醴陵", "无关"]:
        assert np.allclose(loaded.scores(query), built.scores(query))
    assert list(loaded.short_words) == list(built.short_words)
    assert loaded.idf()["株洲"] == built.idf()["株洲"]
    assert loaded._vocab is None  # served from the hash lookup and memory-mapped arrays
    assert loaded.vocab == built.vocab  # still there for writers


def test_term_idf_equals_the_idf_table() -> None:
    index = LexicalIndex.build([*DOCS, PLACES], Bm25Params())
    table = idf_table(index.document_frequencies(), index.size)
    idf = index.idf()
    assert dict(idf.items()) == pytest.approx(table)
    assert idf.highest() == pytest.approx(max(table.values()))
    assert QuestionCoverage(idf).default_idf == QuestionCoverage(table).default_idf


def _pinyin_terms_by_prefix_set(vocab: list[str], word: str) -> list[str]:
    """The expander's pinyin search as first written: a set of every short word's prefixes."""
    syllables = _syllable_chars()
    names = [w for w in vocab if 2 <= len(w) <= 4 and "\u3400" <= w[0] <= "\u9fff"]
    prefixes = {w[:i] for w in names for i in range(1, len(w) + 1)}
    found: list[str] = []
    for segmentation in pinyin_segmentations(word):
        if not 2 <= len(segmentation) <= 4:
            continue
        partial = [""]
        for syllable in segmentation:
            partial = [p + c for p in partial for c in syllables[syllable] if p + c in prefixes]
        found.extend(sorted(c for c in partial if c in vocab and c not in found))
    return found


def test_pinyin_matching_by_sorted_short_words_equals_the_prefix_set() -> None:
    index = LexicalIndex.build([*DOCS, PLACES], Bm25Params())
    expander = EnglishExpander(index.__contains__, index.short_words)
    for word in ["zhuzhou", "liling", "yanling", "xiangtan", "changsha", "youxian", "chaling",
                 "tianyuan", "lukou", "shifeng", "hetang", "lusong", "beijing"]:  # fmt: skip
        assert expander._pinyin_terms(word) == _pinyin_terms_by_prefix_set(index.vocab, word)[:3]
    assert set(expander._pinyin_terms("zhuzhou")) >= {"株洲"}
    assert expander.expand("Where is Liling?").terms == ("醴陵",)


def test_an_english_word_takes_the_renderings_the_archive_uses_most() -> None:
    # CC-CEDICT lists "company" as 行号, 连队, 企业, 公司 (in that order); a newsroom
    # archive means 公司 or 企业, and says so by how often it uses each.
    docs = ["连队出发了。", "行号开张了。", *["企业投产了。"] * 3, *["公司上市了。"] * 5]
    index = LexicalIndex.build(docs, Bm25Params())
    assert index.frequency("公司") == 5 and index.frequency("没有的词") == 0
    ranked = EnglishExpander(index.__contains__, index.short_words, index.frequency)
    assert ranked.expand("Which company?").terms == ("公司", "企业", "行号")
    unranked = EnglishExpander(index.__contains__, index.short_words)
    assert unranked.expand("Which company?").terms == ("行号", "连队", "企业")


def _bm25s_scores(index: LexicalIndex, query: str) -> np.ndarray:
    """The oracle: bm25s (Lucene variant) indexed from the same token ids."""
    import bm25s

    oracle = bm25s.BM25(k1=index.params.k1, b=index.params.b, method="lucene")
    rows = [index.token_ids[index.offsets[i] : index.offsets[i + 1]].tolist()
            for i in range(index.size)]  # fmt: skip
    empty = len(index.vocab)  # bm25s refuses empty documents: give them a term of their own
    vocab = {term: i for i, term in enumerate(index.vocab)} | {"": empty}
    oracle.index(([r or [empty] for r in rows], vocab), show_progress=False)
    ids = [index.term_id(t) for t in analyze(query, index.params.analyzer)]
    known = [i for i in ids if i is not None]
    return oracle.get_scores(known) if known else np.zeros(index.size, np.float32)


@pytest.mark.parametrize("params", [Bm25Params(), Bm25Params("jieba", k1=0.9, b=0.4)])
def test_scores_equal_bm25s(params: Bm25Params, tmp_path) -> None:
    texts = [*DOCS, PLACES, "株洲 株洲 株洲 物流", "物流"]  # an empty row, repeated terms
    index = LexicalIndex.build(texts, params)
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25", params)
    for query in ["株洲 物流成本", "炎陵 投资 炎陵", "醴陵", "出资额是多少", "无关"]:
        expected = _bm25s_scores(index, query)
        assert np.allclose(index.scores(query), expected, rtol=1e-5, atol=1e-6)
        assert np.allclose(loaded.scores(query), expected, rtol=1e-5, atol=1e-6)
    assert index.document_frequency()[index.term_id("物流")] == 3


def test_many_terms_are_looked_up_as_one_by_one() -> None:
    index = LexicalIndex.build(DOCS, Bm25Params())
    terms = [*index.vocab[:20], "没有的词", "absent", index.vocab[-1], ""]
    lookup = index.lookup
    assert lookup.get_many(terms) == [lookup.get(t) for t in terms]
    assert lookup.get_many([]) == []
    empty = LexicalIndex.build([""], Bm25Params()).lookup
    assert empty.get_many(["株洲"]) == [None]
