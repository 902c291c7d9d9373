"""The serving pipeline follows index updates without a restart."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from qa.encoders.embedding import HashEmbedder
from qa.indexing.build import add_articles, remove_articles
from qa.ingest import read_articles
from qa.live import LivePipeline


def test_added_articles_are_answered_without_restart(page_index: Path, tmp_path: Path) -> None:
    live = LivePipeline(page_index, embedder=HashEmbedder(64), reader="fast", check_seconds=0.0)
    question = "新建的跨江大桥总投资多少?"
    assert "跨江大桥" not in "".join(a.text for a in live.current.snapshot.articles.values())
    before = live.generation

    errors: list[BaseException] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            try:
                live.ask("株洲节约了多少社会物流成本?")
            except BaseException as exc:  # any failure while the index changes is a bug
                errors.append(exc)

    asker = threading.Thread(target=keep_asking)
    asker.start()
    extra = tmp_path / "bridge.jsonl"
    extra.write_text(
        json.dumps(
            {
                "title": "跨江大桥开工",
                "text": "新建的跨江大桥总投资约8.8亿元,预计两年建成。",
                "published_at": "2026-01-20",
            },
            ensure_ascii=False,
        )
        + "\n"
    )
    add_articles(page_index, read_articles([extra]).articles, HashEmbedder(64))
    live.refresh(wait=True)
    stop.set()
    asker.join()
    assert errors == []
    assert live.generation != before and live.reloads == 1
    answer = live.ask(question)
    assert answer.answer is not None and "8.8亿元" in answer.answer

    bridge = next(
        a.id for a in live.current.snapshot.articles.values() if a.title == "跨江大桥开工"
    )
    remove_articles(page_index, [bridge])
    live.refresh(wait=True)
    assert bridge not in live.current.snapshot.articles


def test_a_broken_new_generation_keeps_the_old_one_serving(page_index: Path) -> None:
    live = LivePipeline(page_index, embedder=HashEmbedder(64), reader="fast", check_seconds=0.0)
    before = live.generation
    manifest = json.loads((page_index / "manifest.json").read_text())
    manifest["generation"] = "g999999"  # points at files that do not exist
    (page_index / "manifest.json").write_text(json.dumps(manifest))
    live.refresh(wait=True)
    assert live.generation == before
    assert live.ask("株洲节约了多少社会物流成本?").answer is not None
