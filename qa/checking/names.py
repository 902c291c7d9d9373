"""Names in Chinese text for the fact checker (qa.checking.verify): people, places,
organisations and titles, where a statement names them, and where it puts another name in
the sentence's place (a swap, a mix-up, an event held elsewhere)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.checking.clauses import (
    CJK_CHAR,
    CLAUSE_TEXT,
    FUNCTION_EDGES,
    clause_of,
    segment_around,
)
from qa.question import AnswerType
from qa.reading.protocol import Sentence
from qa.reading.spans import SpanCandidate, name_spans
from qa.retrieval.crosslingual import (
    common_words,
    spelled_in,
)
from qa.tokens import tagged
from qa.types import Article, Chunk

LEAD_CHARS = 150
NAME_TAGS = frozenset({"nr", "ns", "nt", "nz", "nrt", "nrfg"})


_NAME_SUFFIX = re.compile(r"(?:集团|公司|县|市|区|省|厅|局|委|会议|大学|银行)$")
_NAME_END = re.compile(r"^[\u4e00-\u9fff]{0,4}?(?:集团|公司|会议|大学|银行)")


_CONJUNCTION = re.compile(r"[与和及同跟、]")
_TITLE = re.compile(r"《[^《》]{1,30}》")


def name_candidates(text: str) -> list[SpanCandidate]:
    """People, places and organisations (qa.reading.spans), and titles in 《》 (a newspaper,
    a journal, a speech), which count as organisations: 《人民日报》 for 《求是》 is a swap;
    no place or person CC-CEDICT knows only as a common word."""
    titles = [SpanCandidate(m.start(), m.end(), m[0], AnswerType.ORGANIZATION)
              for m in _TITLE.finditer(text)]  # fmt: skip
    # a tagger's place or person that the dictionary knows only as a common word (深度,
    # 都市; 荣获 of 华锐精密荣获…) is none
    common = common_words()
    kinds = (AnswerType.PLACE, AnswerType.PERSON)
    inside = [n for n in name_spans(text)
              if not any(t.start <= n.start < t.end for t in titles)
              and not (n.kind in kinds and n.text in common)]  # fmt: skip
    places = [p for p in _suffixed_places(text)
              if not any(n.start <= p.start < n.end or p.start <= n.start < p.end
                         for n in [*titles, *inside])]  # fmt: skip
    return [*titles, *inside, *places]


_ZONE_WORDS = frozenset({"高新区", "经开区", "开发区", "新区"})
_GENERIC_HEADS = frozenset({"高新", "新区", "片区", "港区", "经开", "开发", "主城", "老城", "新城",
                            "自贸", "综保", "保税", "园区", "城区", "市区", "县区"})  # fmt: skip
"""Heads of areas, not of names (主城区, 自贸区), that CC-CEDICT does not list as words."""


def _suffixed_places(text: str) -> list[SpanCandidate]:
    """Districts, counties and zones the tagger misses (芦淞区 read as a person, 天元区 as
    a noun, 炎陵 + 高新区): a two-character word no dictionary knows as a common one, with
    its place suffix or followed by a zone word."""
    common = common_words()
    tokens = tagged(text)
    found = []
    for i, (word, flag, start) in enumerate(tokens):
        if flag in ("ns", "l"):
            continue  # the tagger's own places (qa.reading.spans), set phrases (自贸区)
        head, end = None, start + len(word)
        if len(word) == 3 and word[-1] in "区县市":
            head = word[:-1]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if head is None and len(word) == 2 and nxt and nxt[0] in _ZONE_WORDS:
            head, end = word, nxt[2] + len(nxt[0])
        if (head and CJK_CHAR.match(head) and head not in common
                and head not in _GENERIC_HEADS):  # fmt: skip
            found.append(SpanCandidate(start, end, text[start:end], AnswerType.PLACE))
    return found


_LIST_SLACK = 4
"""Characters an item of a list of names may hold beyond the name (包含 of 包含细分行业集采中心)."""


_LIST_ITEM = 16
"""The longest other item of such a list that counts as one the claim quotes."""


def listed_with(text: str, start: int, end: int, claim: str) -> bool:
    """Whether the name ``text[start:end]`` is an item of a list (、) beside another item
    the claim says: 包含细分行业集采中心、品牌中心、数字贸易产业大数据中心等7大板块 lists parts
    of the claim's 数字贸易总部中心, not a rival to it."""
    # a list ends at 等 (…、数字贸易产业大数据中心等7大板块)
    listed = clause_of(text, start, end).split("等")[0]
    items = [FUNCTION_EDGES.sub("", i) for i in listed.split("、")]
    name = text[start:end]
    own = next((i for i in items if name in i), "")
    if len(items) < 2 or len(own) > len(name) + _LIST_SLACK:
        return False  # a list of names, not of clauses (中共中央总书记、国家主席、中央军委主席…)
    return any(
        name not in item and 2 <= len(item) <= _LIST_ITEM and item[-4:] in claim
        for item in items
    )


