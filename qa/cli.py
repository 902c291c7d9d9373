"""The verbs of ``python -m qa``: build | add | remove | upgrade | ask | check | info | migrate.

Argument parsing (``build_parser``) and one function per verb (``cmd_*``).

Every verb prints a human summary, or one JSON object with ``--json``; errors print one
line that says what to do and exit non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qa.config import DEFAULT_EMBED_MODEL, DEFAULT_FAISS_FACTORY, ChunkingConfig, default_corpus_dir
from qa.config import default_index_dir as _default_index_dir
from qa.errors import QAError, UsageError
from qa.indexing.lexical import Bm25Params
from qa.ingest import FORMATS, IngestResult, read_articles
from qa.pipeline import CHECK_K, DEFAULT_K, DEFAULT_READER, READERS
from qa.tokens import ANALYZERS


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        nargs="+",
        metavar="PATH",
        help="news files or folders (default for build: the shipped corpus/)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="input kind (default: .jsonl → jsonl, a CRUD header → crud, else page)",
    )
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="publication date of page files")
    parser.add_argument(
        "--publisher",
        default="",
        metavar="NAME",
        help="source name stored with every article (e.g. 株洲日报)",
    )
    parser.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip unreadable files and lines with a warning instead of failing",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="read at most N articles")
    parser.add_argument(
        "--vector-cache",
        type=Path,
        metavar="DIR",
        help="keep passage vectors in DIR as they are embedded, so that an interrupted or "
        "repeated run embeds only what DIR lacks (for builds that take hours)",
    )


def _index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index",
        type=Path,
        default=None,
        metavar="DIR",
        help="index folder (default: $QA_INDEX_DIR or index/ in the checkout)",
    )
    add_backend_options(parser)


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """``--backend``, ``--milvus-uri`` and ``--collection`` (the CLI's verbs and app.py)."""
    parser.add_argument(
        "--backend", choices=("folder", "milvus"), default=None,
        help="where the index is stored: folder (default, --index DIR; or $QA_BACKEND) or "
        "milvus (--milvus-uri; needs the [milvus] extra)",
    )  # fmt: skip
    parser.add_argument(
        "--milvus-uri", metavar="URI", default=None,
        help="Milvus Lite file (FILE.db) or server (http://HOST:19530); default $QA_MILVUS_URI",
    )  # fmt: skip
    parser.add_argument(
        "--collection", metavar="NAME", default=None,
        help="the index's alias in Milvus (default $QA_MILVUS_COLLECTION or qa_news); the "
        "token comes from $QA_MILVUS_TOKEN",
    )  # fmt: skip


def _milvus_location(uri: str | None, collection: str | None) -> Any:
    from qa.indexing.milvus import DEFAULT_COLLECTION, MilvusLocation

    uri = uri or os.environ.get("QA_MILVUS_URI")
    if not uri:
        raise UsageError("--backend milvus needs --milvus-uri FILE.db or http://HOST:19530 "
                         "(or $QA_MILVUS_URI)")  # fmt: skip
    collection = collection or os.environ.get("QA_MILVUS_COLLECTION") or DEFAULT_COLLECTION
    return MilvusLocation.parse(uri, collection)


def backend_target(args: argparse.Namespace) -> Any:
    """The ``MilvusLocation`` the arguments name, or None for a folder index."""
    backend = args.backend or os.environ.get("QA_BACKEND") or "folder"
    if backend not in ("folder", "milvus"):
        raise UsageError(f"QA_BACKEND={backend!r}: use folder or milvus")
    if backend == "folder":
        if args.milvus_uri:
            raise UsageError("--milvus-uri is for --backend milvus: add --backend milvus")
        return None
    if args.index is not None:
        raise UsageError("--index names a folder index: drop it, or use --backend folder")
    return _milvus_location(args.milvus_uri, args.collection)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m qa``."""
    parser = argparse.ArgumentParser(prog="python -m qa", description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    build = verbs.add_parser("build", help="build an index from news files")
    _add_source_options(build)
    _index_option(build)
    build.add_argument("--force", action="store_true", help="replace an existing index")
    build.add_argument(
        "--model",
        default=DEFAULT_EMBED_MODEL,
        help="embedding model: multilingual-e5-small (default) or a sentence-transformers folder",
    )
    build.add_argument(
        "--faiss",
        default=DEFAULT_FAISS_FACTORY,
        metavar="FACTORY",
        help="FAISS factory string: auto (default: Flat up to 100,000 chunks, HNSW32 above), "
        "Flat, HNSW32, IVF1024,PQ32x8, ...",
    )
    defaults = ChunkingConfig()
    build.add_argument("--chunk-size", type=int, default=defaults.max_chars, metavar="CHARS")
    build.add_argument("--chunk-overlap", type=int, default=defaults.overlap_chars, metavar="CHARS")
    build.add_argument(
        "--analyzer", choices=ANALYZERS, default=Bm25Params().analyzer, help="BM25 tokens"
    )
    build.add_argument(
        "--milvus-index", choices=("FLAT", "HNSW"), default="FLAT",
        help="Milvus vector index (--backend milvus): FLAT (exact, default) or HNSW",
    )  # fmt: skip
    build.add_argument("--json", action="store_true", help="print the report as JSON")

    add = verbs.add_parser("add", help="add articles to an index (skips ones already there)")
    _add_source_options(add)
    _index_option(add)
    add.add_argument("--json", action="store_true", help="print the report as JSON")

    remove = verbs.add_parser("remove", help="remove articles from an index")
    remove.add_argument("--article", nargs="+", required=True, metavar="ID", help="article ids")
    _index_option(remove)
    remove.add_argument("--json", action="store_true", help="print the report as JSON")

    upgrade = verbs.add_parser(
        "upgrade", help="rewrite an index of an older schema in place (keeps its vectors)"
    )
    _index_option(upgrade)
    upgrade.add_argument("--json", action="store_true", help="print the report as JSON")

    ask = verbs.add_parser("ask", help="answer a question with cited sources")
    ask.add_argument("question", help="the question, in Chinese or English")
    _index_option(ask)
    ask.add_argument(
        "-k",
        type=int,
        default=DEFAULT_K,
        metavar="N",
        help=f"passages to retrieve (default {DEFAULT_K})",
    )
    ask.add_argument(
        "--from",
        dest="published_from",
        metavar="YYYY-MM-DD",
        help="only articles published on or after this date",
    )
    ask.add_argument(
        "--to",
        dest="published_to",
        metavar="YYYY-MM-DD",
        help="only articles published on or before this date",
    )
    ask.add_argument(
        "--source",
        dest="sources",
        action="append",
        metavar="NAME",
        help="only articles from this source (repeatable)",
    )
    ask.add_argument(
        "--reader",
        choices=READERS,
        default=DEFAULT_READER,
        help=f"span reader (default {DEFAULT_READER})",
    )
    ask.add_argument("--json", action="store_true", help="print exactly one JSON object")

    check = verbs.add_parser(
        "check", help="fact-check a claim or a paragraph: a verdict per statement, with evidence"
    )
    check.add_argument("text", help="the claim or paragraph, in Chinese or English")
    _index_option(check)
    check.add_argument("-k", type=int, default=CHECK_K, metavar="N",
                       help=f"passages retrieved per statement (default {CHECK_K})")  # fmt: skip
    check.add_argument("--from", dest="published_from", metavar="YYYY-MM-DD",
                       help="only articles published on or after this date")  # fmt: skip
    check.add_argument("--to", dest="published_to", metavar="YYYY-MM-DD",
                       help="only articles published on or before this date")  # fmt: skip
    check.add_argument("--source", dest="sources", action="append", metavar="NAME",
                       help="only articles from this source (repeatable)")  # fmt: skip
    check.add_argument("--json", action="store_true", help="print exactly one JSON object")

    info = verbs.add_parser("info", help="show an index's manifest and verify it")
    _index_option(info)
    info.add_argument("--articles", action="store_true", help="also list the articles")
    info.add_argument("--json", action="store_true", help="print one JSON object")

    migrate = verbs.add_parser(
        "migrate", help="copy a folder index into Milvus (its vectors, not embedded again)"
    )
    migrate.add_argument("--from", dest="source_index", type=Path, required=True, metavar="DIR",
                         help="the folder index to copy")  # fmt: skip
    migrate.add_argument("--to", dest="milvus_uri", required=True, metavar="URI",
                         help="FILE.db, http://HOST:19530 or milvus://HOST:19530")  # fmt: skip
    migrate.add_argument("--collection", metavar="NAME", default=None,
                         help="the alias to publish it under (default qa_news)")  # fmt: skip
    migrate.add_argument("--force", action="store_true", help="replace an index of that name")
    migrate.add_argument("--milvus-index", choices=("FLAT", "HNSW"), default="FLAT",
                         help="Milvus vector index: FLAT (exact, default) or HNSW")  # fmt: skip
    migrate.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def _read(args: argparse.Namespace, default_corpus: bool) -> IngestResult:
    sources = args.source
    if not sources:
        if not default_corpus:
            raise UsageError("give the news files to add with --source PATH [PATH ...]")
        sources = [default_corpus_dir()]
    result = read_articles(
        sources,
        fmt=args.format,
        date=args.date,
        source=args.publisher,
        skip_bad=args.skip_bad,
        limit=args.limit,
    )
    for problem in result.problems:
        print(f"warning: skipped {problem}", file=sys.stderr)
    if result.problems:
        print(f"warning: skipped {len(result.problems)} bad inputs", file=sys.stderr)
    return result


def _report(verb: str, report: Any, started: float, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "verb": verb,
        "articles_added": report.articles_added,
        "articles_removed": report.articles_removed,
        "chunks_added": report.chunks_added,
        "chunks_removed": report.chunks_removed,
        "articles_total": report.articles_total,
        "chunks_total": report.chunks_total,
        "skipped_existing": report.skipped_existing,
        "seconds": {k: round(v, 3) for k, v in report.seconds.items()},
        "total_seconds": round(time.perf_counter() - started, 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "generation": report.manifest.get("generation"),
        **extra,
    }


def _print_report(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    verb = summary["verb"]
    if verb == "build":
        print(
            f"built {summary['index']}: {summary['articles_total']} articles, "
            f"{summary['chunks_total']} chunks in {summary['total_seconds']:.1f} s "
            f"(peak memory {summary['peak_rss_mb']:.0f} MB)"
        )
    elif verb == "add":
        print(
            f"added {summary['articles_added']} articles ({summary['chunks_added']} chunks), "
            f"skipped {summary['skipped_existing']} already present; index now "
            f"{summary['articles_total']} articles, {summary['chunks_total']} chunks"
        )
    elif verb == "migrate":
        print(
            f"copied {summary['from']} to {summary['index']}: {summary['articles_total']} "
            f"articles, {summary['chunks_total']} chunks in {summary['total_seconds']:.1f} s"
        )
    elif verb == "upgrade":
        print(
            f"upgraded {summary['index']} to schema {summary['schema_version']}: "
            f"{summary['articles_total']} articles, {summary['chunks_total']} chunks in "
            f"{summary['total_seconds']:.1f} s"
        )
    else:
        print(
            f"removed {summary['articles_removed']} articles ({summary['chunks_removed']} chunks); "
            f"index now {summary['articles_total']} articles, {summary['chunks_total']} chunks"
        )


def cmd_build(args: argparse.Namespace) -> int:
    """``build``: ingest, chunk, embed and write a new index."""
    from qa.encoders.embedding import make_embedder
    from qa.indexing.build import IndexOptions, build_index
    from qa.indexing.store import check_can_create

    started = time.perf_counter()
    location = backend_target(args)
    index_dir = args.index or _default_index_dir()
    if location is None:
        check_can_create(index_dir, force=args.force)  # fail before the slow part
    try:
        options = IndexOptions(
            chunking=ChunkingConfig(args.chunk_size, args.chunk_overlap),
            factory=args.faiss,
            bm25=Bm25Params(analyzer=args.analyzer),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    result = _read(args, default_corpus=True)
    embedder = _with_cache(make_embedder(args.model), args.vector_cache)
    if location is not None:
        from qa.indexing.milvus_writes import build_milvus

        report = build_milvus(location, result.articles, embedder, options, force=args.force,
                              vector_index=args.milvus_index, progress=not args.json)  # fmt: skip
    else:
        report = build_index(
            index_dir, result.articles, embedder, options, force=args.force,
            progress=not args.json,
        )  # fmt: skip
    _print_report(
        _report(
            "build",
            report,
            started,
            {
                "index": location.display() if location is not None else str(index_dir),
                "skipped_bad": len(result.problems),
                "duplicates": result.duplicates,
                "vectors_reused": getattr(embedder, "reused", 0),
            },
        ),
        args.json,
    )
    return 0


def _with_cache(embedder: Any, vector_cache: Path | None) -> Any:
    if vector_cache is None:
        return embedder
    from qa.indexing.vector_cache import CachingEmbedder

    return CachingEmbedder(embedder, vector_cache)


def _embedder_for(index_dir: Path, vector_cache: Path | None = None) -> Any:
    from qa.encoders.embedding import make_embedder
    from qa.indexing.store import read_manifest

    return _with_cache(make_embedder(read_manifest(index_dir)["embedding"]["model"]), vector_cache)


def cmd_add(args: argparse.Namespace) -> int:
    """``add``: append new articles to an index."""
    from qa.encoders.embedding import make_embedder
    from qa.indexing.build import add_articles

    started = time.perf_counter()
    location = backend_target(args)
    if location is not None:
        from qa.indexing.milvus import connect, read_milvus_manifest, resolve
        from qa.indexing.milvus_writes import add_milvus

        client = connect(location)
        model = read_milvus_manifest(client, resolve(client, location))["embedding"]["model"]
        result = _read(args, default_corpus=False)
        embedder = _with_cache(make_embedder(model), args.vector_cache)
        report = add_milvus(location, result.articles, embedder, progress=not args.json)
        _print_report(_report("add", report, started, {"index": location.display()}), args.json)
        return 0
    index_dir = args.index or _default_index_dir()
    result = _read(args, default_corpus=False)
    embedder = _embedder_for(index_dir, args.vector_cache)
    report = add_articles(index_dir, result.articles, embedder, progress=not args.json)
    _print_report(_report("add", report, started, {"index": str(index_dir)}), args.json)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """``remove``: delete articles by id."""
    from qa.indexing.build import remove_articles

    started = time.perf_counter()
    location = backend_target(args)
    if location is not None:
        from qa.indexing.milvus_writes import remove_milvus

        report = remove_milvus(location, args.article)
        extra = {"index": location.display()}
    else:
        index_dir = args.index or _default_index_dir()
        report = remove_articles(index_dir, args.article)
        extra = {"index": str(index_dir)}
    _print_report(_report("remove", report, started, extra), args.json)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """``migrate``: copy a folder index into Milvus, vectors and all."""
    from qa.indexing.milvus_writes import migrate_to_milvus

    started = time.perf_counter()
    location = _milvus_location(args.milvus_uri, args.collection)
    report = migrate_to_milvus(args.source_index, location, force=args.force,
                               vector_index=args.milvus_index, progress=not args.json)  # fmt: skip
    summary = _report("migrate", report, started,
                      {"index": location.display(), "from": str(args.source_index)})  # fmt: skip
    _print_report(summary, args.json)
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    """``upgrade``: rewrite a schema-2 index in the current schema."""
    from qa.indexing.build import upgrade_index

    started = time.perf_counter()
    if backend_target(args) is not None:
        raise UsageError("upgrade rewrites a folder index; a Milvus index is rebuilt instead "
                         "(`python -m qa build --backend milvus --force`)")  # fmt: skip
    index_dir = args.index or _default_index_dir()
    report = upgrade_index(index_dir)
    extra = {"index": str(index_dir), "schema_version": report.manifest["schema_version"]}
    _print_report(_report("upgrade", report, started, extra), args.json)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """``info``: the manifest plus the result of a full verification."""
    from qa.indexing.store import load_snapshot, read_manifest

    location = backend_target(args)
    index_dir = args.index or _default_index_dir()
    started = time.perf_counter()
    problem = None
    snapshot = None
    if location is not None:
        from qa.indexing.milvus import connect, load_milvus_snapshot, read_milvus_manifest, resolve

        client = connect(location)
        manifest = read_milvus_manifest(client, resolve(client, location))
        try:
            snapshot = load_milvus_snapshot(location, client=client)
        except QAError as exc:
            problem = f"{type(exc).__name__}: {exc}"
    else:
        manifest = read_manifest(index_dir)
        try:
            snapshot = load_snapshot(index_dir, verify=True)
        except QAError as exc:
            problem = f"{type(exc).__name__}: {exc}"
    verification = {
        "ok": problem is None,
        "problem": problem,
        "seconds": round(time.perf_counter() - started, 3),
    }
    output: dict[str, Any] = {
        "index": location.display() if location is not None else str(index_dir),
        "backend": "milvus" if location is not None else "folder",
        "manifest": manifest,
        "verification": verification,
    }
    if args.articles and snapshot is not None:
        output["articles"] = [
            {"id": a.id, "title": a.title, "published_at": a.published_at, "source": a.source}
            for a in snapshot.articles.values()
        ]
    if args.json:
        print(json.dumps(output, ensure_ascii=False, indent=2))
    else:
        embedding, counts = manifest["embedding"], manifest["counts"]
        print(
            f"index      {output['index']} (schema {manifest['schema_version']}, "
            f"generation {manifest['generation']}, updated {manifest['updated_at']})"
        )
        print(f"contents   {counts['articles']} articles, {counts['chunks']} chunks")
        print(
            f"embedding  {embedding['model']} (dim {embedding['dimension']}, "
            f"fingerprint {embedding['fingerprint']})"
        )
        if location is not None:
            milvus = manifest["milvus"]
            print(f"milvus     {milvus['uri']}, alias {milvus['collection']} → "
                  f"{manifest['generation']}, {milvus['vector_index']} vectors, "
                  f"{milvus['bm25']}")  # fmt: skip
        else:
            faiss_info = manifest["faiss"]
            hidden = int(faiss_info.get("hidden", 0))
            print(
                f"faiss      {faiss_info['factory']}, {faiss_info['ntotal']} vectors"
                + (f" (+{hidden} of removed chunks, hidden until a rebuild)" if hidden else "")
            )
        print(f"chunking   {manifest['chunking']}")
        print(f"bm25       {manifest['lexical']['params']}")
        print(
            f"verified   {'ok' if problem is None else problem} ({verification['seconds']:.2f} s)"
        )
        for article in output.get("articles", []):
            print(f"  {article['id']}  {article['published_at']}  {article['title']}")
    return 0 if problem is None else 1


def _check_date(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise UsageError(f"{flag} {value!r} is not a date: use YYYY-MM-DD") from exc


def _filters(args: argparse.Namespace) -> Any:
    from qa.types import SearchFilters

    return SearchFilters(
        published_from=_check_date(args.published_from, "--from"),
        published_to=_check_date(args.published_to, "--to"),
        sources=tuple(args.sources or ()),
    )


def cmd_check(args: argparse.Namespace) -> int:
    """``check``: fact-check a claim or paragraph; build the default index first if needed."""
    from qa.pipeline import Pipeline
    from qa.present.text import render_check_text

    filters = _filters(args)
    index_dir = backend_target(args) or args.index or ensure_default_index(quiet=args.json)
    # the checker asks the reader of statements no sentence decides: the same reader as
    # the web chat and the benchmark, so that the CLI, /check and eval agree
    pipeline = Pipeline.load(index_dir, reader=DEFAULT_READER)
    report = pipeline.check(args.text, k=args.k, filters=filters)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(render_check_text(report, color=sys.stdout.isatty()))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """``ask``: answer one question; build the default index first if there is none."""
    from qa.pipeline import Pipeline
    from qa.present.text import render_text

    filters = _filters(args)
    index_dir = backend_target(args) or args.index or ensure_default_index(quiet=args.json)
    pipeline = Pipeline.load(index_dir, reader=args.reader)
    answer = pipeline.ask(args.question, k=args.k, filters=filters)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        print(render_text(answer, color=sys.stdout.isatty()))
    return 0


def ensure_default_index(*, quiet: bool = False) -> Path:
    """The default index, built from the shipped corpus on first use."""
    from qa.indexing.build import ensure_index

    return ensure_index(_default_index_dir(), default_corpus_dir(), progress=not quiet)


COMMANDS = {
    "build": cmd_build,
    "add": cmd_add,
    "remove": cmd_remove,
    "upgrade": cmd_upgrade,
    "info": cmd_info,
    "ask": cmd_ask,
    "check": cmd_check,
    "migrate": cmd_migrate,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.verb](args)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: the index was left as it was before this command", file=sys.stderr)
        return 130
    except Exception as exc:
        if not type(exc).__module__.startswith("pymilvus"):
            raise
        # The server's own words, without a traceback: the index is as it was.
        message = getattr(exc, "message", None) or str(exc)
        print(f"error: Milvus refused: {message} (the index was left as it was)", file=sys.stderr)
        return 1
