"""mUSE sentence similarity (qa.encoders.sentences): translations close, strangers apart."""

from __future__ import annotations

from qa.encoders.sentences import CACHE_SENTENCES, MuseSimilarity

CLAIM = "Zhuzhou saved nearly 1.2 billion yuan in logistics costs."
SENTENCES = ["株洲节约社会物流成本近12亿元。", "炎陵县积极用好炎商资源。"]


def test_a_translation_is_closer_than_an_unrelated_sentence() -> None:
    similarity = MuseSimilarity()
    scores = similarity.similarities(CLAIM, SENTENCES)
    assert scores.shape == (2,) and scores[0] > scores[1] + 0.2
    # asked again, the vectors come from the cache and the scores are the same
    assert (similarity.similarities(CLAIM, SENTENCES) == scores).all()
    assert len(similarity._cache) == 3 <= CACHE_SENTENCES
    assert similarity.similarities("anything", []).shape == (0,)
