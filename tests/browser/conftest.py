from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.encoders.embedding import HashEmbedder
from qa.indexing.build import build_index
from qa.ingest import read_articles
from tests.conftest import PAGE

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = {
    "title": "<script>window.__pwned='title'</script>恶意测试新闻 O'Brien's \"引号\"",
    "text": (
        "恶意测试项目投资额为3亿元。<script>window.__pwned='script'</script>"
        "<img src=x onerror=\"window.__pwned='img'\">"
        "详情见[点我](javascript:window.__pwned='link')和**粗体**。\u200b\u202e反向文字\u202c结束。"
    ),
    "published_at": "2026-01-15",
    "source": "测试<b>来源</b>",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def browser_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    hostile = folder / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE, ensure_ascii=False) + "\n", encoding="utf-8")
    index_dir = folder / "index"
    build_index(index_dir, read_articles([PAGE, hostile]).articles, HashEmbedder(64))
    return index_dir


@pytest.fixture(scope="session")
def app_url(browser_index: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "QA_PORT": str(port), "QA_HOST": "127.0.0.1"}
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, str(root / "app.py"), "--index", str(browser_index)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited: {process.stdout.read() if process.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("app did not start within 180 s")
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()