def passage_context(article: Article, chunk: Chunk) -> str:
    """A sentence's context: its article's headline and lead, and its passage."""
    return f"{article.title}\n{article.matched.text[:LEAD_CHARS]}\n{chunk.text}"


def named_nearby(name: SpanCandidate, sentence: Sentence, claim: str) -> bool:
    """Whether the sentence's headline, lead or passage names ``name`` and the sentence
    names no other of its kind (the claim's own words read as names, and the items of a
    list it quotes, are not others)."""
    article = sentence.article
    lead = passage_context(article, sentence.chunk)
    if not is_named(name.text, lead):
        return False
    # (nor the items of a list the claim quotes: 细分行业集采中心、品牌中心、…大数据中心等)
    return not any(r.kind == name.kind and r.text not in claim
                   and not listed_with(sentence.text, r.start, r.end, claim)
                   for r in name_spans(sentence.text))  # fmt: skip


def without_rivals(text: str, name: SpanCandidate) -> str:
    """``text`` without its clauses that name another of ``name``'s kind and not it."""
    kept = []
    for clause in CLAUSE_TEXT.finditer(text):
        part = clause[0]
        rivals = [r for r in name_spans(part) if r.kind == name.kind and r.text != name.text]
        if name.text in part or not rivals:
            kept.append(part)
    return " ".join(kept)


def _name_like(text: str) -> bool:
    """Whether ``text`` reads as a name: a kind suffix (集团, 县, 厅) or a name's tag."""
    return bool(_NAME_SUFFIX.search(text)) or any(f in NAME_TAGS for _, f, _ in tagged(text))


_FRAME = 4
"""Characters before a person's name that a statement must share with the sentence for a
swap of two people the article both names (a title: 生产部副部长)."""


def is_person(text: str) -> bool:
    """Whether ``text`` is one person's name, as jieba tags it."""
    tokens = tagged(text)
    return len(tokens) == 1 and tokens[0][1] in ("nr", "nrfg", "nrt")


