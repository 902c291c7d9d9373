"""Fact checks through the pipeline over the page (hash embedder: BM25 finds the evidence)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from qa.checking.values import Value, find_values
from qa.checking.verify import masked_question
from qa.encoders.embedding import HashEmbedder
from qa.errors import UsageError
from qa.pipeline import Pipeline
from qa.present.text import render_check_text
from qa.question import AnswerType, QuestionAnalysis
from qa.reading.protocol import Reading, Sentence, Span
from qa.retrieval.fusion import FusionConfig
from qa.types import CheckReport, Hit, Verdict


@pytest.fixture()
def pipeline(page_index: Path) -> Pipeline:
    return Pipeline.load(page_index, embedder=HashEmbedder(64), reader="fast", calibrator=False)


def verified(pipeline: Pipeline, report: CheckReport) -> None:
    """Every evidence quote and aligned value is the article's printed text at its offsets."""
    for verdict in report.verdicts:
        assert report.text[verdict.start : verdict.end] == verdict.statement
        if verdict.evidence is None:
            continue
        article = pipeline.snapshot.articles[verdict.evidence.article_id]
        text = article.part(verdict.evidence.part)
        assert text[verdict.evidence.start : verdict.evidence.end] == verdict.evidence.quote
        for alignment in verdict.alignments:
            if alignment.start is not None:
                assert text[alignment.start : alignment.end] == alignment.printed
                assert verdict.evidence.start <= alignment.start < alignment.end
                assert alignment.end <= verdict.evidence.end


def _close_sentence(pipeline: Pipeline, said: str) -> Sentence:
    """The page's text ``said`` as a sentence that covers a statement closely (0.9)."""
    chunk = next(c for c in pipeline.snapshot.chunks if said in c.text)
    article = pipeline.snapshot.articles[chunk.article_id]
    start = chunk.start + chunk.text.index(said)
    return Sentence(article, chunk, start, start + len(said), said, 1, 0.9, 0.9, 0.9)


def _judged(pipeline: Pipeline, sentence: Sentence, claim: str,
            vouched: tuple[int, int] | None = None) -> str | None:  # fmt: skip
    """The verdict ``sentence`` alone gives ``claim`` (one statement), as the checker
    judges it: an English one in the words of the passages retrieved for it."""
    from qa.checking.claims import split_statements
    from qa.textnorm import matching_view

    (statement,) = split_statements(matching_view(claim).text)
    expansion = None
    if statement.english:
        hits = pipeline.retriever.search(statement.query, 8, None, "hybrid").hits
        expansion = pipeline._local_expansion(statement.query, hits[:5])
    facts = find_values(statement.text, english=statement.english)
    discount = 0.9 if statement.english else 1.0
    outcome = pipeline.checker._judge(statement, sentence, facts, [], [], expansion, discount,
                                      vouched=vouched)  # fmt: skip
    return outcome.verdict if outcome else None


def single(pipeline: Pipeline, claim: str) -> Verdict:
    report = pipeline.check(claim)
    verified(pipeline, report)
    assert len(report.verdicts) == 1, report.verdicts
    return report.verdicts[0]


def test_the_reporters_paragraph_gets_a_verdict_per_statement(pipeline: Pipeline) -> None:
    text = "2025年株洲全社会物流总费用与GDP的比率为13.5%，节约社会物流成本约20亿元。"
    report = pipeline.check(text)
    verified(pipeline, report)
    ratio, saving = report.verdicts
    assert ratio.verdict == "supported"
    assert saving.verdict == "contradicted"
    (wrong,) = [a for a in saving.alignments if not a.agrees]
    assert (wrong.claimed, wrong.printed) == ("约20亿元", "近12亿元")
    assert "近12亿元" in saving.note and "约20亿元" in saving.note
    assert (
        saving.evidence is not None
        and saving.evidence.title == "持续优化物流产业生态 提升城市综合竞争力"
    )
    assert saving.evidence.published_at == "2026-01-15"
    # the statement is quoted as submitted: full-width comma and all
    assert report.text == text and "，" not in ratio.statement + saving.statement


def test_a_dropped_qualifier_is_supported_with_the_articles_wording(pipeline: Pipeline) -> None:
    verdict = single(pipeline, "2025年株洲节约社会物流成本12亿元。")
    assert verdict.verdict == "supported"
    assert "近12亿元" in verdict.note and "nearly" in verdict.note


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("In 2025 Zhuzhou saved 1.2 billion yuan in social logistics costs.", "supported"),
        ("2025年株洲节约社会物流成本120000万元。", "supported"),
        ("2025年株洲节约社会物流成本超过12亿元。", "contradicted"),
        ("2025年株洲全社会物流总费用与GDP的比率较2021年下降0.9%。", "contradicted"),
        ("2025年株洲全社会物流总费用与GDP的比率较2021年下降0.9个百分点。", "supported"),
        ("该项目自去年5月28日签约以来已实现进出口总额2100万元。", "supported"),
    ],
)
def test_values_compare_as_values(pipeline: Pipeline, claim: str, verdict: str) -> None:
    assert single(pipeline, claim).verdict == verdict


def test_a_claim_about_another_year_or_place_is_not_found(pipeline: Pipeline) -> None:
    other_year = single(pipeline, "2023年株洲全社会物流总费用与GDP的比率为13.5%。")
    assert other_year.verdict == "not_found" and "2023" in other_year.note
    assert single(pipeline, "2025年湘潭全社会物流总费用与GDP的比率为13.5%。").verdict == "not_found"


def test_an_english_claim_checks_against_the_chinese_article(pipeline: Pipeline) -> None:
    verdict = single(pipeline, "Zhuzhou saved about 2 billion yuan in logistics costs in 2025.")
    assert verdict.verdict == "contradicted"
    assert [a.printed for a in verdict.alignments if not a.agrees] == ["近12亿元"]


def test_a_name_in_the_wrong_role_is_contradicted(pipeline: Pipeline) -> None:
    verdict = single(pipeline, "邓元山当选中国工程院院士。")
    assert verdict.verdict == "contradicted"
    assert verdict.alignments[0].printed == "冯江华"
    assert single(pipeline, "冯江华当选中国工程院院士。").verdict == "supported"


def test_a_claim_nothing_decides_is_not_found(pipeline: Pipeline) -> None:
    verdict = single(pipeline, "火星基地的水资源储量为三百万吨。")
    assert verdict.verdict == "not_found" and verdict.evidence is None


def test_the_report_round_trips_as_json_and_renders(pipeline: Pipeline) -> None:
    report = pipeline.check("2025年株洲节约社会物流成本约20亿元。")
    data = report.to_dict()
    assert data["verdicts"][0]["verdict"] == "contradicted"
    assert data["verdicts"][0]["evidence"]["quote"] in report.verdicts[0].evidence.quote
    text = render_check_text(report)
    assert "【近12亿元】" in text and "不符 / contradicted" in text


