"""``python -m eval.calibration``: fit the calibrator on training-set questions over news.

The data is not the benchmark. A held-out slice of CMRC 2018 train (never trained on by the
shipped reader; eval/data/calibration_slice.tsv lists its paragraphs and
``calibration_slice`` asks it: reader training must leave them out) is split in two halves:
- *present*: their contexts are added to an index of news articles, so each question must
  find its own paragraph among thousands (answerable; right = official EM);
- *absent*: their contexts are left out of that index, so any answer is wrong
  (unanswerable; the paragraph removed).
Every question is asked with the readers' own scores (``calibrator=False``), its signals
recorded, and one logistic model per reader fitted on 70% of the contexts; the other 30%
are held out to measure expected calibration error (ECE). The same questions over the
news-only index measure negative rejection. Rows are cached, so an interrupted run resumes.

Then the domain step, on the benchmark's dev part only (never its test part): the dev
questions are asked over the shipped index, each reader's logit is Platt-scaled to them (two
numbers per reader: news questions are answered right far more often than CMRC's at the
same signals), and the abstention threshold is the one that maximises the dev score in
which a wrong answer costs what a right one earns, among those that cost at most 2 points of
dev EM. The neural reader's English readings (``neural-en``) take its CMRC-fitted model,
scaled on the English dev questions asked both over the page alone and with the page among
5,000 news articles (``hidden_page_index``, from the vector cache).

    python -m eval.calibration                   # gather (about 12 min), fit, domain step
    python -m eval.calibration --fit-only        # refit from the cached rows
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from eval.datasets import QAItem, load_squad
from eval.metrics import decision_score, expected_calibration_error, reliability
from qa.config import cache_dir
from qa.errors import InputError
from qa.reading.calibration import CALIBRATOR_FILE, FEATURES, Calibrator, LogisticModel, features
from qa.reading.routed import NEURAL_ENGLISH
from qa.scoring import cmrc_em, cmrc_f1
from qa.types import Signals

QA_TRAIN = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "qa-train"
CMRC_TRAIN = QA_TRAIN / "cmrc2018_train.json"
SLICE_FILE = Path(__file__).resolve().parent / "data" / "calibration_slice.tsv"
"""The slice's CMRC 2018 train paragraph ids (416 of 2,403, one in six), whether each is in
the calibration index, and its fold: CMRC's own ids, so the slice does not move when the
text's normalisation (and so an article id) changes."""
HELD_OUT_FOLDS = frozenset({7, 8, 9})
"""Of ten folds by paragraph, these measure the fit and are never fitted on."""
NEWS_ARTICLES = 1000


def paragraph_of(question_id: str) -> str:
    """The CMRC paragraph id of a question id ("TRAIN_186_QUERY_0" → "TRAIN_186")."""
    return question_id.split("_QUERY_")[0]


@functools.cache
def _slice() -> dict[str, tuple[bool, int]]:
    table = {}
    for number, line in enumerate(SLICE_FILE.read_text("utf-8").splitlines(), start=1):
        if line.startswith("#") or not line.strip():
            continue
        try:
            paragraph, in_index, fold_number = line.split("\t")
            table[paragraph] = (in_index == "1", int(fold_number))
        except ValueError as exc:
            raise InputError(
                str(SLICE_FILE), f"expected id, 0/1, fold: {exc}", line=number
            ) from exc
    return table


def calibration_slice(paragraph_id: str) -> bool:
    """Whether a CMRC 2018 train paragraph belongs to the calibration slice: reader training
    must leave these out (``paragraph_of`` gives a question's)."""
    return paragraph_id in _slice()


def present(paragraph_id: str) -> bool:
    """Whether a slice paragraph is in the calibration index (else its questions are the
    unanswerable ones)."""
    return _slice()[paragraph_id][0]


def fold(paragraph_id: str) -> int:
    """The paragraph's fold (0–9): folds in ``HELD_OUT_FOLDS`` are held out from fitting."""
    return _slice()[paragraph_id][1]


def _index(news: Path, contexts: Sequence[Any]) -> tuple[Path, Path]:
    """(news-only index, news + present contexts index), both cached."""
    from eval.distractors import distractor_index
    from qa.encoders.embedding import make_embedder
    from qa.indexing.build import add_articles
    from qa.indexing.store import SCHEMA_VERSION

    embedder = make_embedder()
    base = distractor_index(news, NEWS_ARTICLES, embedder)
    folder = cache_dir() / "calibration" / f"cmrc-train-slice-{NEWS_ARTICLES}"
    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text("utf-8"))["schema_version"] != (
        SCHEMA_VERSION
    ):
        shutil.rmtree(folder)  # its contexts came from SQuAD JSON: built again, not upgraded
    if not manifest.exists():
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(base, partial, ignore=shutil.ignore_patterns(".lock"))
        add_articles(partial, list(contexts), embedder, progress=True)
        partial.rename(folder)
    return base, folder


