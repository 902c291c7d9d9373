"""How the neural reader's spans are checked and chosen, without loading the model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from qa.question import analyze_question, bilingual_question
from qa.reading.coverage import QuestionCoverage
from qa.reading.fast import FastReader
from qa.reading.neural import Candidate, NeuralReader, NeuralReaderConfig
from qa.reading.protocol import NO_SPAN, NOTHING_RETRIEVED
from qa.reading.routed import NEURAL_ENGLISH, RoutedReader, RoutedReaderConfig
from qa.types import Article, Chunk, Expansion, Hit


@pytest.mark.parametrize(
    ("question", "text", "span", "fits"),
    [
        ("项目总投资多少?", "总投资约5.1亿元。", "5.1亿元", True),
        ("项目总投资多少?", "指数居全国第36位。", "第36位", False),
        ("其中企业有多少家?", "企业3.5万家。", "3.5万家", True),
        ("其中企业有多少家?", "节约成本12亿元。", "12", False),
        ("其中企业有多少家?", "增长13.5%。", "13.5%", False),
        ("有多少户有孩子?", "其中 68,511 (43.3%)户", "68,511", True),
        ("谁出席了会议?", "陈恢清出席。", "陈恢清", True),
        ("中心有多少员工?", "入驻企业97家。", "97家", False),  # 家 does not count people
        ("中心有多少员工?", "员工300名。", "300名", True),
        ("新增多少大学生?", "新增大学生2.5万余人。", "2.5万余人", True),
        ("共有多少个项目?", "项目4条。", "4条", True),  # 个 counts anything
        ("中心有多少员工?", "员工97。", "97", True),  # a bare number may count anything
        ("GDP总量是多少?", "比率为13.5%,节约成本近12亿元。", "13.5%,节约成本近12亿元", False),
    ],
)
def test_numeric_questions_veto_spans_of_another_measure(
    question: str, text: str, span: str, fits: bool
) -> None:
    start = text.index(span)
    analysis = analyze_question(question)
    assert NeuralReader._fits_type(analysis, text, start, start + len(span)) is fits


def test_a_bare_count_takes_the_measure_word_the_question_asks_for() -> None:
    text = "先后推出35项重点改革,另有 40,000 人。"
    analysis = analyze_question("报告说先后推出了多少项重点改革?")
    start = text.index("35")
    assert text[start : NeuralReader._with_unit(analysis, text, start, start + 2)] == "35项"
    other = text.index("40,000")
    assert NeuralReader._with_unit(analysis, text, other, other + 6) == other + 6


def _hit(title: str, text: str, rank: int) -> Hit:
    article = Article(id=f"a{rank}", title=title, text=text)
    chunk = Chunk(id=f"c{rank}", article_id=article.id, ordinal=0, start=0, end=len(text),
                  text=text)  # fmt: skip
    return Hit(chunk=chunk, article=article, row=rank, score=1.0 / rank, rank=rank)


class _ScriptedNeural(NeuralReader):
    """A neural reader whose spans are given: (hit rank, span text, confidence)."""

    def __init__(self, script: Sequence[tuple[int, str, float]]) -> None:
        self.script = script
        self.config = NeuralReaderConfig()
        self.read_ranks: list[list[int]] = []

    def threshold(self, english: bool) -> float:
        return 0.5

    def candidates(self, question, hits):  # type: ignore[no-untyped-def]
        self.read_ranks.append([hit.rank for hit in hits])
        found = []
        for hit in hits:
            for rank, span, confidence in self.script:
                if rank == hit.rank:
                    start = hit.article.text.index(span)
                    found.append(Candidate(hit, start, start + len(span), confidence))
        return found


def test_routed_reader_prefers_the_passage_that_names_what_is_asked() -> None:
    other = _hit("铝基材料项目", "高端铝基材料产业化项目总投资约5.1亿元。", 1)
    named = _hit("宏达电子布局半导体", "宏达电子拟在无锡投资建设项目,总投资达10亿元人民币。", 2)
    neural = _ScriptedNeural([(1, "5.1亿元", 0.9), (2, "10亿元人民币", 0.8)])
    reader = RoutedReader(neural, FastReader({}), QuestionCoverage({}))
    reading = reader.read(analyze_question("宏达电子的项目总投资多少?"), [other, named])
    assert reading.span is not None and reading.span.text == "10亿元人民币"
    assert reading.span.sentence.article.id == named.article.id


def test_later_passages_are_read_only_without_a_sure_answer() -> None:
    text = "宏达电子拟在无锡投资建设项目,总投资达10亿元人民币。"
    hits = [_hit(f"宏达电子{rank}", text, rank) for rank in (1, 2, 3)]
    question = analyze_question("宏达电子的项目总投资多少?")

    sure = _ScriptedNeural([(1, "10亿元人民币", 0.99), (3, "宏达电子", 0.995)])
    reading = RoutedReader(sure, FastReader({}), QuestionCoverage({})).read(question, hits)
    assert sure.read_ranks == [[1, 2]]
    assert reading.span is not None and reading.span.sentence.article.id == "a1"

    unsure = _ScriptedNeural([(1, "10亿元人民币", 0.6), (3, "10亿元", 0.7)])
    reading = RoutedReader(unsure, FastReader({}), QuestionCoverage({})).read(question, hits)
    assert unsure.read_ranks == [[1, 2], [3]]
    assert reading.span is not None and reading.span.sentence.article.id == "a3"


def test_routed_reader_abstains_when_no_passage_covers_the_question() -> None:
    hit = _hit("铝基材料项目", "高端铝基材料产业化项目总投资约5.1亿元。", 1)
    neural = _ScriptedNeural([(1, "5.1亿元", 0.9)])
    reader = RoutedReader(neural, FastReader({}), QuestionCoverage({}))
    reading = reader.read(analyze_question("芦淞机场改扩建工程总投资多少?"), [hit])
    assert reading.span is None and reading.confidence < reader.threshold(False)
    assert reading.reason


def test_routed_reader_says_why_when_no_passage_has_a_span_of_the_asked_kind() -> None:
    hit = _hit("铝基材料项目", "高端铝基材料产业化项目落户炎陵。", 1)
    reader = RoutedReader(_ScriptedNeural([]), FastReader({}), QuestionCoverage({}))
    question = analyze_question("项目总投资多少?")
    assert reader.read(question, [hit]).reason == NO_SPAN
    assert reader.read(question, []).reason == NOTHING_RETRIEVED


def test_a_new_index_generation_reuses_the_neural_model(page_index: Path) -> None:
    from qa.indexing.store import load_snapshot
    from qa.reading.fast import FastReaderConfig

    snapshot = load_snapshot(page_index)
    neural = _ScriptedNeural([])
    fast = FastReader({}, FastReaderConfig(passages=3))
    reader = RoutedReader(neural, fast, QuestionCoverage({}))
    rebound = reader.for_index(snapshot)
    assert rebound.neural is neural and rebound.config is reader.config
    assert rebound.fast.config.passages == 3 and rebound.evidence.idf


class _RecordingNeural(_ScriptedNeural):
    """A scripted neural reader that keeps the question text it was given."""

    def __init__(self, script: Sequence[tuple[int, str, float]]) -> None:
        super().__init__(script)
        self.asked: list[str] = []

    def candidates(self, question, hits):  # type: ignore[no-untyped-def]
        self.asked.append(question.text)
        return super().candidates(question, hits)


def test_an_english_question_reaches_the_neural_reader_with_its_chinese_rendering() -> None:
    hit = _hit("物流", "株洲节约社会物流成本近12亿元。", 1)
    neural = _RecordingNeural([(1, "近12亿元", 0.9)])
    reader = RoutedReader(neural, FastReader({}), QuestionCoverage({}))
    expansion = Expansion((("Zhuzhou", ("株洲",)), ("logistics", ("物流",)),
                           ("costs", ("成本",))))  # fmt: skip
    question = analyze_question("How much did Zhuzhou save in logistics costs?", expansion)
    reading = reader.read(question, [hit], abstain=False)
    assert neural.asked == ["How much did Zhuzhou save in logistics costs? 株洲物流成本多少元?"]
    assert reading.span is not None and reading.span.text == "近12亿元"
    assert reading.reader == NEURAL_ENGLISH  # calibrated apart from Chinese readings


def test_the_fast_reader_still_takes_english_questions_when_configured() -> None:
    hit = _hit("物流", "株洲节约社会物流成本近12亿元。", 1)
    neural = _RecordingNeural([(1, "近12亿元", 0.9)])
    reader = RoutedReader(neural, FastReader({}), QuestionCoverage({}),
                          RoutedReaderConfig(neural_english=False))  # fmt: skip
    expansion = Expansion((("logistics", ("物流",)),))
    reader.read(analyze_question("How much were logistics costs?", expansion), [hit])
    assert neural.asked == []


@pytest.mark.parametrize(
    ("question", "ends"),
    [
        ("How many projects were started?", "项目开工多少个?"),
        ("When did phase two start?", "开工什么时候?"),
        ("Who was elected an academician?", "当选院士谁?"),
    ],
)
def test_the_bilingual_question_ends_with_the_chinese_question_word_of_its_type(
    question: str, ends: str
) -> None:
    renderings = {"projects": "项目", "started": "开工", "start": "开工", "elected": "当选",
                  "academician": "院士"}  # fmt: skip
    words = [w.strip("?").lower() for w in question.split()]
    expansion = Expansion(tuple((w, (renderings[w],)) for w in words if w in renderings))
    text = bilingual_question(analyze_question(question, expansion))
    assert text.startswith(question + " ") and text.endswith(ends)
    assert bilingual_question(analyze_question("项目总投资多少?")) == "项目总投资多少?"