def test_bad_input_is_a_usage_error(pipeline: Pipeline) -> None:
    with pytest.raises(UsageError, match="empty"):
        pipeline.check("   ")
    with pytest.raises(UsageError, match="statements"):
        pipeline.check("株洲节约社会物流成本近12亿元。" * 25)
    with pytest.raises(UsageError, match="k=0"):
        pipeline.check("株洲节约社会物流成本近12亿元。", k=0)


def test_a_statement_that_swaps_one_name_in_the_sentences_wording_is_contradicted(
    pipeline: Pipeline,
) -> None:
    verdict = single(pipeline, "湘赣边数字贸易总部中心项目由大龙网集团与茶陵城发集团联合出资建设。")
    assert verdict.verdict == "contradicted"
    assert (verdict.alignments[0].claimed, verdict.alignments[0].printed) == (
        "茶陵城发集团",
        "沐水集团",
    )
    # the same wording with the article's names is borne out
    right = single(pipeline, "湘赣边数字贸易总部中心项目由大龙网集团和沐水集团共同出资打造。")
    assert right.verdict == "supported"


def test_another_publication_or_an_unprinted_organisation_in_the_role_is_a_mix_up(
    pipeline: Pipeline,
) -> None:
    paper = single(
        pipeline, "习近平的重要文章《在中央城市工作会议上的讲话》将刊登在《人民日报》上。"
    )
    assert paper.verdict == "contradicted"
    assert (paper.alignments[0].claimed, paper.alignments[0].printed) == (
        "《人民日报》",
        "《求是》",
    )
    office = single(pipeline, "第六批湖南省制造业单项冠军企业公示名单由湖南省发改委发布。")
    assert office.verdict == "contradicted" and office.alignments[0].printed == "省工信厅"


def test_an_english_claim_about_a_place_the_passages_never_name_is_not_found(
    pipeline: Pipeline,
) -> None:
    # 岳阳 is nowhere on the page: the ratio of 13.5% is Zhuzhou's, not Yueyang's
    verdict = single(pipeline, "Yueyang's ratio of total social logistics costs to GDP was "
                               "13.5% in 2025.")  # fmt: skip
    assert verdict.verdict == "not_found" and "Yueyang" in verdict.note
    zhuzhou = "Zhuzhou's ratio of total social logistics costs to GDP was 13.5% in 2025."
    assert single(pipeline, zhuzhou).verdict == "supported"


def test_an_english_value_is_aligned_to_its_own_item_of_a_list(pipeline: Pipeline) -> None:
    # 国家级制造业单项冠军11个、省级制造业单项冠军18个: one clause, two counts
    claim = "Shifeng District has so far cultivated {} national-level manufacturing champions."
    right = single(pipeline, claim.format(11))
    assert right.verdict == "supported" and right.alignments[0].printed == "11个"
    wrong = single(pipeline, claim.format(18))
    assert wrong.verdict == "contradicted"
    assert [a.printed for a in wrong.alignments if not a.agrees] == ["11个"]


def test_a_name_changed_inside_its_frame_is_contradicted(pipeline: Pipeline) -> None:
    # 经济 alone is no name; 中央经济工作会议, framed like the article's 中央城市工作会议, is
    claim = "《求是》杂志此次发表的习近平重要文章,是他在中央{}工作会议上的讲话。"
    wrong = single(pipeline, claim.format("经济"))
    assert wrong.verdict == "contradicted"
    assert [(a.claimed, a.printed) for a in wrong.alignments] == [
        ("中央经济工作会议", "中央城市工作会议")
    ]
    assert single(pipeline, claim.format("城市")).verdict == "supported"


def test_the_sentence_encoder_vouches_for_an_english_contradiction(pipeline: Pipeline) -> None:
    # million for 亿: renderings alone cover too little of it for a contradiction (repayment)
    # in the passages as fused; re-ordered by their rendered words (the default), the
    # passage that decides it comes first and needs no vouching
    claim = "Zhuzhou has completed the repayment of 93.88 million yuan of chain debts."
    assert single(pipeline, claim).verdict == "contradicted"
    pipeline.retriever.config = FusionConfig(cover_depth=0)
    verdict = single(pipeline, claim)
    assert verdict.verdict == "contradicted"
    assert [a.printed for a in verdict.alignments if not a.agrees] == ["93.88亿元"]
    pipeline.checker.similarity = None
    # the reader, asked "…the repayment of how much of chain debts?", vouches for it too
    assert single(pipeline, claim).verdict == "contradicted"
    pipeline.checker.config = replace(pipeline.checker.config, ask_reader=False)
    # …and so does its article, in its own words (Checker.check_english), unless a
    # contradiction found so must cover more than any sentence can
    assert single(pipeline, claim).verdict == "contradicted"
    pipeline.checker.config = replace(pipeline.checker.config, english_article_cover=1.01)
    assert single(pipeline, claim).verdict == "not_found"


@pytest.mark.parametrize(
    ("claim", "claimed", "printed"),
    [
        ("获得中国质量奖提名奖的是华锐精密。", "华锐精密", "株硬集团"),
        ("获得省长质量奖的是株硬集团。", "株硬集团", "华锐精密"),
    ],
)
def test_what_one_clause_says_of_another_name_is_contradicted(
    pipeline: Pipeline, claim: str, claimed: str, printed: str
) -> None:
    # 株硬集团获中国质量奖提名奖,华锐精密获省长质量奖: each award has its own clause
    verdict = single(pipeline, claim)
    assert verdict.verdict == "contradicted"
    assert [(a.claimed, a.printed) for a in verdict.alignments] == [(claimed, printed)]
    assert single(pipeline, "华锐精密获得省长质量奖。").verdict == "supported"


@pytest.mark.parametrize(
    ("claim", "english", "question"),
    [
        ("2025年株洲节约社会物流成本近12亿元。", False, "2025年株洲节约社会物流成本多少元？"),
        ("优多新材计划明年布局5条涂布线。", False, "优多新材计划明年布局多少条涂布线？"),
        ("The base will create 300 jobs.", True, "The base will create how many jobs?"),
        ("Work starts on January 8.", True, "Work starts on when?"),
    ],
)
def test_a_value_is_masked_by_a_question_word(claim: str, english: bool, question: str) -> None:
    value = next(v for v in find_values(claim, english=english) if v.kind != "date" or
                 "January" in claim)  # fmt: skip
    assert masked_question(claim, value, english) == question


class _ReaderSaying:
    """A reader that answers every question with the first passage span equal to ``answer``."""

    def __init__(self, answer: str, confidence: float) -> None:
        self.answer, self.confidence = answer, confidence
        self.questions: list[str] = []

    def read(self, question: QuestionAnalysis, hits: Sequence[Hit], *,
             abstain: bool = True) -> Reading:  # fmt: skip
        self.questions.append(question.text)
        for hit in hits:
            at = hit.chunk.text.find(self.answer)
            if at >= 0:
                start = hit.chunk.start + at
                sentence = Sentence(hit.article, hit.chunk, hit.chunk.start,
                                    hit.chunk.start + len(hit.chunk.text), hit.chunk.text,
                                    hit.rank, 0.0, 0.0, 0.0)  # fmt: skip
                span = Span(sentence, start, start + len(self.answer), self.answer,
                            AnswerType.DATE)  # fmt: skip
                return Reading(span, self.confidence, (sentence,), "")
        return Reading(None, 0.0, (), "")

    def threshold(self, english: bool) -> float:
        return 0.0


