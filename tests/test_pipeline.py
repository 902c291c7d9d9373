from __future__ import annotations

from pathlib import Path

import pytest

from qa.encoders.embedding import HashEmbedder
from qa.errors import UsageError
from qa.pipeline import MAX_QUESTION_CHARS, Pipeline, Turn
from qa.present.text import render_text
from qa.reading.calibration import FEATURES, SUBJECT_CAP, Calibrator, LogisticModel
from qa.textnorm import clean_line
from tests.conftest import PAGE


@pytest.fixture()
def pipeline(page_index: Path) -> Pipeline:
    # The reader's own scores: the shipped calibrator is fitted for the e5 encoder, whose
    # dense and BM25 lists agree; the hash embedder's dense list is noise.
    return Pipeline.load(page_index, embedder=HashEmbedder(64), reader="fast", calibrator=False)


def check_citations(pipeline: Pipeline, answer) -> None:
    for citation in answer.citations:
        article = pipeline.snapshot.articles[citation.article_id]
        assert article.text[citation.start : citation.end] == citation.quote
        if citation.answer_start is not None:
            assert citation.start <= citation.answer_start < citation.answer_end <= citation.end
            assert article.text[citation.answer_start : citation.answer_end] == answer.answer


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("株洲节约了多少社会物流成本?", "12亿元"),
        ("湘赣边数字贸易总部中心的出资额是多少?", "5000万元"),
        ("发放房票多少张?", "1400多张"),
        ("高端铝基材料产业化项目总投资多少?", "5.1亿元"),
        ("谁主持召开了物流高质量发展座谈会?", "曹慧泉"),
    ],
)
def test_answers_carry_exact_citations(pipeline: Pipeline, question: str, expected: str) -> None:
    answer = pipeline.ask(question)
    assert answer.answer is not None and expected in answer.answer
    assert answer.citations[0].answer_start is not None
    check_citations(pipeline, answer)
    data = answer.to_dict()
    assert set(data) >= {"question", "answer", "abstained", "confidence", "citations", "timings_ms"}
    assert set(data["timings_ms"]) == {"retrieve", "read", "total"}
    assert 0.0 <= data["confidence"] <= 1.0


def test_unanswerable_question_abstains_with_a_reason(pipeline: Pipeline) -> None:
    answer = pipeline.ask("株洲2025年末常住人口有多少?")
    assert answer.abstained and answer.citations == ()
    assert answer.reason
    assert answer.passages  # what was read is still shown


def test_follow_up_uses_the_history(pipeline: Pipeline) -> None:
    first = pipeline.ask("高端铝基材料产业化项目总投资多少?")
    follow = pipeline.ask("那宏达电子的项目呢?", history=[Turn(first.question, first.answer)])
    assert follow.interpreted_as == "宏达电子的项目总投资多少?"
    assert follow.answer is not None and "10亿元" in follow.answer
    check_citations(pipeline, follow)