def _gather(index_dir: Path, reader: str, items: Sequence[QAItem], out: Path) -> None:
    """Ask every question (readers' own scores), appending one row per question to ``out``."""
    from qa.pipeline import Pipeline

    done = set()
    if out.exists():
        done = {json.loads(line)["id"] for line in out.read_text("utf-8").splitlines() if line}
    todo = [item for item in items if item.id not in done]
    if not todo:
        return
    pipeline = Pipeline.load(index_dir, reader=reader, calibrator=False)
    with out.open("a", encoding="utf-8") as sink:
        for item in tqdm(todo, desc=f"{out.stem}", unit="q"):
            answer = pipeline.ask(item.question, abstain=False)
            right = (not item.unanswerable and answer.answer is not None
                     and cmrc_em(answer.answer, item.answers) == 1.0)  # fmt: skip
            row = {
                "id": item.id, "context": item.context_id, "unanswerable": item.unanswerable,
                "prediction": answer.answer, "right": right,
                "f1": cmrc_f1(answer.answer, item.answers) if not item.unanswerable else 0.0,
                "signals": answer.signals.to_dict() if answer.signals else None,
            }  # fmt: skip
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")


def load_rows(path: Path) -> list[dict[str, Any]]:
    """Cached rows of one gathering run."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def fit(rows: Sequence[dict[str, Any]]) -> LogisticModel:
    """A logistic model of P(right) from the rows' signals (L2, C = 1)."""
    from sklearn.linear_model import LogisticRegression

    usable = [r for r in rows if r["signals"]]
    x = [features(Signals(**r["signals"])) for r in usable]
    y = [int(r["right"]) for r in usable]
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    return LogisticModel(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))


def evaluate(model: LogisticModel, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """ECE, reliability table, accuracy and mean confidence of the rows' answers."""
    answered = [r for r in rows if r["signals"]]
    probabilities = [model.trusted(Signals(**r["signals"])) for r in answered]
    rights = [bool(r["right"]) for r in answered]
    return {
        "answers": len(probabilities),
        "accuracy": sum(rights) / max(1, len(rights)),
        "mean_confidence": sum(probabilities) / max(1, len(probabilities)),
        "ece": expected_calibration_error(probabilities, rights),
        "reliability": reliability(probabilities, rights),
    }


def refused(model: LogisticModel, rows: Sequence[dict[str, Any]], threshold: float) -> float:
    """Share of (unanswerable) rows whose answer falls below ``threshold`` or is absent."""
    count = sum(not r["signals"] or model.trusted(Signals(**r["signals"])) < threshold
                for r in rows)  # fmt: skip
    return count / max(1, len(rows))


def _dev_results(reader: str = "auto", index_dir: Path | None = None,
                 lang: str | None = None) -> list[Any]:  # fmt: skip
    """The dev questions (of ``lang``, or all) over ``index_dir`` (default: the shipped
    index), hybrid, with the readers' own scores."""
    from eval.datasets import DEV_DATASET, load_jsonl
    from eval.runner import run_end_to_end
    from qa.config import default_corpus_dir, default_index_dir
    from qa.indexing.build import ensure_index
    from qa.pipeline import Pipeline

    if index_dir is None:
        index_dir = ensure_index(default_index_dir(), default_corpus_dir(), progress=True)
    pipeline = Pipeline.load(index_dir, reader=reader, calibrator=False)
    items = [i for i in load_jsonl(DEV_DATASET) if lang is None or i.lang == lang]
    return run_end_to_end(pipeline, items, modes=("hybrid",))


SCALE_DISTRACTORS = 5000
"""English dev questions are also asked with the page among this many news articles."""


def _platt(logits: Sequence[float], rights: Sequence[bool]) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=100.0, max_iter=2000).fit([[z] for z in logits], rights)
    return float(model.coef_[0][0]), float(model.intercept_[0])


EM_LOSS_ALLOWED = 2.0
"""Points of EM (over all the answerable dev questions) that abstaining may cost."""
_GRID = [step / 100 for step in range(6, 100, 2)]
"""Above the subject check's cap (0.05), which a lower threshold would switch off."""