def test_the_reader_finds_the_sentence_a_paraphrase_speaks_of(pipeline: Pipeline) -> None:
    # 订单已经排到了今年5月份: the sentence itself lacks the company, so its cover is too
    # low for the rules alone; the reader, asked when, reads 5月份 in it
    claim = "湖南亚美茶油股份有限公司的订单目前已排到今年7月份。"
    pipeline.checker.reader = _ReaderSaying("5月份", 0.9)
    pipeline.checker.config = replace(pipeline.checker.config, ask_reader=False)
    assert single(pipeline, claim).verdict == "not_found"
    pipeline.checker.config = replace(pipeline.checker.config, ask_reader=True)
    verdict = single(pipeline, claim)
    assert verdict.verdict == "contradicted"
    assert [(a.claimed, a.printed) for a in verdict.alignments] == [("今年7月", "今年5月")]
    asked = pipeline.checker.reader.questions
    assert asked == ["湖南亚美茶油股份有限公司的订单目前已排到什么时候？"]
    # an unsure reading vouches for nothing
    pipeline.checker.reader = _ReaderSaying("5月份", 0.1)
    assert single(pipeline, claim).verdict == "not_found"


def test_the_readers_sentence_still_answers_for_year_and_place(pipeline: Pipeline) -> None:
    pipeline.checker.reader = _ReaderSaying("13.5%", 0.99)
    for claim in ("2023年株洲全社会物流总费用与GDP的比率为13.5%。",
                  "2025年湘潭全社会物流总费用与GDP的比率为13.5%。"):  # fmt: skip
        assert single(pipeline, claim).verdict == "not_found"


def test_the_reader_asked_where_names_another_place(pipeline: Pipeline) -> None:
    # 思微特拟在无锡投资建设…: asked where, the reader reads 无锡 in the sentence that says
    # the rest of the claim, which never names 苏州 (a claim not in the sentence's 在X建设
    # frame, which would decide it without the reader)
    claim = "宏达电子控股子公司思微特的特种器件晶圆制造封测基地项目选址苏州。"
    pipeline.checker.reader = _ReaderSaying("无锡", 0.9)
    verdict = single(pipeline, claim)
    assert verdict.verdict == "contradicted"
    assert [(a.claimed, a.printed, a.agrees) for a in verdict.alignments] == [
        ("苏州", "无锡", False)
    ]
    assert "项目选址哪里" in "".join(pipeline.checker.reader.questions)
    # the claim's own place, or an unsure reading, contradicts nothing
    pipeline.checker.reader = _ReaderSaying("无锡", 0.1)
    assert single(pipeline, claim).verdict == "not_found"
    pipeline.checker.reader = _ReaderSaying("无锡", 0.9)
    assert single(pipeline, claim.replace("苏州", "无锡")).verdict != "contradicted"


def test_the_heading_is_evidence_with_offsets_in_it(pipeline: Pipeline) -> None:
    # the headline sums up: 29 national and provincial champions (the text lists 11 + 18)
    report = pipeline.check("石峰区累计培育的国家级和省级制造业单项冠军合计29个。")
    verified(pipeline, report)
    (verdict,) = report.verdicts
    assert verdict.verdict == "supported" and verdict.evidence is not None
    assert verdict.evidence.part == "heading"
    assert "石峰区累计培育29个国省级制造业单项冠军" in verdict.evidence.quote
    article = pipeline.snapshot.articles[verdict.evidence.article_id]
    assert verdict.evidence.quote in article.heading and verdict.evidence.quote not in article.text
    assert [a.printed for a in verdict.alignments] == ["29个"]
    # the subtitle dates the report the text never dates
    dated = single(pipeline, "陈恢清的政府工作报告是在2025年12月24日株洲市第十六届人民代表大会"
                             "第五次会议上作出的。")  # fmt: skip
    assert dated.verdict == "supported" and dated.evidence is not None
    assert dated.evidence.part == "heading"
    assert any(a.printed == "2025年12月24日" for a in dated.alignments)


def test_heading_lines_in_print_order_without_the_dateline(pipeline: Pipeline) -> None:
    by_title = {a.title: a for a in pipeline.snapshot.articles.values()}
    logistics = by_title["持续优化物流产业生态 提升城市综合竞争力"]
    assert logistics.heading.split("\n") == [
        "曹慧泉在物流高质量发展座谈会上强调", "持续优化物流产业生态 提升城市综合竞争力",
        "陈恢清出席并讲话", "株洲日报(全媒体记者/周菁)",
    ]  # fmt: skip
    assert logistics.part("heading") == logistics.heading
    assert logistics.part("text") is logistics.text
    with pytest.raises(ValueError, match="part 'lead'"):
        logistics.part("lead")
    # a dispatch's dateline dates the dispatch, not the issue it announces (1月16日出版)
    qiushi = single(
        pipeline, "刊登习近平《在中央城市工作会议上的讲话》一文的《求是》杂志于1月15日出版。"
    )
    assert qiushi.verdict == "contradicted"


def test_a_figure_named_in_another_clause_of_the_sentence_is_not_contradicted(
    pipeline: Pipeline,
) -> None:
    # 物流总费用 is the ratio's (13.5%), not the saving's (近12亿元), the only money
    total = single(pipeline, "2025年株洲全社会物流总费用约为600亿元。")
    assert total.verdict != "contradicted"
    # the saving itself still is
    saving = single(pipeline, "2025年株洲节约社会物流成本约20亿元。")
    assert saving.verdict == "contradicted" and saving.alignments[0].printed == "近12亿元"


def test_a_figure_of_something_the_article_never_names_is_not_contradicted(
    pipeline: Pipeline,
) -> None:
    # the article gives the investment (总投资达10亿元), never an annual output (年产值)
    output = single(pipeline, "思微特特种器件晶圆制造封测基地项目建成后预计年产值可达20亿元。")
    assert output.verdict != "contradicted"
    invest = single(pipeline, "思微特特种器件晶圆制造封测基地项目总投资达20亿元。")
    assert invest.verdict == "contradicted" and invest.alignments[0].printed == "10亿元"


def test_the_items_of_a_list_the_claim_quotes_are_no_rivals(pipeline: Pipeline) -> None:
    verdict = single(
        pipeline, "湘赣边数字贸易总部中心共设有7大板块，包括细分行业集采中心、品牌中心等。"
    )
    assert verdict.verdict != "contradicted"


def test_a_subject_said_once_carries_through_its_sentence(pipeline: Pipeline) -> None:
    carried = single(
        pipeline, "思微特计划在无锡高新区开展半导体特种器件芯片的研究、设计、生产及封测等业务。"
    )
    assert carried.verdict == "supported"
    # …but not into the clause of another person (冯江华当选…院士,邓元山、柳祥国获评“大国工匠”)
    other = single(pipeline, "邓元山当选中国工程院院士。")
    assert other.verdict != "supported"


