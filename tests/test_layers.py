"""The stages of qa/ import only the stages below them (qa/__init__.py draws the graph).

The check parses every module's imports (also those under TYPE_CHECKING and inside
functions: a lazy import is still an arrow) and fails on any that runs back up, or
sideways between two stages of the same layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import qa

QA_DIR = Path(qa.__file__).resolve().parent

LAYERS: tuple[tuple[str, ...], ...] = (
    # 0 and 1: the shared vocabulary, which imports no stage; the dataclasses carry the
    # articles' matched view (qa.textnorm), so they stand on the rest of it
    ("qa.config", "qa.errors", "qa.textnorm", "qa.checksums", "qa.tokens", "qa.scoring"),
    ("qa.types",),
    # 2: stages that need only the vocabulary
    ("qa.question", "qa.ingest", "qa.encoders", "qa.present"),
    # 3: the index is built from articles by the encoders; follow-ups need the analysis
    ("qa.indexing", "qa.conversation"),
    # 4: retrieval and reading both stand on the index, neither on the other
    ("qa.retrieval", "qa.reading"),
    # 5: fact checking reads retrieved passages with the readers' measures
    ("qa.checking",),
    # 6 to 9: the wiring, each on the one before
    ("qa.pipeline",),
    ("qa.live",),
    ("qa.cli",),
    ("qa.__main__",),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
PEERS_APART = (("qa.reading.fast", "qa.reading.neural"),)
"""Modules of one stage that must not import each other: the routed reader composes the
two readers, and neither reaches into the other."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(QA_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str | None:
    """The stage a module belongs to: its subpackage, or itself at the top of qa/."""
    parts = module.split(".")
    if parts[0] != "qa" or len(parts) == 1:
        return None
    return ".".join(parts[:2])


def imports_of(source: str) -> list[tuple[int, str]]:
    """(line, module) of every absolute import of ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # ``from qa.retrieval import crosslingual`` imports a module too
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def violations(sources: dict[str, str]) -> list[str]:
    """Every import of ``sources`` (module name → its text) that breaks the layering."""
    problems = []
    for module, source in sorted(sources.items()):
        unit = _unit(module)
        if unit is None:
            continue
        if unit not in RANK:
            problems.append(f"{module}: its stage {unit} has no layer in tests/test_layers.py")
            continue
        seen = set()
        for line, imported in imports_of(source):
            # one report per import statement and stage (``from qa.x import y`` yields two)
            key = (line, _unit(imported) or imported.split(".")[0])
            if key in seen:
                continue
            seen.add(key)
            if imported.split(".")[0] in ("eval", "app", "tests"):
                problems.append(f"{module}:{line} imports {imported}, which stands above qa/")
                continue
            target = _unit(imported)
            if target is None or target == unit:
                continue
            if target not in RANK:
                problems.append(f"{module}:{line} imports {imported}, which has no layer")
                continue
            if RANK[target] >= RANK[unit]:
                problems.append(
                    f"{module}:{line} imports {imported}: {unit} (layer {RANK[unit]}) may "
                    f"import only layers below it, and {target} is layer {RANK[target]}"
                )
        for first, second in PEERS_APART:
            for this, other in ((first, second), (second, first)):
                if module == this and any(i == other for _, i in imports_of(source)):
                    problems.append(f"{this} imports {other}: the two must stay apart")
    return problems


def qa_sources() -> dict[str, str]:
    """Module name → source text of every module of qa/."""
    return {_module_name(p): p.read_text(encoding="utf-8") for p in sorted(QA_DIR.rglob("*.py"))}


def test_no_import_runs_back_up() -> None:
    sources = qa_sources()
    assert len(sources) > 40  # the walk found the package
    assert violations(sources) == []


def test_every_stage_has_a_layer() -> None:
    units = {_unit(m) for m in qa_sources()} - {None}
    assert units <= set(RANK), units - set(RANK)


def test_the_check_fails_on_a_planted_back_up_import() -> None:
    sources = qa_sources()
    planted = dict(sources)
    planted["qa.indexing.store"] += "\nfrom qa.pipeline import Pipeline\n"
    found = violations(planted)
    assert len(found) == 1 and "qa.indexing.store" in found[0] and "qa.pipeline" in found[0]
    # sideways between peers of one layer, lazily inside a function
    planted = dict(sources)
    planted["qa.retrieval.hybrid"] += "\ndef f():\n    from qa.reading.fast import FastReader\n"
    assert any("qa.retrieval.hybrid" in v and "qa.reading" in v for v in violations(planted))
    # the shared vocabulary importing a stage, under TYPE_CHECKING
    planted = dict(sources)
    planted["qa.tokens"] += "\nif TYPE_CHECKING:\n    from qa.types import Article\n"
    assert any(v.startswith("qa.tokens:") for v in violations(planted))
    # one reader reaching into the other
    planted = dict(sources)
    planted["qa.reading.neural"] += "\nfrom qa.reading.fast import FastReader\n"
    assert any("must stay apart" in v for v in violations(planted))
    # a new stage nobody placed
    planted = dict(sources)
    planted["qa.storage.milvus"] = "from qa.types import Article\n"
    assert any("no layer" in v for v in violations(planted))
    # fact checking stands above reading, not the other way round
    planted = dict(sources)
    planted["qa.reading.fast"] += "\nfrom qa.checking.values import find_values\n"
    assert any("qa.reading.fast" in v and "qa.checking" in v for v in violations(planted))
