"""English names and compounds reaching Chinese words (qa.retrieval.crosslingual)."""

from __future__ import annotations

from qa.indexing.lexical import Bm25Params, LexicalIndex
from qa.retrieval.crosslingual import EnglishExpander, spelled_in


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
    assert dict(expander.expand("Shifeng District").groups)["Shifeng"] == ("石峰区",)


def test_a_hyphenated_compound_is_looked_up_as_the_dictionary_writes_it() -> None:
    # CC-CEDICT glosses 高科技 "high tech"
    index = LexicalIndex.build(["高科技企业投产。"], Bm25Params())
    expander = EnglishExpander(index.__contains__, index.short_words)
    assert "高科技" in expander.expand("a high-tech company").terms