def test_a_person_the_article_never_names_gets_no_support_from_its_figures(
    pipeline: Pipeline,
) -> None:
    verdict = single(
        pipeline, "在株洲市第十六届人民代表大会第五次会议上，市委书记曹慧泉作政府工作报告。"
    )
    assert verdict.verdict != "supported"
    right = single(pipeline, "在株洲市第十六届人民代表大会第五次会议上，市长陈恢清作政府工作报告。")
    assert right.verdict == "supported"


def test_an_organisation_or_place_named_by_its_distinctive_part(pipeline: Pipeline) -> None:
    # the article says 宏达电子…该公司控股子公司…思微特, never 宏达电子子公司
    verdict = single(pipeline, "宏达电子子公司思微特的特种器件晶圆制造封测基地项目计划分两期实施。")
    assert verdict.verdict == "supported"
    # the article on 株洲 says 城中村改造, never 株洲城中村
    houses = single(pipeline, "株洲城中村改造发放的房票不足1400张。")
    assert houses.verdict == "contradicted" and houses.alignments[0].printed == "1400多张"


def test_an_english_value_is_aligned_by_what_it_is_of(pipeline: Pipeline) -> None:
    # 新增12.1亿元本地国内贸易额、9亿元外贸进出口额: "in foreign trade" picks the second
    verdict = single(
        pipeline,
        "The Xiang-Gan Border Digital Trade Headquarters Center is expected to add 900 million "
        "yuan in foreign trade imports and exports over the next five years.",
    )
    assert verdict.verdict == "supported"
    assert [a.printed for a in verdict.alignments if a.kind == "money"] == ["9亿元"]


def test_an_english_place_the_deciding_article_never_spells_is_not_borne_out(
    pipeline: Pipeline,
) -> None:
    # 第二届湖南省油茶节在攸县举办; Liling (醴陵) is in another article of the page
    verdict = single(
        pipeline, "The second Hunan Provincial Camellia Oil Festival was hosted in Liling."
    )
    assert verdict.verdict != "supported"
    right = single(
        pipeline, "The second Hunan Provincial Camellia Oil Festival was hosted in You County."
    )
    assert right.verdict != "contradicted"


def test_an_english_values_window_runs_on_to_what_it_is_of() -> None:
    from qa.checking.english import english_window

    claim = "The center will add 900 million yuan in foreign trade imports, says the report."
    (value,) = find_values(claim, english=True)
    assert english_window(claim, value) == "The center will add foreign trade imports"
    plain = "It will add 900 million yuan."
    assert english_window(plain, find_values(plain, english=True)[0]) == "It will add"


def test_the_claims_own_number_in_another_unit_is_the_value_it_miswrote(
    pipeline: Pipeline,
) -> None:
    # 一期租赁标准厂房约6000平方米…建成1100吨挤压生产线、3000吨挤压生产线
    verdict = single(
        pipeline,
        "Phase I of the Yanling aluminum project will lease roughly 6,000 mu of standard "
        "factory buildings.",
    )
    assert verdict.verdict == "contradicted"
    assert [a.printed for a in verdict.alignments if not a.agrees] == ["约6000平方米"]


def test_a_subject_the_lead_introduces_needs_no_naming_in_its_sentence(
    pipeline: Pipeline,
) -> None:
    # 二期根据…择机建设高可靠半导体芯片流片线: 思微特 is the lead's; 高可靠 (read as a
    # name) is the claim's own word, not another subject
    verdict = single(pipeline, "思微特封测基地项目二期将择机建设高可靠半导体芯片流片线。")
    assert verdict.verdict == "supported"


def test_an_english_organisation_the_passages_never_name_is_a_mix_up(pipeline: Pipeline) -> None:
    # 由大龙网集团和沐水集团共同出资打造: Sany is spelled nowhere; 沐水集团 is the group there
    verdict = single(
        pipeline,
        "Dalongwang Group co-funded the Hunan-Jiangxi Border Digital Trade Headquarters Center "
        "together with Sany Group.",
    )
    assert verdict.verdict == "contradicted"
    assert (verdict.alignments[0].claimed, verdict.alignments[0].printed) == (
        "Sany Group",
        "沐水集团",
    )
    # the group the article names bears it out
    right = single(
        pipeline,
        "Dalongwang Group co-funded the Hunan-Jiangxi Border Digital Trade Headquarters Center "
        "together with Mushui Group.",
    )
    assert right.verdict != "contradicted"


def test_unsaid_organisations_skip_acronyms_and_generic_words() -> None:
    from qa.checking.english import unsaid_organisations

    passages = "株洲:中车株所营收有望突破700亿元,冯江华当选中国工程院院士"
    assert unsaid_organisations("CRRC Zhuzhou Institute grew.", None, passages) == []
    assert unsaid_organisations("He joined the Chinese Academy of Sciences.", None, passages) == [
        ("Chinese Academy of Sciences", "Sciences")
    ]
    # a company's descriptive words (New Material Technology) tell no company apart
    firm = "湖南优多新材料科技有限公司生产主管张宗才说"
    assert unsaid_organisations("Hunan Youduo New Material Technology Co. grew.", None,
                                 firm) == []  # fmt: skip


def test_one_person_for_another_in_the_sentences_frame_is_contradicted(pipeline: Pipeline) -> None:
    # 湖南亚美茶油股份有限公司生产部副部长陈荣介绍: 张宗才 is another firm's 生产主管 there
    verdict = single(
        pipeline,
        "据湖南亚美茶油股份有限公司生产部副部长张宗才介绍，该公司预计2026年销售额将同比增加50%以上。",
    )
    assert verdict.verdict == "contradicted"
    assert (verdict.alignments[0].claimed, verdict.alignments[0].printed) == ("张宗才", "陈荣")
    right = single(
        pipeline,
        "据湖南亚美茶油股份有限公司生产部副部长陈荣介绍，该公司预计2026年销售额将同比增加50%以上。",
    )
    assert right.verdict == "supported"


def test_the_reader_contradicts_only_from_a_passage_that_names_the_claims_subject(
    pipeline: Pipeline,
) -> None:
    # the reader reads a figure anywhere; a passage that never says what the claim is
    # about (炎陵高新区) gives another's figure (订单已经排到了今年5月份 is 亚美茶油's)
    said = "订单已经排到了今年5月份"
    # as close a sentence as the rules would ever let the reader vouch for
    sentence = _close_sentence(pipeline, said)
    at = said.index("5月份")

    def judged(claim: str) -> str | None:
        return _judged(pipeline, sentence, claim, vouched=(at, at + 3))

    assert judged("湖南亚美茶油股份有限公司的订单已经排到了今年7月份。") == "contradicted"
    assert judged("炎陵高新区铝基材料项目的订单已经排到了今年7月份。") is None


