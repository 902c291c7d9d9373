"""The confidence calibrator, its signals and the calibration metrics (hand-computed cases)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from eval.metrics import expected_calibration_error, reliability, risk_coverage
from qa.errors import ModelError
from qa.question import analyze_question
from qa.reading.calibration import (
    CALIBRATOR_FILE,
    FEATURES,
    SUBJECT_CAP,
    Calibrator,
    LogisticModel,
    SignalReader,
    entity_groups,
    features,
)
from qa.reading.coverage import QuestionCoverage
from qa.reading.protocol import Reading, Sentence, Span
from qa.reading.routed import NEURAL_ENGLISH
from qa.types import Article, Chunk, Hit, Signals

ARTICLE = Article(
    "a1",
    "全市物流成本下降",
    "2025年,株洲全社会物流总费用与GDP的比率为13.5%,节约社会物流成本近12亿元。新签约项目162个、"
    "总投资341.4亿元。炎陵和攸县的项目加快建设。",
)


def _reading(answer: str) -> tuple[Reading, list[Hit]]:
    chunk = Chunk("c1", "a1", 0, 0, len(ARTICLE.text), ARTICLE.text)
    hit = Hit(chunk, ARTICLE, 0, 1.0, 1, 0.9, 1, 3.0, 2)
    ends = [i + 1 for i, c in enumerate(ARTICLE.text) if c == "。"]
    start = ARTICLE.text.index(answer)
    s_end = next(e for e in ends if e > start)
    s_start = max([0, *(e for e in ends if e <= start)])
    sentence = Sentence(ARTICLE, chunk, s_start, s_end, ARTICLE.text[s_start:s_end], 1, 0, 0, 0)
    span = Span(sentence, start, start + len(answer), answer, analyze_question("多少").answer_type)
    return Reading(span, 0.99, (sentence,), "", "neural"), [hit]


def _signals(question: str, answer: str, named: str = "") -> Signals:
    reading, hits = _reading(answer)
    reader = SignalReader(QuestionCoverage({}))
    signals = reader.signals(analyze_question(question), reading, hits, named)
    assert signals is not None
    return signals


def test_named_entities_of_a_question() -> None:
    assert ("炎陵",) in entity_groups(analyze_question("炎陵的项目总投资多少?"))
    assert entity_groups(analyze_question("项目总投资多少?")) == []
    # 哪个城市 asks for a city: 城市 is the answer's kind, not the question's subject.
    assert ("城市",) not in entity_groups(analyze_question("宏达电子是哪个城市的上市公司?"))


def test_the_subject_check_catches_a_passage_about_another_place() -> None:
    assert _signals("醴陵的项目总投资多少?", "341.4亿元").subject_missing
    # 炎陵 is in the passage, so the name check passes; a follow-up about it must name it
    # in the answer's own sentence.
    assert not _signals("炎陵的项目总投资多少?", "341.4亿元").subject_missing
    assert _signals("炎陵的项目总投资多少?", "341.4亿元", named="炎陵").subject_missing
    about_zhuzhou = _signals("株洲节约了多少社会物流成本?", "近12亿元")
    assert not about_zhuzhou.subject_missing
    assert about_zhuzhou.focus_in_clause == 1.0 and about_zhuzhou.retrievers_agree == 1.0


def test_a_number_must_measure_what_the_question_asks() -> None:
    # GDP is in the sentence, but the clause of 近12亿元 is about the logistics saving.
    signals = _signals("株洲的GDP是多少?", "近12亿元")
    assert signals.focus_in_sentence == 1.0 and signals.focus_in_clause == 0.0
    assert signals.subject_missing
    reading, _ = _reading("近12亿元")
    why = SignalReader(QuestionCoverage({})).why_not_confident(analyze_question("株洲的GDP是多少?"),
                                                         reading)  # fmt: skip
    assert "节约社会物流成本近12亿元" in why and " / " in why


def test_probability_is_capped_when_the_subject_is_missing() -> None:
    signals = _signals("株洲节约了多少社会物流成本?", "近12亿元")
    model = LogisticModel(tuple(0.0 for _ in FEATURES), 5.0)
    calibrator = Calibrator({"neural": model}, {"neural": 0.5}, {})
    assert calibrator.probability(signals) == pytest.approx(1 / (1 + 2.718281828**-5), 1e-6)
    missing = replace(signals, subject_missing=True)
    assert calibrator.probability(missing) == SUBJECT_CAP


def test_features_take_the_readers_score_as_a_logit() -> None:
    signals = replace(_signals("株洲节约了多少社会物流成本?", "近12亿元"), raw=0.5)
    assert features(signals)[0] == 0.0 and len(features(signals)) == len(FEATURES)


def test_the_shipped_calibrator_loads_and_has_every_reader() -> None:
    calibrator = Calibrator.load()
    # the neural reader's English readings are scaled apart from its Chinese ones
    assert set(calibrator.models) == {"neural", NEURAL_ENGLISH, "fast"}
    assert calibrator.models[NEURAL_ENGLISH].weights == calibrator.models["neural"].weights
    assert all(SUBJECT_CAP < t < 1.0 for t in calibrator.thresholds.values())


def test_a_calibrator_for_other_signals_is_refused_with_the_fix(tmp_path: Path) -> None:
    data = json.loads(CALIBRATOR_FILE.read_text("utf-8"))
    data["features"] = data["features"][:-1]
    path = tmp_path / "calibrator.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ModelError, match=r"python -m eval\.calibration"):
        Calibrator.load(path)


def test_a_threshold_that_would_switch_the_subject_check_off_is_refused(tmp_path: Path) -> None:
    data = json.loads(CALIBRATOR_FILE.read_text("utf-8"))
    data["thresholds"]["neural"] = SUBJECT_CAP
    path = tmp_path / "calibrator.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ModelError, match="subject check"):
        Calibrator.load(path)


def test_reliability_and_ece_by_hand() -> None:
    probabilities = [0.95, 0.95, 0.15, 0.25]
    rights = [True, False, False, True]
    # Bins: [0.1, 0.2): 1 answer, 0% right at 0.15; [0.2, 0.3): 1, 100% at 0.25;
    # [0.9, 1.0]: 2, 50% at 0.95.
    table = reliability(probabilities, rights)
    assert [(round(lo, 1), n, acc) for lo, _, n, acc, _ in table] == [
        (0.1, 1, 0.0), (0.2, 1, 1.0), (0.9, 2, 0.5),
    ]  # fmt: skip
    expected = 0.25 * 0.15 + 0.25 * 0.75 + 0.5 * 0.45
    assert expected_calibration_error(probabilities, rights) == pytest.approx(expected)


def test_risk_coverage_by_hand() -> None:
    curve = risk_coverage([0.9, 0.8, 0.8, 0.1], [True, True, False, False], questions=5)
    assert curve == [(0.9, 0.2, 1.0), (0.8, 0.6, pytest.approx(2 / 3)), (0.1, 0.8, 0.5)]


def test_thresholds_are_chosen_together_within_the_em_budget() -> None:
    from eval.calibration import best_thresholds

    class R:
        def __init__(self, unanswerable: bool, raw_em: float) -> None:
            self.unanswerable, self.raw_em = unanswerable, raw_em

    # Reader a: a wrong answer at 0.3 and a right one at 0.9; reader b: an unanswerable
    # question answered at 0.5 and 60 right answers at 0.95.
    results = {"a": [R(False, 0.0), R(False, 1.0)], "b": [R(True, 0.0)] + [R(False, 1.0)] * 60}
    probabilities = {"a": [0.3, 0.9], "b": [0.5] + [0.95] * 60}
    chosen = best_thresholds(probabilities, results)
    # Refusing below 0.32 (a) and 0.52 (b) drops the wrong answer and the unanswerable
    # one and keeps every right one: the lowest such thresholds win (the grid starts above
    # the subject check's cap).
    assert chosen == {"a": 0.32, "b": 0.52}


def test_the_calibration_slice_is_fixed_by_cmrc_paragraph_ids() -> None:
    from eval.calibration import (
        HELD_OUT_FOLDS,
        _slice,
        calibration_slice,
        fold,
        paragraph_of,
        present,
    )

    table = _slice()
    assert len(table) == 416
    assert paragraph_of("TRAIN_186_QUERY_0") == "TRAIN_186"
    assert all(p.startswith("TRAIN_") and 0 <= f <= 9 for p, (_, f) in table.items())
    inside = [p for p in table if present(p)]
    assert 150 < len(inside) < 266  # about half the paragraphs are in the index
    assert {fold(p) for p in table} >= HELD_OUT_FOLDS
    assert not calibration_slice("TRAIN_999999")
