"""The printed text and its matched view: the offset map, proved on random Unicode."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.textnorm import clean_text, matching_view, normalize_line, normalize_text

_JOINING = re.compile(r"[\u0300-\u036f\u1160-\u11ff\ufe00-\ufe0f]")


def _reference_view(text: str) -> str:
    """The matched form written the slow, obvious way (the oracle): NFKC of each character
    with the marks that follow it, runs of white space as one space, lines stripped."""
    def vowel_mark_or_final(c: str) -> bool:
        if not c:
            return False
        code = ord(c)
        return unicodedata.category(c).startswith("M") or 0x1160 <= code <= 0x11FF or (
            0xD7B0 <= code <= 0xD7FF
        )

    clusters: list[str] = []
    for char in text:
        joins = vowel_mark_or_final(char) or vowel_mark_or_final(
            unicodedata.normalize("NFKC", char)[:1]
        )
        if clusters and joins and clusters[-1] != "\n":
            clusters[-1] += char
        else:
            clusters.append(char)
    normalised = "".join(unicodedata.normalize("NFKC", c) for c in clusters)
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in normalised.split("\n"))
    return "\n".join(lines)


# Characters that normalisation changes, and their neighbours in news text.
_TRICKY = (
    "，。：；？！（）％＋－／０１２ＡＢｚ"  # full-width forms
    "ﬁﬂﬀﬃ"  # ligatures
    "㎡㎞℃㍿①②⑳½…‥"  # squared and circled forms, fractions, ellipses
    "\u0301\u0308\u0327e\u0301"  # combining marks
    "ｶﾞﾄﾟㄱㅏㅂ가\u1100\u1161"  # half-width voiced marks, compatibility and conjoining jamo
    "😀👍🏽\ufe0f❤"  # emoji, a skin tone, a variation selector
    "\u3000\u00a0\u2003 \t\n"  # white space
    "株洲近亿元JR东日本"
)
texts = st.text(
    alphabet=st.one_of(st.sampled_from(_TRICKY), st.characters(codec="utf-8")), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_the_matched_view_is_nfkc_by_cluster_with_single_spaces(raw: str) -> None:
    printed = clean_text(raw)
    assert matching_view(printed).text == _reference_view(printed)


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_every_matched_span_maps_back_to_the_printed_characters_it_came_from(
    raw: str, data: st.DataObject
) -> None:
    printed = clean_text(raw)
    view = matching_view(printed)
    size = len(view.text)
    if size:
        assert view.span(0, size) == (0, len(printed))
    start = data.draw(st.integers(0, size))
    end = data.draw(st.integers(start, size))
    first, last = view.span(start, end)
    assert 0 <= first <= last <= len(printed)
    if start < end:
        # the printed slice, matched again, holds what was found (whole clusters of it)
        assert view.text[start:end].strip() in normalize_text(printed[first:last])
    # the map only moves forward
    previous = (0, 0)
    for i in range(size):
        here = view.span(i, i + 1)
        assert here[0] >= previous[0] and here[1] >= previous[1] and here[0] < here[1]
        previous = here


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("，。（）％０１２株洲近亿元 ABab㎡①…\u3000"), max_size=40))
def test_the_matched_form_is_the_former_normalisation_for_news_text(raw: str) -> None:
    """Without combining marks, matching is what normalising at ingest was (NFKC, single
    spaces), so the same questions find the same passages."""
    former = re.sub(r"[^\S\n]+", " ", unicodedata.normalize("NFKC", raw)).strip()
    assert normalize_line(raw) == former


def test_a_span_found_in_the_matched_text_is_given_as_printed() -> None:
    printed = "面积100㎡，由东日本旅客铁道（JR东日本）承建，节约成本近12亿元……"
    view = matching_view(printed)
    assert view.text == "面积100m2,由东日本旅客铁道(JR东日本)承建,节约成本近12亿元......"
    pairs = [("(JR东日本)", "（JR东日本）"), ("100m", "100㎡"), ("近12亿元", "近12亿元"),
             ("元....", "元……")]  # fmt: skip
    for found, shown in pairs:
        start = view.text.index(found)
        assert view.original_text(start, start + len(found)) == shown


def test_characters_that_merge_under_nfkc_keep_the_map_aligned() -> None:
    for printed, merged in [("ｶﾞｲﾄﾞ株洲日报", "ガイド"), ("ㄱㅏ株洲", "가")]:
        view = matching_view(printed)
        assert view.text.startswith(merged)
        start = view.text.index("株洲")
        assert view.original_text(start, start + 2) == "株洲"
    assert matching_view("ｶﾞ  株洲").span(0, 4) == (0, 6)


def test_only_invisible_and_control_characters_leave_the_printed_text() -> None:
    assert clean_text("  株洲\u200b日报\u202e（记者）\x07\t说  \r\n\n\u3000第二段\u3000 ") == (
        "株洲日报（记者） 说\n第二段"
    )
    assert not _JOINING.search(normalize_line("e\u0301"))  # composed: é