def test_where_an_event_was_held_is_its_fact_not_its_scope(pipeline: Pipeline) -> None:
    from qa.checking.names import event_place

    assert event_place("启动仪式的举办地是炎陵。", english=False) == "炎陵"
    assert event_place("The ceremony took place in You County.", english=True) == "You County"
    assert event_place("The plant was built in 2019 in January.", english=True) is None
    assert event_place("株洲2025年节约物流成本近12亿元。", english=False) is None
    # a place the article never names, where the event was held: contradicted, not not_found
    for claim in ("湘赣边数字贸易总部中心运营启动仪式的举办地是炎陵。",
                  "湘赣边数字贸易总部中心的运营启动仪式在攸县举行。"):  # fmt: skip
        verdict = single(pipeline, claim)
        assert verdict.verdict == "contradicted", verdict
        (wrong,) = [a for a in verdict.alignments if not a.agrees]
        assert wrong.printed == "茶陵"
    assert single(pipeline, "第二届湖南省油茶节在攸县举办。").verdict == "supported"
    # the place scoping a figure stays a scope (茶陵县 is not the ratio's city)
    scoped = single(pipeline, "2025年茶陵县全社会物流总费用与GDP的比率为13.5%。")
    assert scoped.verdict == "not_found"


def test_which_document_says_it_is_no_part_of_the_claim(pipeline: Pipeline) -> None:
    from qa.checking.facts import unattributed

    assert unattributed("据株洲市政府工作报告,邓元山当选中国工程院院士。", False) == (
        "邓元山当选中国工程院院士。")  # fmt: skip
    assert unattributed("According to the government work report, Zhuzhou saved 1.2 "
                         "billion yuan.", True) == "Zhuzhou saved 1.2 billion yuan."  # fmt: skip
    # a speaker may be the fact: kept
    speaker = "据陈荣介绍,该公司预计2026年销售额将同比增加50%以上。"
    assert unattributed(speaker, False) == speaker
    assert unattributed("According to Chen Rong, sales will grow by half.", True).startswith(
        "According")  # fmt: skip
    verdict = single(pipeline, "据株洲市政府工作报告,邓元山当选中国工程院院士。")
    assert verdict.verdict == "contradicted"
    assert [a.printed for a in verdict.alignments if not a.agrees] == ["冯江华"]


def test_an_organisation_the_article_never_names_in_the_sentences_wording(
    pipeline: Pipeline,
) -> None:
    verdict = single(pipeline, "湘赣边数字贸易总部中心项目由大龙网集团与三一集团联合出资建设。")
    assert verdict.verdict == "contradicted"
    assert [(a.claimed, a.printed) for a in verdict.alignments if not a.agrees] == [
        ("三一集团", "沐水集团")]  # fmt: skip
    # another place, worded alike, is another scope
    assert single(pipeline, "2025年湘潭市全社会物流总费用与GDP的比率为13.5%。").verdict == (
        "not_found")  # fmt: skip


def test_a_part_is_aligned_to_its_own_figure_not_the_total_beside_it(pipeline: Pipeline) -> None:
    # 总投资10亿元…:一期将于2026至2028年实施,投资3亿元
    verdict = single(pipeline, "思微特无锡特种器件晶圆制造封测基地项目一期投资3亿元。")
    assert verdict.verdict == "supported", verdict
    assert [a.printed for a in verdict.alignments] == ["3亿元"]
    wrong = single(pipeline, "思微特无锡特种器件晶圆制造封测基地项目一期投资5亿元。")
    assert wrong.verdict == "contradicted"


def test_a_taggers_place_the_dictionary_knows_as_a_common_word_is_no_name() -> None:
    from qa.checking.names import found_name, name_candidates

    names = [n.text for n in name_candidates("曹慧泉提出,株洲要深度融入长株潭都市圈。")]
    assert "株洲" in names and "深度" not in names and "都市" not in names
    # an organisation found by its distinctive part, its region's kind kept
    text = "会上,市发改委汇报了物流降本增效整体工作情况。"
    at, length = found_name("株洲市发改委", text)
    assert text[at : at + length] == "市发改委"
    assert found_name("省工信厅", text) == (-1, 0)


def test_an_organisation_named_without_its_city_bears_its_claim_out(pipeline: Pipeline) -> None:
    verdict = single(pipeline, "座谈会上，株洲市发改委就物流降本增效的整体工作情况作了汇报。")
    assert verdict.verdict == "supported", verdict


def test_values_repeated_as_claimed_do_not_weaken_the_one_that_differs(
    pipeline: Pipeline,
) -> None:
    # the heading: ——2025年12月24日在株洲市第十六届人民代表大会第五次会议上
    verdict = single(pipeline, "株洲市市长陈恢清于2025年12月26日在市第十六届人大第五次会议上"
                               "作政府工作报告。")  # fmt: skip
    assert verdict.verdict == "contradicted", verdict
    assert verdict.evidence is not None and verdict.evidence.part == "heading"
    assert [(a.claimed, a.printed) for a in verdict.alignments if not a.agrees] == [
        ("2025年12月26日", "2025年12月24日")]  # fmt: skip


def test_a_date_is_contradicted_only_by_the_date_of_the_same_event(pipeline: Pipeline) -> None:
    # 该项目自去年5月28日签约以来…, not 1月14日上午…运营启动仪式 (whatever the reader says)
    from qa.checking.facts import event_word

    claim = "湘赣边数字贸易总部中心项目于去年6月28日签约。"
    (date,) = find_values(claim, english=False)
    assert event_word(claim, date) == "签约"
    pipeline.checker.reader = _ReaderSaying("1月14日", 0.9)
    assert single(pipeline, claim).verdict != "contradicted"
    pipeline.checker.reader = _ReaderSaying("5月28日", 0.9)
    verdict = single(pipeline, claim)
    assert verdict.verdict == "contradicted", verdict
    assert verdict.evidence is not None and "签约" in verdict.evidence.quote
    assert [a.printed for a in verdict.alignments if not a.agrees] == ["去年5月28日"]


def test_the_items_of_a_list_the_claim_quotes_are_no_rivals_of_its_subject(
    pipeline: Pipeline,
) -> None:
    # 大龙网以项目为载体…,包含细分行业集采中心、品牌中心、数字贸易产业大数据中心等7大板块
    verdict = single(pipeline, "湘赣边数字贸易总部中心设有细分行业集采中心、品牌中心等7大板块。")
    assert verdict.verdict == "supported", verdict
    assert verdict.evidence is not None and "7大板块" in verdict.evidence.quote


def test_an_english_person_in_anothers_place_is_contradicted(pipeline: Pipeline) -> None:
    from qa.checking.english import english_people
    from qa.types import Expansion

    expansion = Expansion((("Chen Huiqing", ("陈恢清",)), ("symposium", ("座谈会",))))
    assert english_people(expansion) == [("Chen Huiqing", ("陈恢清",))]
    # 1月15日,市委书记曹慧泉主持召开物流高质量发展座谈会
    for claim in ("Zhuzhou mayor Chen Huiqing chaired the city's symposium on high-quality "
                  "logistics development.",
                  "Zhuzhou mayor Chen Huiqing chaired the city's symposium on high-quality "
                  "logistics development on January 15."):  # fmt: skip
        verdict = single(pipeline, claim)
        assert verdict.verdict != "supported", verdict
        if verdict.verdict == "contradicted":
            assert [a.printed for a in verdict.alignments if not a.agrees] == ["曹慧泉"]


