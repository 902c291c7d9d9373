"""English names and compounds reaching Chinese words (qa.retrieval.crosslingual)."""

from __future__ import annotations

import numpy as np

from qa.indexing.lexical import Bm25Params, LexicalIndex
from qa.retrieval.crosslingual import EnglishExpander, rendered_cover, reverse_cedict, spelled_in
from qa.types import Expansion


def test_a_pinyin_word_is_spelled_inside_longer_words_by_any_reading() -> None:
    assert spelled_in("Jinping", "习近平总书记")  # 近平 inside a three-character name
    assert spelled_in("Chen", "市长陈恢清出席")
    assert spelled_in("Zhangsha", "长沙")  # 长 read zhang, as well as chang
    assert not spelled_in("Xiangtan", "株洲市石峰区培育冠军")
    assert not spelled_in("Liling", "")


def test_a_place_name_reaches_the_word_written_with_its_kind() -> None:
    index = LexicalIndex.build(["石峰区累计培育冠军。"], Bm25Params())
    assert "石峰" not in index  # jieba keeps 石峰区 whole
    expander = EnglishExpander(index.__contains__, index.short_words)
    assert dict(expander.expand("the Shifeng champions").groups)["Shifeng"] == ("石峰区",)


def test_a_hyphenated_compound_is_looked_up_as_the_dictionary_writes_it() -> None:
    # CC-CEDICT glosses 高科技 "high tech"
    index = LexicalIndex.build(["高科技企业投产。"], Bm25Params())
    expander = EnglishExpander(index.__contains__, index.short_words)
    assert "高科技" in expander.expand("a high-tech company").terms


def test_a_chinese_name_written_as_two_english_words_is_read_as_one() -> None:
    index = LexicalIndex.build(["曹慧泉强调,要把准规律。"], Bm25Params())
    assert "曹慧泉" in index  # jieba keeps the name whole
    expander = EnglishExpander(index.__contains__, index.short_words)
    groups = dict(expander.expand("What did Cao Huiquan stress?").groups)
    assert groups["Cao Huiquan"] == ("曹慧泉",)
    # two capitalised words apart in the question are not one name
    assert "Cao Huiquan" not in dict(expander.expand("Cao and Huiquan").groups)


def test_a_gloss_that_starts_with_to_be_renders_the_bare_participle() -> None:
    # CC-CEDICT glosses 当选 "to be elected"
    assert "当选" in reverse_cedict()["elected"]


def test_rendered_cover_counts_each_word_once_whatever_its_terms() -> None:
    texts = ["株洲节约物流成本近12亿元。", "救援救援救援节约节约。", "株洲物流。"]
    index = LexicalIndex.build(texts, Bm25Params())
    expansion = Expansion((("save", ("节约", "救援")), ("logistics", ("物流",)),
                           ("Zhuzhou", ("株洲",))))  # fmt: skip
    rows = np.array([0, 1, 2])
    counts = rendered_cover(expansion, "Did Zhuzhou save 12 on logistics?", rows,
                            index.rows_holding)  # fmt: skip
    # row 0: save, logistics, Zhuzhou and the number 12; row 1: save only, however often
    assert counts.tolist() == [4, 1, 2]
    assert rendered_cover(expansion, "", np.array([2, 0]), index.rows_holding).tolist() == [2, 3]


def test_a_place_name_before_its_kind_is_the_word_with_its_suffix() -> None:
    index = LexicalIndex.build(["石峰区累计培育冠军。", "石峰公园开放。"], Bm25Params())
    expander = EnglishExpander(index.__contains__, index.short_words, index.frequency,
                               index.rows_holding)  # fmt: skip
    assert dict(expander.expand("Shifeng District champions").groups)["Shifeng District"] == (
        "石峰区",
    )


def test_a_names_readings_are_ranked_by_the_questions_other_words() -> None:
    # 适逢 is the commoner word; the chunk that also says 冠军 holds 石峰区
    texts = ["适逢佳节。"] * 5 + ["石峰区培育冠军。"]
    index = LexicalIndex.build(texts, Bm25Params())
    question = "Which champions did Shifeng cultivate?"
    by_frequency = EnglishExpander(index.__contains__, index.short_words, index.frequency)
    assert dict(by_frequency.expand(question).groups)["Shifeng"][0] == "适逢"
    in_context = EnglishExpander(index.__contains__, index.short_words, index.frequency,
                                 index.rows_holding)  # fmt: skip
    assert dict(in_context.expand(question).groups)["Shifeng"][0] == "石峰区"


def test_every_sense_of_a_gloss_is_a_rendering() -> None:
    # CC-CEDICT writes 企业 "company; firm; enterprise; corporation": one gloss, four senses
    table = reverse_cedict()
    assert "企业" in table["enterprise"] and "企业" in table["firm"]
    # …but only each sense's head: 炎陵 is "Yanling county in Zhuzhou, Hunan", not Hunan
    assert "炎陵" not in table.get("hunan", ())


def test_irregular_inflections_and_abbreviations() -> None:
    index = LexicalIndex.build(["座谈会在茶陵举行,我们出口增长。"], Bm25Params())
    expander = EnglishExpander(index.__contains__, index.short_words)
    groups = dict(expander.expand("The forum was held in Chaling").groups)
    assert "举行" in groups["held"]  # held: hold
    # US is an abbreviation, not the pronoun us (我们)
    assert "US" not in dict(expander.expand("exports to the US grew").groups)