def test_a_follow_up_asks_for_something_other_than_the_previous_answer(
    pipeline: Pipeline,
) -> None:
    first = pipeline.ask("2025年包括引洮润株在内,全市共有多少个项目开工建设?")
    assert first.answer == "313个"
    follow = pipeline.ask("竣工投产的呢?", history=[Turn(first.question, first.answer)])
    assert follow.answer == "293个"
    check_citations(pipeline, follow)
    # Without the previous answer to set aside, the same passage gives 313个 again.
    blind = pipeline.ask("竣工投产的呢?", history=[Turn(first.question, None)])
    assert blind.answer == "313个"
    # An answer that is not text, as the web API may be sent, is no answer.
    odd = pipeline.ask("竣工投产的呢?", history=[Turn(first.question, 313)])  # type: ignore[arg-type]
    assert odd.answer == "313个"


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("\u200b\u200b", "empty"),
        ("问" * (MAX_QUESTION_CHARS + 1), "under"),
    ],
)
def test_bad_questions_are_clear_errors(pipeline: Pipeline, question: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        pipeline.ask(question)


def test_odd_questions_never_crash(pipeline: Pipeline) -> None:
    for question in [
        "😀😀😀?",
        "Wie viel hat Zhuzhou gespart?",
        "\x07株洲\x1b[31m物流",
        "???",
        "1",
    ]:
        answer = pipeline.ask(question)
        check_citations(pipeline, answer)


def test_limits_on_k_and_history(pipeline: Pipeline) -> None:
    with pytest.raises(UsageError, match="k=0"):
        pipeline.ask("物流", k=0)
    with pytest.raises(UsageError, match="turns"):
        pipeline.ask("物流", history=[Turn("a")] * 100)


def test_rendered_text_marks_the_span(pipeline: Pipeline) -> None:
    text = render_text(pipeline.ask("株洲节约了多少社会物流成本?"))
    assert "【近12亿元】" in text and "[1] 持续优化物流产业生态" in text
    assert "not found in the articles" in render_text(pipeline.ask("株洲2025年末常住人口有多少?"))


@pytest.mark.parametrize("damage", ["edit", "truncate"])
def test_a_corrupt_index_is_refused_at_load(tmp_path: Path, page_index: Path, damage: str) -> None:
    import shutil

    from qa.errors import ChecksumError
    from qa.indexing.store import read_manifest

    index_dir = tmp_path / "damaged"
    shutil.copytree(page_index, index_dir)
    articles = index_dir / read_manifest(index_dir)["generation"] / "articles.jsonl"
    text = articles.read_text("utf-8")
    # The checksums run beside the model loading: a damaged file must still stop the load,
    # whether the damage is silent (same length) or breaks the parsing.
    articles.write_text(
        text.replace("株洲", "珠洲", 1) if damage == "edit" else text[:500], "utf-8"
    )
    with pytest.raises(ChecksumError, match=r"articles\.jsonl is corrupt"):
        Pipeline.load(index_dir, embedder=HashEmbedder(64), reader="fast")


def test_the_calibrator_sets_the_confidence_and_the_threshold(page_index: Path) -> None:
    sure = LogisticModel(tuple(0.0 for _ in FEATURES), 3.0)  # P = 0.953 whatever the signals
    calibrator = Calibrator({"fast": sure}, {"fast": 0.96}, {})
    pipeline = Pipeline.load(page_index, embedder=HashEmbedder(64), reader="fast",
                             calibrator=calibrator)  # fmt: skip
    raw = pipeline.ask("湘赣边数字贸易总部中心的出资额是多少?", abstain=False)
    assert raw.answer == "5000万元" and raw.confidence == pytest.approx(0.9526, abs=1e-4)
    assert raw.signals is not None and raw.signals.reader == "fast" and raw.threshold == 0.96
    withheld = pipeline.ask("湘赣边数字贸易总部中心的出资额是多少?")
    assert withheld.abstained and " / " in withheld.reason
    assert withheld.to_dict()["signals"]["reader"] == "fast"


def test_an_answer_about_another_place_is_withheld(page_index: Path) -> None:
    sure = LogisticModel(tuple(0.0 for _ in FEATURES), 3.0)
    calibrator = Calibrator({"fast": sure}, {"fast": 0.5}, {})
    pipeline = Pipeline.load(page_index, embedder=HashEmbedder(64), reader="fast",
                             calibrator=calibrator)  # fmt: skip
    answer = pipeline.ask("岳阳的项目总投资多少?")
    assert answer.abstained and answer.confidence <= SUBJECT_CAP
    assert "岳阳" in answer.reason


def _as_printed(text: str) -> str:
    """A text with the page repairs of ingest undone: no line breaks (columns are joined),
    no invisible or control characters, no white space at line ends."""
    return "".join(clean_line(line) for line in text.splitlines())


def test_every_quote_of_the_benchmark_is_in_the_printed_page(pipeline: Pipeline) -> None:
    """What a reporter pastes into a search of the newspaper finds the page: every quote,
    answer and passage of every benchmark question, as printed, full-width marks and all."""
    from eval.datasets import SPLITS, load_jsonl

    page = _as_printed(PAGE.read_text("utf-8"))
    quotes = []
    for split in sorted(SPLITS):
        for item in load_jsonl(SPLITS[split]):
            answer = pipeline.ask(item.question, abstain=False)
            check_citations(pipeline, answer)
            for citation in answer.citations:
                assert _as_printed(citation.quote) in page, (item.id, citation.quote)
                quotes.append(citation.quote)
            for passage in answer.passages:
                article = pipeline.snapshot.articles[passage.article_id]
                assert article.text[passage.start : passage.end] == passage.text
                assert _as_printed(passage.text) in page
            if answer.answer:
                assert _as_printed(answer.answer) in page
    assert len(quotes) > 250
    # as printed: the page sets most commas in ASCII, but its 12 full-width ones stay so
    assert sum("，" in q for q in quotes) >= 5
