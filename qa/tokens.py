"""Words of a text, shared by every stage: jieba tokens, part-of-speech tags, stopwords,
and whether a question is English.

BM25 (qa.indexing.lexical), question analysis (qa.question), the readers and follow-up
completion all cut text into the same words, so the tokeniser lives below all of them.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from types import ModuleType

ANALYZERS = ("jieba", "jieba+bigram")

# Function words and question words: frequent in questions, useless for matching.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 也 都 就 而 之 其 这 那 有 为 对 把 被 将 从 以 于 中 上 下 "
    "呢 吗 吧 啊 哪 哪些 哪个 哪里 哪家 谁 何 什么 多少 几 怎么 怎样 如何 是否 请问 "
    "a an the of in on at to for by is are was were be been what which who whom when "
    "where how much many does did do and or".split()
)
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_jieba_lock = threading.Lock()
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")

ENGLISH_STOPWORDS = frozenset(
    "a an the of in on at to for by from with about as into over under after before is are was "
    "were be been being do does did what which who whom whose when where why how much many "
    "this that these those it its their there they he she his her we our you your i me my and "
    "or not no than then so such also will would can could should may might has have had "
    "according according during since until per each any some all more most other".split()
)


def is_english(text: str) -> bool:
    """True when a question is written mostly in Latin letters with no Chinese."""
    return bool(_LATIN.search(text)) and not _CJK.search(text)



def _jieba() -> ModuleType:
    import jieba

    with _jieba_lock:
        if not jieba.dt.initialized:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
    return jieba


def analyze(text: str, analyzer: str = "jieba", *, keep_stopwords: bool = False) -> list[str]:
    """Tokens of ``text`` for BM25: jieba search-mode words (and CJK bigrams if asked),
    without ``STOPWORDS`` unless ``keep_stopwords`` (compared in eval.retrieval)."""
    if analyzer not in ANALYZERS:
        raise ValueError(f"unknown analyzer {analyzer!r}: use one of {ANALYZERS}")
    lowered = text.lower()
    tokens = [
        token
        for token in (t.strip() for t in _jieba().lcut_for_search(lowered))
        if token and (keep_stopwords or token not in STOPWORDS) and _WORD.search(token)
    ]
    if analyzer == "jieba+bigram":
        for run in _CJK_RUN.findall(lowered):
            tokens.extend(f"#{run[i : i + 2]}" for i in range(len(run) - 1))
    return tokens



@lru_cache(maxsize=4096)
def tagged(text: str) -> tuple[tuple[str, str, int], ...]:
    """jieba part-of-speech tokens of ``text`` as (word, flag, start)."""
    import jieba.posseg

    _jieba()
    tokens = []
    position = 0
    for pair in jieba.posseg.cut(text):
        tokens.append((pair.word, pair.flag, position))
        position += len(pair.word)
    return tuple(tokens)