def best_thresholds(
    probabilities: dict[str, Sequence[float]], results: dict[str, Sequence[Any]]
) -> dict[str, float]:
    """One threshold per reader, chosen together: the best dev score — +1 for a right
    answer or a refusal of an unanswerable question, -WRONG_ANSWER_COST for a wrong
    answer, 0 for a refusal of an answerable one — among the pairs that cost at most
    EM_LOSS_ALLOWED points of EM over the answerable dev questions that got a span."""
    answerable = max(1, sum(not r.unanswerable for rs in results.values() for r in rs))
    tables = {}
    for reader, rs in results.items():
        table = []
        for t in _GRID:
            total = lost = 0.0
            for p, r in zip(probabilities[reader], rs, strict=True):
                total += decision_score(p < t, r.unanswerable, r.raw_em == 1.0)
                if p < t and not r.unanswerable:
                    lost += r.raw_em
            table.append((t, total, lost))
        tables[reader] = table
    readers = list(tables)
    best: tuple[float, float, tuple[float, ...]] | None = None
    for combo in itertools.product(*(tables[r] for r in readers)):
        lost = 100 * sum(c[2] for c in combo) / answerable
        if lost > EM_LOSS_ALLOWED:
            continue
        key = (sum(c[1] for c in combo), -sum(c[0] for c in combo))
        if best is None or key > best[:2]:
            best = (*key, tuple(c[0] for c in combo))
    if best is None:  # even the lowest thresholds cost more EM: keep those
        print(f"warning: every threshold pair costs over {EM_LOSS_ALLOWED} points of dev EM",
              file=sys.stderr)  # fmt: skip
        return dict.fromkeys(readers, _GRID[0])
    return dict(zip(readers, best[2], strict=True))


def domain_step(
    models: dict[str, LogisticModel], news: Path | None = None
) -> tuple[dict[str, LogisticModel], dict[str, float], dict[str, Any]]:
    """Platt-scale each reader's model and set its threshold on the benchmark's dev part
    (``news``: the corpus the English questions' distractors come from)."""
    # The default reader answers both languages with the neural model; English readings,
    # whose scores run lower, get the same CMRC-fitted model scaled to the English dev
    # questions. The fast reader (``--reader fast``) is scaled on its own English readings.
    # English answers are also scaled on the English dev questions asked with the page
    # among news articles: there a right answer's passage rarely tops the English dense
    # list, so the same signals mean more than on the page alone.
    results = {"auto": _dev_results("auto"), "fast": _dev_results("fast", lang="en")}
    with tempfile.TemporaryDirectory() as folder:
        from eval.__main__ import CRUD_CORPUS, hidden_page_index

        hidden = hidden_page_index(news or CRUD_CORPUS, SCALE_DISTRACTORS, Path(folder))
        results["auto"] = results["auto"] + _dev_results("auto", hidden, "en")
    scaled, report = {}, {}
    chosen_of, probabilities_of = {}, {}
    for reader, base, lang, run in (("neural", "neural", "zh", "auto"),
                                    (NEURAL_ENGLISH, "neural", "en", "auto"),
                                    ("fast", "fast", "en", "fast")):  # fmt: skip
        chosen = [r for r in results[run] if r.lang == lang and r.signals]
        logits = [models[base].logit(features(Signals(**r.signals))) for r in chosen]
        scale, shift = _platt(logits, [r.raw_em == 1.0 for r in chosen])
        model = LogisticModel(models[base].weights, models[base].bias, scale, shift)
        probabilities = [model.trusted(Signals(**r.signals)) for r in chosen]
        scaled[reader] = model
        chosen_of[reader], probabilities_of[reader] = chosen, probabilities
        report[reader] = {"questions": len(chosen), "scale": scale, "shift": shift,
                          "dev_ece": expected_calibration_error(
                              probabilities, [r.raw_em == 1.0 for r in chosen])}  # fmt: skip
    # The two readings of the default reader share the EM allowance; the fast reader is
    # another configuration, so its threshold is chosen alone.
    default = ("neural", NEURAL_ENGLISH)
    thresholds = best_thresholds({r: probabilities_of[r] for r in default},
                                 {r: chosen_of[r] for r in default})  # fmt: skip
    thresholds |= best_thresholds({"fast": probabilities_of["fast"]}, {"fast": chosen_of["fast"]})
    for reader in scaled:
        report[reader]["threshold"] = thresholds[reader]
        print(f"{reader}: dev ({report[reader]['questions']} questions) scale "
              f"{report[reader]['scale']:.3f} shift {report[reader]['shift']:.3f}, threshold "
              f"{thresholds[reader]:.2f}, dev ECE {report[reader]['dev_ece']:.3f}")  # fmt: skip
    return scaled, thresholds, report