def test_a_phases_figure_is_only_that_phases(pipeline: Pipeline) -> None:
    from qa.checking.facts import phase_of

    claim = "思微特特种器件晶圆制造封测基地项目一期计划投入3亿元。"
    (money,) = find_values(claim, english=False)
    assert phase_of(claim, money) == "一期"
    assert phase_of("Phase one of Siweite's Wuxi base will cost 500 million yuan.", money,
                     english=True) == "一期"  # fmt: skip
    assert phase_of("Youduo launched its phase II construction.", money, english=True) == "二期"
    assert phase_of("The project will be built in two phases.", money, english=True) is None
    # 总投资10亿元人民币,计划分两期实施:一期将于2026至2028年实施,投资3亿元
    verdict = single(pipeline, claim)
    assert verdict.verdict != "contradicted", verdict
    assert all(a.printed != "10亿元" for a in verdict.alignments)


def test_a_growth_rate_is_not_a_ratio() -> None:
    from qa.checking.facts import is_change

    def change(text: str, english: bool = False) -> bool:
        value = next(v for v in find_values(text, english=english) if v.family == "rate")
        return is_change(text, value, english)

    assert change("预计全年地区生产总值增长5.7%左右")
    assert change("该公司预计2026年销售额将同比增加50%以上")
    assert not change("2025年,株洲全社会物流总费用与GDP的比率为13.5%")
    assert change("Zhuzhou's GDP is expected to have grown by 5.7% in 2025.", english=True)
    assert not change("a 45.5% share of invention patents", english=True)


def test_a_value_is_named_by_the_words_of_its_own_list_item(pipeline: Pipeline) -> None:
    # 预计未来5年将为湘赣边地区新增12.1亿元本地国内贸易额、9亿元外贸进出口额
    verdict = single(pipeline, "湘赣边数字贸易总部中心预计未来五年可为湘赣边地区新增本地国内贸易额"
                               "121000万元。")  # fmt: skip
    assert verdict.verdict != "contradicted", verdict
    assert all(a.printed != "9亿元" for a in verdict.alignments)


def test_the_dateline_dates_the_dispatch_and_nothing_else(pipeline: Pipeline) -> None:
    qiushi = next(a for a in pipeline.snapshot.articles.values() if "求是" in a.title)
    assert qiushi.part("dateline") == qiushi.dateline == "新华社北京1月15日电"
    verdict = single(pipeline, "Xinhua's report on the upcoming Qiushi article by Xi Jinping was "
                               "datelined Beijing, January 15.")  # fmt: skip
    assert verdict.verdict == "supported", verdict
    assert verdict.evidence is not None and verdict.evidence.part == "dateline"
    # the date is not the dispatch's: 1月15日电 neither bears out nor contradicts it
    for day in ("1月15日", "1月16日"):
        claim = f"刊发习近平《在中央城市工作会议上的讲话》的第2期《求是》杂志于{day}出版。"
        decided = single(pipeline, claim)
        assert decided.evidence is None or decided.evidence.part != "dateline", decided
    assert single(pipeline, "第2期《求是》杂志于1月16日出版。").verdict != "contradicted"


def test_a_conjunction_written_otherwise_is_no_swap(pipeline: Pipeline) -> None:
    # 由大龙网集团和沐水集团共同出资打造: 与 for 和 names the same two groups
    verdict = single(pipeline, "湘赣边数字贸易总部中心项目由大龙网集团与沐水集团联合出资建设。")
    assert verdict.verdict == "supported", verdict


def test_a_claims_words_after_its_value_pick_the_list_item(pipeline: Pipeline) -> None:
    # 新增12.1亿元本地国内贸易额、9亿元外贸进出口额: 外贸进出口额 is 9亿元's
    claim = "湘赣边数字贸易总部中心预计在今后五年给湘赣边地区带来9亿元的新增外贸进出口额。"
    said = "预计未来5年将为湘赣边地区新增12.1亿元本地国内贸易额、9亿元外贸进出口额"
    sentence = _close_sentence(pipeline, said)
    (value,) = find_values(claim, english=False)
    total, foreign = [v for v in find_values(said, english=False) if v.kind == "money"]
    assert (total.text, foreign.text) == ("12.1亿元", "9亿元")

    def local(candidate: object) -> float:
        return pipeline.checker._local(claim, value, False, sentence, candidate, None)

    # the agreeing value's item says what the claim counts, as nearly as the other's lead
    assert local(foreign) + 0.15 > local(total)
    assert single(pipeline, claim).verdict == "supported"


def test_an_english_date_is_contradicted_only_by_its_events_date() -> None:
    from qa.checking.english import english_event_words

    claim = "Foshan Yinzheng Machinery Equipment Co. was founded in 2010."
    (year,) = find_values(claim, english=True)
    assert "成立" in (english_event_words(claim, year) or ())
    claim = "The second Hunan Camellia Oil Festival was held in Youxian in September last year."
    month = next(v for v in find_values(claim, english=True) if v.kind == "date")
    assert "举办" in (english_event_words(claim, month) or ())
    claim = "Zhuzhou's GDP grew 5.7% in 2025."
    (_, year) = find_values(claim, english=True)
    assert english_event_words(claim, year) is None


def test_a_word_the_tagger_calls_a_name_but_the_dictionary_knows_is_none(
    pipeline: Pipeline,
) -> None:
    from qa.checking.names import name_candidates

    # jieba tags 荣获 as a person in 华锐精密荣获了省长质量奖
    assert "荣获" not in [n.text for n in name_candidates("华锐精密荣获了省长质量奖。")]
    assert single(pipeline, "华锐精密荣获了省长质量奖。").verdict == "supported"


def test_the_reader_finds_a_value_said_of_the_subject_a_sentence_before(
    pipeline: Pipeline,
) -> None:
    # 湖南亚美茶油股份有限公司… “…目前我们的订单已经排到了今年5月份。”
    claim = "湖南亚美茶油股份有限公司的订单已排到今年5月份。"
    pipeline.checker.reader = _ReaderSaying("今年5月份", 0.9)
    verdict = single(pipeline, claim)
    assert verdict.verdict == "supported", verdict
    assert verdict.evidence is not None and "我们的订单" in verdict.evidence.quote


def test_another_person_in_an_english_statements_role_needs_no_cover_of_its_name(
    pipeline: Pipeline,
) -> None:
    # 湖南优多新材料科技有限公司生产主管张宗才说: the sentence cannot say 陈荣, so its cover
    # is of the statement's other words
    verdict = single(pipeline, "Chen Rong is the production supervisor of Hunan Youduo New "
                               "Material Technology Co., Ltd.")  # fmt: skip
    assert verdict.verdict == "contradicted", verdict
    assert [a.printed for a in verdict.alignments if not a.agrees] == ["张宗才"]