def swapped_name(claim: str, sentence: Sentence, *,
                  people: bool = False) -> tuple[int, int, str] | None:  # fmt: skip
    """Where a statement that follows the sentence's wording puts another name in one place
    (由大龙网集团与茶陵城发集团 against 由大龙网集团和沐水集团): the sentence's span and the
    claim's name, when that name is nowhere in the article, or (``people``) when it is one
    person for another after the same ``_FRAME`` characters (生产部副部长张宗才 against
    生产部副部长陈荣); else None."""
    from difflib import SequenceMatcher

    text = sentence.text
    matcher = SequenceMatcher(None, claim, text, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    if shared < 0.6 * len(re.sub(r"\W", "", claim)):
        return None
    article = sentence.article.matched.text
    swaps = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue
        # a name ends with its kind (集团, 县): take the shared suffix into both sides
        suffix = _NAME_SUFFIX.match(claim[i2 : i2 + 2]) or _NAME_SUFFIX.match(claim[i2 : i2 + 1])
        extra = len(suffix[0]) if suffix and text[j2 : j2 + len(suffix[0])] == suffix[0] else 0
        before = 0
        if not extra:
            # or the name goes on, alike in both, to its kind a few characters later, and
            # begins a little before (中央经济工作会议 against 中央城市工作会议)
            ahead = _NAME_END.match(claim[i2 : i2 + 6])
            if ahead and text[j2 : j2 + len(ahead[0])] == ahead[0]:
                extra = len(ahead[0])
                while (before < 2 and i1 - before > 0 and j1 - before > 0
                       and claim[i1 - before - 1] == text[j1 - before - 1]
                       and CJK_CHAR.match(claim[i1 - before - 1])):  # fmt: skip
                    before += 1
        mine = FUNCTION_EDGES.sub("", claim[i1 - before : i2 + extra])
        theirs = FUNCTION_EDGES.sub("", text[j1 - before : j2 + extra])
        if _CONJUNCTION.sub("", mine) == _CONJUNCTION.sub("", theirs):
            continue  # 大龙网集团与沐水集团 is 大龙网集团和沐水集团
        if not (2 <= len(mine) <= 8 and 2 <= len(theirs) <= 8):
            continue
        if mine in article and not (
            people and is_person(mine) and is_person(theirs)
            and claim[max(0, i1 - _FRAME) : i1] == text[max(0, j1 - _FRAME) : j1]
            and len(claim[max(0, i1 - _FRAME) : i1]) == _FRAME
        ):  # fmt: skip
            # a name the article prints elsewhere is a swap only of one person for another
            # in one frame (生产部副部长陈荣介绍 against 生产部副部长张宗才介绍)
            continue
        if abs(len(mine) - len(theirs)) > 3:
            continue
        if _name_like(mine) and _name_like(theirs):
            start = text.index(theirs, j1 - before)
            swaps.append((start, start + len(theirs), mine))
    return swaps[0] if len(swaps) == 1 else None


_TITLE_BEFORE = re.compile(r"(?:书记|市长|县长|区长|省长|主任|部长|经理|主管|董事长|总裁|院士|"
                           r"主席|局长|厅长|负责人|委员|代表|记者)$")


_ACT_AFTER = re.compile(r"^(?:说|介绍|表示|强调|指出|主持|出席|参加|作|讲话|当选|获评|带队|调研)")


def in_role(text: str, person: SpanCandidate) -> bool:
    """Whether the tagger's person holds a title or acts in ``text`` (市委书记曹慧泉, 陈荣介绍):
    a name, not a word jieba tags as one (智能化)."""
    return bool(_TITLE_BEFORE.search(text[max(0, person.start - 4) : person.start])
                or _ACT_AFTER.match(text[person.end : person.end + 2]))


_CONTINENTS = frozenset({"亚洲", "非洲", "欧洲", "美洲", "澳洲", "大洋洲", "南美洲", "北美洲",
                         "拉丁美洲"})


def same_level(place: str, other: str) -> bool:
    """Whether two places sharing a last character can stand for each other: a continent
    (直达非洲25个港口) is no rival of a city that happens to end alike (株洲)."""
    return (place in _CONTINENTS) == (other in _CONTINENTS)


_JOINTLY = re.compile(r"共同|联合|合资|携手")
_ZH_TOGETHER = re.compile(rf"[和与、]|{_JOINTLY.pattern}|一起")
"""A claim saying two did it (大龙网集团和沐水集团): not one party's share. (及 and 同 are
too often parts of other words: 涉及, 同比.)"""
_EN_TOGETHER = re.compile(r"\b(?:and|with|jointly|joint|together|co-\w+|along)\b", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+")


def one_of_joint(claim: str, english: bool, text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is what several paid or did together (由大龙网集团和沐水集团
    共同出资打造,出资额为5000万元) and the claim gives it of one of them alone ("Dalong.com
    Group put up 30 million yuan", 大龙网集团出资3000万元): a share the article never states."""
    segment = segment_around(text, start, end)
    joint = _JOINTLY.search(segment)
    if joint is None or (_EN_TOGETHER if english else _ZH_TOGETHER).search(claim):
        return False
    parties = segment[: joint.start()].rsplit("由", 1)[-1]
    if english:
        return any(spelled_in(w, parties) for w in _CAPITALISED.findall(claim))
    return any(n.kind == AnswerType.ORGANIZATION and n.text in parties
               for n in name_candidates(claim))  # fmt: skip


def is_named(place: str, text: str) -> bool:
    """Whether ``text`` names ``place``, with or without its 市/县/区 (株洲市 is 株洲)."""
    return place in text or (len(place) >= 3 and place[-1] in "市县区省" and place[:-1] in text)


_ORG_TAIL = re.compile(r"(?:子公司|控股子公司|股份有限公司|有限公司|公司|集团)$")


def named_in_part(name: str, text: str) -> bool:
    """Whether ``text`` names ``name`` by its distinctive part: without a leading region
    (株洲城中村: 城中村 of an article on 株洲) or a generic tail (宏达电子子公司: 宏达电子 of
    “该公司控股子公司”)."""
    tokens = tagged(name)
    if len(tokens) > 1 and tokens[0][1] == "ns" and is_named(tokens[0][0], text):
        rest = name[len(tokens[0][0]) :]
        if len(rest) >= 2 and rest in text:
            return True
    stem = _ORG_TAIL.sub("", name)
    return stem != name and len(stem) >= 2 and stem in text


def found_name(name: str, text: str) -> tuple[int, int]:
    """Where ``text`` names ``name`` (start, length), or by its distinctive part without a
    leading region (株洲市发改委: 市发改委), else (-1, 0)."""
    at = text.find(name)
    if at >= 0:
        return at, len(name)
    tokens = tagged(name)
    if len(tokens) > 1 and tokens[0][1] == "ns":
        rest = name[len(tokens[0][0]) :]
        at = text.find(rest) if len(rest) >= 2 else -1
        if at >= 0:
            # the region's kind stays with it (市发改委 of 株洲市发改委)
            kind = tokens[0][0][-1] if tokens[0][0][-1] in "市县区省" else ""
            if kind and text[at - 1 : at] == kind:
                return at - 1, len(rest) + 1
            return at, len(rest)
    return -1, 0


_NAME_BOUNDARY = re.compile(r"[和与及、,，。;；:：由在为是的对“”《》()（）\s]")


def organisations_ending(text: str, ends: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where ``text`` names organisations ending in one of ``ends``: its stretches between
    conjunctions and punctuation that end so (由大龙网集团和沐水集团: both groups), taken
    from the names the sentence's words tag, or the stretch itself."""
    found = [(n.start, n.end) for n in name_candidates(text)
             if n.kind == AnswerType.ORGANIZATION and n.text.endswith(ends)]  # fmt: skip
    at = 0
    for piece in _NAME_BOUNDARY.split(text):
        # the stretch up to its first kind word (沐水集团 of 沐水集团共同出资打造)
        cut = min((piece.find(e) + len(e) for e in ends if e in piece), default=-1)
        if 3 <= cut <= _ORG_PIECE and not any(a < at + cut and at < b for a, b in found):
            found.append((at, at + cut))
        at += len(piece) + 1
    return sorted(found)


_ORG_PIECE = 8
"""The longest stretch read as one organisation's name."""


_EVENT_VERBS = "举行|举办|召开|开幕|揭牌|落户|开工|投资建设|建设"
_ZH_EVENT_PLACE = re.compile(rf"在(?P<place>[\u4e00-\u9fff]{{2,6}}?)(?:{_EVENT_VERBS})")


_ZH_PLACE_IS = re.compile(
    r"(?:举办地|举行地|所在地|地点)(?:是|为|在)(?P<place>[\u4e00-\u9fff]{2,6}?)(?=[,，。;；!！]|$)"
)


_EN_EVENT_PLACE = re.compile(
    r"\b(?:held|hosted|staged|took place|convened|opened|launched|unveiled|built|build|"
    r"building|set up|settled|located|based)\b[^.;]{0,80}?\bin\s+"
    r"(?P<place>[A-Z][a-z]+(?:\s(?:County|City|District|Province|Town|Township))?)"
)


_MONTHS = frozenset("january february march april may june july august september october "
                    "november december".split())  # fmt: skip


def event_place(claim: str, english: bool) -> str | None:
    """The place a statement says an event happened or a project is built in (在茶陵举行,
    举办地是炎陵, held in Chaling County, build its base in Suzhou): that place is the fact
    itself, not the scope of a figure."""
    if english:
        found = [m["place"] for m in _EN_EVENT_PLACE.finditer(claim)]
        found = [f for f in found if f.split()[0].lower() not in _MONTHS]
    else:
        found = [m["place"] for m in (*_ZH_EVENT_PLACE.finditer(claim),
                                      *_ZH_PLACE_IS.finditer(claim))]  # fmt: skip
    return found[0] if len(set(found)) == 1 else None


_HERE = ("当地", "本地", "该地", "此地", "这里", "那里", "现场", "该县", "该市", "该区", "此")
"""Words that stand for a place already named: no rival to it."""


def event_place_swap(claimed: str, english: bool, sentence: Sentence) -> tuple[int, int] | None:
    """The span of the place the sentence says the statement's event happened in, when it
    is another than ``claimed`` (``event_place``): 在茶陵举行 against 举办地是炎陵."""
    # whatever stands where the place stands is where it was (在线上举行 is not in 炎陵)
    found = [m for m in _ZH_EVENT_PLACE.finditer(sentence.text)
             if not m["place"].startswith(_HERE)]  # fmt: skip
    if len(found) != 1:
        return None
    place = found[0]["place"]
    if english:
        same = spelled_in(claimed.split()[0], place)
    else:
        same = claimed in place or place in claimed or is_named(claimed, sentence.text)
    return None if same else (found[0].start("place"), found[0].end("place"))


def clause_swap(claim: str, words: Sequence[str], text: str, start: int, end: int,
                 held: int) -> tuple[int, int, str] | None:  # fmt: skip
    """``_mixed_clauses`` for one candidate clause ``text[start:end]`` of the statement."""
    own = text[start:end]
    foreign = [w for w in words if w not in own and w in text]
    if not foreign or held < 2 or held < 0.6 * (len(words) - len(foreign)):
        return None
    # the claim's name: its foreign words and what joins them, as one span of the claim
    first = min(claim.index(w) for w in foreign)
    last = max(claim.index(w) + len(w) for w in foreign)
    while first > 0 and claim[first - 1 : last] in text and CJK_CHAR.match(claim[first - 1]):
        first -= 1
    name = claim[first:last]
    if name not in text or name in own or not 2 <= len(name) <= 10:
        return None
    # the clause's subject: its words up to the first the statement also says
    subject = ""
    for word, _, _ in tagged(own):
        if word in claim:
            break
        subject += word
    rival = FUNCTION_EDGES.sub("", subject.strip())
    if not 2 <= len(rival) <= 10 or rival in claim or not _name_like(rival):
        return None
    at = start + own.index(rival)
    return at, at + len(rival), name