def main(argv: Sequence[str] | None = None) -> int:
    """Gather (unless --fit-only), fit, report, and write models/calibrator.json."""
    parser = argparse.ArgumentParser(prog="python -m eval.calibration",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--dataset", type=Path, default=CMRC_TRAIN)
    parser.add_argument("--news", type=Path, default=None, help="the CRUD news corpus")
    parser.add_argument("--fit-only", action="store_true", help="refit from cached rows")
    parser.add_argument("--out", type=Path, default=CALIBRATOR_FILE)
    parser.add_argument("--report", type=Path, help="write the fit's figures as JSON here")
    args = parser.parse_args(argv)
    rows_dir = cache_dir() / "calibration" / "rows"
    rows_dir.mkdir(parents=True, exist_ok=True)
    if not args.fit_only:
        from eval.__main__ import CRUD_CORPUS

        squad = load_squad(args.dataset)
        chosen = [item for item in squad.items if calibration_slice(paragraph_of(item.id))]
        in_index = {i.context_id for i in chosen if present(paragraph_of(i.id))}
        items = [QAItem(item.id, item.question, item.answers, "zh", item.context_id not in
                        in_index, context_id=item.context_id) for item in chosen]  # fmt: skip
        news_only, mixed = _index(args.news or CRUD_CORPUS, [a for a in squad.articles
                                                              if a.id in in_index])  # fmt: skip
        # The default reader reads Chinese questions with the neural reader *as routed* (its
        # score times the passage's coverage): the shipped "neural" model scores that.
        for reader, pipeline_reader in (("neural", "auto"), ("fast", "fast")):
            _gather(mixed, pipeline_reader, items, rows_dir / f"{reader}.jsonl")
        negatives = [QAItem(i.id, i.question, (), "zh", True, context_id=i.context_id)
                     for i in items]  # fmt: skip
        _gather(news_only, "auto", negatives, rows_dir / "news-only.jsonl")
    models, report = {}, {}
    for reader in ("neural", "fast"):
        rows = load_rows(rows_dir / f"{reader}.jsonl")
        fitted = [r for r in rows if fold(paragraph_of(r["id"])) not in HELD_OUT_FOLDS]
        held_out = [r for r in rows if fold(paragraph_of(r["id"])) in HELD_OUT_FOLDS]
        model = fit(fitted)
        models[reader] = model
        report[reader] = {
            "fitted_on": len(fitted), "held_out": len(held_out),
            "fit": evaluate(model, fitted), "held_out_figures": evaluate(model, held_out),
            "weights": dict(zip(FEATURES, model.weights, strict=True)), "bias": model.bias,
        }  # fmt: skip
    held_out_rows = {}
    for reader in models:
        rows = load_rows(rows_dir / f"{reader}.jsonl")
        held_out_rows[reader] = [r for r in rows if fold(paragraph_of(r["id"])) in HELD_OUT_FOLDS]
    models, thresholds, report["domain"] = domain_step(models, args.news)
    for reader in ("neural", "fast"):
        # The same held-out questions through the news-scaled model that ships.
        report[reader]["held_out_scaled"] = evaluate(models[reader], held_out_rows[reader])
    news_rows = load_rows(rows_dir / "news-only.jsonl")
    report["news_only_refused"] = {
        f"{t:.2f}": refused(models["neural"], news_rows, t)
        for t in sorted({0.3, 0.5, thresholds["neural"]})
    }
    calibrator = Calibrator(models, thresholds, {
        "fitted_on": f"{args.dataset.name}: calibration slice ({SLICE_FILE.name}), "
                     f"{NEWS_ARTICLES} news articles as distractors, folds 0-6; scale, shift "
                     "and thresholds on eval/data/zhuzhou_qa_dev.jsonl (its English questions "
                     f"also with the page among {SCALE_DISTRACTORS} news articles)",
        "command": "python -m eval.calibration",
        "held_out_ece": {r: report[r]["held_out_figures"]["ece"] for r in ("neural", "fast")},
        "held_out_ece_scaled": {r: report[r]["held_out_scaled"]["ece"] for r in ("neural", "fast")},
        "dev_ece": {r: report["domain"][r]["dev_ece"] for r in models},
    })  # fmt: skip
    calibrator.save(args.out)
    for reader in ("neural", "fast"):
        figures = report[reader]["held_out_figures"]
        print(f"{reader}: fitted on {report[reader]['fitted_on']}, held out "
              f"{report[reader]['held_out']}: ECE {figures['ece']:.3f}, accuracy "
              f"{figures['accuracy']:.3f}, mean confidence "
              f"{figures['mean_confidence']:.3f}")  # fmt: skip
        for low, high, n, accuracy, confidence in figures["reliability"]:
            print(f"  [{low:.1f}, {high:.1f}) n={n:4d} accuracy {accuracy:.3f} "
                  f"confidence {confidence:.3f}")  # fmt: skip
        scaled = report[reader]["held_out_scaled"]
        print(f"  the same through the news-scaled model: ECE {scaled['ece']:.3f}, mean "
              f"confidence {scaled['mean_confidence']:.3f}")  # fmt: skip
    print(f"news-only index ({len(news_rows)} training-set questions), refused at each "
          f"threshold: {report['news_only_refused']}")  # fmt: skip
    print(f"written to {args.out}")
    if args.report:
        args.report.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