_Groups = tuple[tuple[str, tuple[str, ...]], ...]


def test_an_english_statement_the_top_passages_leave_open_is_checked_per_article(
    pipeline: Pipeline,
) -> None:
    # Among thousands of articles the top passages are mostly others': their renderings
    # (here one the page never uses) crowd out the evidence's. Each article, in its own
    # words, then decides; an accusation still needs the words only the others render.
    from dataclasses import replace as changed

    from qa.checking.claims import split_statements
    from qa.textnorm import matching_view
    from qa.types import Expansion

    def render_with(foreign: _Groups) -> Callable[[Sequence[Hit]], Expansion]:
        def render(hits: Sequence[Hit]) -> Expansion:
            own = pipeline._local_expansion(statement.query, hits[:5])
            several = len({h.article.id for h in hits}) > 1
            return Expansion((*own.groups, *foreign)) if several else own
        return render

    def checked(claim: str, foreign: _Groups) -> tuple[str, str]:
        nonlocal statement
        (statement,) = split_statements(matching_view(claim).text)
        hits = pipeline.retriever.search(statement.query, 8, None, "hybrid").hits
        render = render_with(foreign)
        pooled = pipeline.checker.check(statement, hits, render(hits)).verdict
        return pooled, pipeline.checker.check_english(statement, hits, render).verdict

    statement = None
    # rare words no passage holds weigh as the rarest: the pooled words fail every sentence
    rare = (("galvanised", ("镀锌钢",)), ("gearbox", ("变速箱",)), ("lathe", ("车床",)),
            ("boiler", ("锅炉",)))  # fmt: skip
    true_claim = "Zhuzhou saved nearly 1.2 billion yuan in social logistics costs in 2025."
    assert checked(true_claim, rare) == ("not_found", "supported")
    false_claim = "Zhuzhou saved more than 1.2 billion yuan in social logistics costs in 2025."
    assert checked(false_claim, rare) == ("not_found", "not_found")
    checker = pipeline.checker
    checker.config = changed(checker.config, english_article_cover=0.0)
    assert checked(false_claim, rare) == ("not_found", "contradicted")



def test_an_english_amount_is_contradicted_only_by_its_own_clause(pipeline: Pipeline) -> None:
    # the sentence's only amount (总投资约5.1亿元) is no annual output value, however closely
    # the sentence covers the rest
    sentence = _close_sentence(pipeline, "项目总投资约5.1亿元")
    project = "The Yanling aluminum-based materials project"
    output = f"{project} will generate annual output value of 1 billion yuan."
    assert _judged(pipeline, sentence, output) is None
    investment = f"{project} has a total investment of 710 million yuan."
    assert _judged(pipeline, sentence, investment) == "contradicted"


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("首届湖南省油茶节在攸县举办。", "not_found"),  # the article reports the second
        ("第二届湖南省油茶节在攸县举办。", "supported"),
        ("在第五批湖南省制造业单项冠军企业名单中，石峰区有3家企业入选。", "not_found"),
        ("在第六批湖南省制造业单项冠军企业名单中，石峰区有4家企业入选。", "contradicted"),
    ],
)
def test_another_batch_or_edition_is_another_scope(
    pipeline: Pipeline, claim: str, verdict: str
) -> None:
    # which list or festival is the claim's scope, as a year is: one the article does not
    # report on decides nothing; the batch clause scopes the count, not a statement apart
    judged = single(pipeline, claim)
    assert judged.verdict == verdict
    if verdict == "not_found":
        assert "the article reports 第" in judged.note  # the edition it does report on


def test_a_continent_is_no_rival_of_a_city_that_ends_alike(pipeline: Pipeline) -> None:
    # 株洲 is the subject the sentence leaves unsaid; 非洲 is where its ports reach
    report = pipeline.check("株洲与广州港等4个港口共建内陆港，可直达非洲25个港口。")
    verified(pipeline, report)
    assert [v.verdict for v in report.verdicts] == ["supported", "supported"]


def test_an_amount_saved_is_no_total(pipeline: Pipeline) -> None:
    total = single(pipeline, "Zhuzhou's total social logistics costs came to about 140 billion "
                             "yuan in 2025.")  # fmt: skip
    assert total.verdict == "not_found"
    saved = single(pipeline, "Zhuzhou saved about 2 billion yuan in social logistics costs in "
                             "2025.")  # fmt: skip
    assert saved.verdict == "contradicted"


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("大龙网集团为湘赣边数字贸易总部中心项目出资3000万元。", "not_found"),
        ("Dalong.com Group put up 30 million yuan of the funding for the Xiang-Gan border "
         "digital trade headquarters center.", "not_found"),
        ("湘赣边数字贸易总部中心项目由大龙网集团和沐水集团共同出资，出资额为8000万元。",
         "contradicted"),
        ("湘赣边数字贸易总部中心项目的出资额为5000亿元。", "contradicted"),
    ],
)  # fmt: skip
def test_what_two_paid_together_is_not_what_one_of_them_paid(
    pipeline: Pipeline, claim: str, verdict: str
) -> None:
    assert single(pipeline, claim).verdict == verdict


def test_a_value_stated_exactly_to_four_digits_is_the_one_the_claim_speaks_of(
    pipeline: Pipeline,
) -> None:
    # 12.1亿元本地国内贸易额 shares more of the claim's words; 本地税收留存2072万元 is its figure
    verdict = single(pipeline, "The Xiangganbian Digital Trade Headquarters Center is expected "
                               "to bring 20.72 million yuan in retained local tax revenue over "
                               "the next five years.")  # fmt: skip
    assert verdict.verdict == "supported"
    (aligned,) = verdict.alignments
    assert aligned.printed == "2072万元"


def test_the_reader_does_not_align_an_english_figure_its_clause_says_nothing_of(
    pipeline: Pipeline,
) -> None:
    said = "湘赣边数字贸易总部中心项目由大龙网集团和沐水集团共同出资打造,出资额为5000万元。"
    sentence = _close_sentence(pipeline, said)
    at = sentence.text.index("5000万元")
    claim = "Zhuzhou's GDP topped 430 billion yuan."
    assert _judged(pipeline, sentence, claim, vouched=(at, at + 6)) != "contradicted"


def test_districts_and_zones_the_tagger_misses_are_places(pipeline: Pipeline) -> None:
    from qa.checking.names import name_candidates

    def places(text: str) -> list[str]:
        return [n.text for n in name_candidates(text) if n.kind == AnswerType.PLACE]

    assert places("芦淞区累计培育国省级制造业单项冠军29个") == ["芦淞区"]
    assert places("这是2026年炎陵高新区第一个签约项目") == ["炎陵高新区"]
    assert places("全区制造业向价值链高端迈进,示范区建设") == []
    # …so a figure of another district or zone is not borne out
    assert single(pipeline, "芦淞区累计培育国省级制造业单项冠军29个。").verdict == "not_found"
    assert single(pipeline, "茶陵高新区2026年首个签约项目总投资约5.1亿元。").verdict == "not_found"


