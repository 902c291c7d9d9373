"""A pipeline that follows its index: ``qa add``/``qa remove`` show up without a restart.

Each question is answered by one immutable Pipeline (one index snapshot) from start to
end. When the index's manifest names a new generation, a background thread loads it and
swaps it in; questions already running finish on the snapshot they started with, and a
load that fails (a half-copied index, say) leaves the current one serving.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from qa.encoders.embedding import Embedder
from qa.indexing.target import IndexTarget, generation_of, open_snapshot
from qa.pipeline import DEFAULT_READER, Pipeline
from qa.reading.protocol import Reader
from qa.types import Answer, CheckReport

log = logging.getLogger(__name__)
CHECK_SECONDS = 2.0
"""How often (at most) a question looks at the manifest."""


class LivePipeline:
    """Pipeline.ask, always over the newest committed generation of ``index_dir`` (a folder
    or a ``MilvusLocation``)."""

    def __init__(
        self,
        index_dir: IndexTarget,
        *,
        embedder: Embedder | None = None,
        reader: Reader | str = DEFAULT_READER,
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self.index_dir = index_dir
        self._check_seconds = check_seconds
        self._current = Pipeline.load(index_dir, embedder=embedder, reader=reader)
        self._embedder = self._current.embedder
        self._lock = threading.Lock()
        self._loading = False
        self._loader: threading.Thread | None = None
        self._last_check = time.monotonic()
        self.reloads = 0

    @property
    def current(self) -> Pipeline:
        """The pipeline new questions go to."""
        return self._current

    @property
    def generation(self) -> str:
        """The generation being served."""
        return self._current.snapshot.generation

    def _newer_generation(self) -> str | None:
        try:
            # A Milvus snapshot's client is reused: polling must not open a connection each time.
            client = getattr(self._current.snapshot.backend, "client", None)
            generation = generation_of(self.index_dir, client)
        except Exception:  # a manifest mid-replace or unreadable: keep serving what we have
            return None
        return generation if generation != self.generation else None

    def refresh(self, *, wait: bool = False) -> bool:
        """Start loading a newer generation if there is one; with ``wait``, finish it
        (and any load already under way) before returning. True if a load was started."""
        with self._lock:
            running = self._loader
            start = not self._loading and self._newer_generation() is not None
            if start:
                self._loading = True
                self._loader = threading.Thread(target=self._load, name="index-reload", daemon=True)
                self._loader.start()
                running = self._loader
        if wait and running is not None:
            running.join()
            if not start and self._newer_generation() is not None:
                return self.refresh(wait=True)
        return start

    def _load(self) -> None:
        try:
            # The query encoder and any model inside the reader are reused: a generation
            # made by add/remove keeps its encoder, and Pipeline refuses a snapshot whose
            # manifest names another one.
            client = getattr(self._current.snapshot.backend, "client", None)
            snapshot = open_snapshot(self.index_dir, client=client)
            reader = self._current.reader.for_index(snapshot)
            fresh = Pipeline(snapshot, self._embedder, reader=reader)
            fresh.warm_up()
        except Exception:
            log.exception("could not load the new index generation; still serving %s",
                          self.generation)  # fmt: skip
        else:
            log.info(
                "now serving %s (%d chunks)", fresh.snapshot.generation, len(fresh.snapshot.chunks)
            )
            self._current = fresh
            self.reloads += 1
        finally:
            with self._lock:
                self._loading = False

    def _following(self) -> Pipeline:
        """The current pipeline; now and then, look for a newer snapshot first."""
        now = time.monotonic()
        if now - self._last_check >= self._check_seconds:
            self._last_check = now
            self.refresh()
        return self._current

    def ask(self, question: str, **kwargs: Any) -> Answer:
        """Answer with the current snapshot; now and then, look for a newer one."""
        return self._following().ask(question, **kwargs)

    def check(self, text: str, **kwargs: Any) -> CheckReport:
        """Fact-check with the current snapshot; now and then, look for a newer one."""
        return self._following().check(text, **kwargs)