def test_a_meeting_held_on_a_date_is_dated_by_a_sentence_that_names_it(pipeline: Pipeline) -> None:
    # the heading dates the meeting (2025年12月24日在…第五次会议上) without saying 召开
    claim = "陈恢清是在2025年12月{}日召开的株洲市第十六届人民代表大会第五次会议上作政府工作报告的。"
    assert single(pipeline, claim.format(24)).verdict == "supported"
    wrong = single(pipeline, claim.format(25))
    assert wrong.verdict == "contradicted"
    assert [(a.claimed, a.printed) for a in wrong.alignments if not a.agrees] == [
        ("2025年12月25日", "2025年12月24日")
    ]


def test_a_value_another_of_the_claims_values_states_is_no_rival(pipeline: Pipeline) -> None:
    # 总投资341.4亿元 is the combined investment; "100 million yuan or more" is each
    # project's threshold, which the article writes without a number (亿元以上)
    claim = ("Zhuzhou signed 162 new projects of 100 million yuan or more each, with a "
             "combined investment of 34.14 billion yuan.")
    verdict = single(pipeline, claim)
    assert verdict.verdict == "supported"


def test_a_months_output_is_no_years(pipeline: Pipeline) -> None:
    sentence = _close_sentence(pipeline, "北汽株洲基地月产突破3万辆")
    assert _judged(pipeline, sentence, "北汽株洲基地全年产量突破30万辆。") is None
    assert _judged(pipeline, sentence, "北汽株洲基地月产突破5万辆。") == "contradicted"


def test_an_english_phases_figure_alone_in_its_phase_is_that_phases(pipeline: Pipeline) -> None:
    sentence = _close_sentence(pipeline, "计划分两期实施:一期将于2026至2028年实施,投资3亿元")
    base = "Phase one of Siweite's wafer manufacturing and packaging-testing base will require"
    wrong = f"{base} an investment of 500 million yuan."
    assert _judged(pipeline, sentence, wrong) == "contradicted"
    assert _judged(pipeline, sentence, f"{base} an investment of 300 million yuan.") == "supported"


def test_an_english_organisation_named_with_another_city_is_contradicted(
    pipeline: Pipeline,
) -> None:
    project = "The high-end aluminum-based materials project in Yanling is being financed by"
    wrong = single(pipeline, f"{project} Dongguan Yinzheng Machinery Equipment Co., Ltd.")
    assert wrong.verdict == "contradicted"
    assert [(a.claimed, a.printed) for a in wrong.alignments] == [("Dongguan", "佛山市")]
    right = single(pipeline, f"{project} Foshan Yinzheng Machinery Equipment Co., Ltd.")
    assert right.verdict == "supported"
    # a city the passages never spell, with no organisation of theirs after it, is another
    # scope, as before
    assert single(pipeline, "Dongguan signed 162 new projects in 2025.").verdict == "not_found"


def test_another_organisation_of_the_article_beside_a_value_is_another_scope(
    pipeline: Pipeline,
) -> None:
    # 亚美茶油 expects 50% more sales; the article says nothing of 优多新材's
    other = single(pipeline, "湖南优多新材料科技有限公司预计2026年销售额同比增长50%以上。")
    assert other.verdict == "not_found"
    # …while its own name in another form is no rival (亚美茶油公司: 湖南亚美茶油股份有限公司)
    own = single(pipeline, "亚美茶油公司预计2026年销售额将同比提高50个百分点以上。")
    assert own.verdict == "contradicted"


def test_a_statements_own_values_are_not_names_its_passage_lacks(pipeline: Pipeline) -> None:
    from qa.checking.claims import split_statements
    from qa.checking.verify import _lacks_specific_words

    sentence = _close_sentence(pipeline, "该项目自去年5月28日签约以来")
    (statement,) = split_statements("湘赣边数字贸易总部中心项目于去年6月18日签约。")
    assert not _lacks_specific_words(statement, sentence, None)
    (elsewhere,) = split_statements("宁乡数字贸易总部中心项目于去年6月18日签约。")
    assert _lacks_specific_words(elsewhere, sentence, None)


def test_an_english_figure_of_a_term_the_article_never_says_is_not_contradicted(
    pipeline: Pipeline,
) -> None:
    from qa.checking.english import unsaid_term

    claim = "Zhuzhou's surveyed urban unemployment rate stood at 4.5 percent in 2025."
    value = next(v for v in find_values(claim, english=True) if v.kind == "percent")
    assert unsaid_term(claim, value, "全社会物流总费用与GDP的比率为13.5%") == "unemployment rate"
    assert unsaid_term(claim, value, "城镇调查失业率为4.5%") is None
    assert single(pipeline, claim).verdict != "contradicted"
    # a verb and its particle are no term ("comes out": 出来)
    phrase = "The Qiushi issue comes out on January 16."
    date = next(v for v in find_values(phrase, english=True) if v.kind == "date")
    assert unsaid_term(phrase, date, "1月16日出版的第2期《求是》杂志") is None


def test_a_value_set_aside_for_another_fact_still_counts_among_the_sentences(
    pipeline: Pipeline,
) -> None:
    close = _close_sentence(pipeline, "项目总投资约5.1亿元")
    said = "该项目总投资10亿元,建成后年纳税5000万元。"
    sentence = replace(close, text=said, end=close.start + len(said))
    # 10亿元 is the investment's; 5000万元 is not the only other value, so not the 产值's
    assert _judged(pipeline, sentence, "该项目总投资10亿元、产值20亿元。") != "contradicted"


def test_the_helpers_of_scope_and_kind_read_only_what_they_name() -> None:
    from qa.checking.english import unsaid_term
    from qa.checking.facts import held_on, is_saving, period_of
    from qa.checking.names import name_candidates

    def value(text: str, english: bool = False, kind: str | None = None) -> Value:
        return next(v for v in find_values(text, english=english) if kind in (None, v.kind))

    meeting = "陈恢清在2025年12月25日召开的株洲市第十六届人民代表大会第五次会议上作报告。"
    assert held_on(meeting, value(meeting, kind="date")) == "第五次会议"
    months = "1-11月销售额5亿元"
    assert period_of(months, value(months, kind="money"), False) is None
    assert period_of("月产突破3万辆", value("月产突破3万辆"), False) == "month"
    assert not is_saving("企业利润下降至3亿元", value("企业利润下降至3亿元"), False)
    assert is_saving("压减低效支出16.76亿元", value("压减低效支出16.76亿元"), False)
    areas = name_candidates("主城区和自贸区新增企业300家")
    assert [n.text for n in areas if n.kind == AnswerType.PLACE] == []
    # a term the article says word by word (增长…发展, 比率) is said
    growth = "Zhuzhou's GDP growth rate was about 6.7 percent."
    report = "预计全年地区生产总值增长5.7%左右,经济社会发展稳中有进,物流总费用与GDP的比率为13.5%"
    assert unsaid_term(growth, value(growth, True, "percent"), report) is None
