"""The web chat: ``python app.py [--host H] [--port P] [--index DIR] [--reader R]``.

One pipeline, loaded once, serves every user and follows the index (``qa add`` shows up
without a restart); Gradio's queue bounds how many questions run at once. The page makes
no request beyond this server (system fonts, analytics off). API: the ``/ask`` endpoint
returns the same JSON object as ``python -m qa ask --json``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

# Before gradio is imported: no analytics, no version check, no hub.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr

from qa.config import default_corpus_dir, default_index_dir
from qa.errors import QAError
from qa.indexing.build import ensure_index
from qa.live import LivePipeline
from qa.pipeline import DEFAULT_K, DEFAULT_READER, MAX_HISTORY_TURNS, READERS, Turn
from qa.present.html import inert, render_answer_html, render_error_html
from qa.types import Answer

log = logging.getLogger("qa.app")

EXAMPLES = [
    "株洲节约了多少社会物流成本?",
    "湘赣边数字贸易总部中心的出资额是多少?",
    "高端铝基材料产业化项目总投资多少?",
    "How much did Zhuzhou save in logistics costs?",
    "Who was elected an academician of the Chinese Academy of Engineering?",
]
CONCURRENCY = 2
"""Questions answered at once: this machine has two cores."""
QUEUE_SIZE = int(os.environ.get("QA_QUEUE_SIZE", "64"))
"""Questions waiting beyond which new ones are refused with a message (env QA_QUEUE_SIZE)."""

CSS = """
.qa-reply mark.qa-answer-span { background: #ffe58a; padding: 0 2px; border-radius: 2px; }
.qa-reply .qa-answer-text { font-size: 1.15em; font-weight: 600; }
.qa-reply .qa-meta { color: #555; font-size: 0.9em; }
#chat .qa-reply .qa-quote {
  margin: 2px 0 8px 0 !important; border-left: 3px solid #d0d7de; padding-left: 8px;
}
#chat .qa-reply .qa-meta { margin: 0; }
/* The label and the toolbar float over the top of the messages by default: give them a
   row of their own, and keep the scroll-down button in a margin no text reaches. */
#chat .wrapper { display: flex; flex-direction: column; }
#chat .wrapper > label.float { position: static; flex: none; }
#chat .bubble-wrap { flex: 1 1 auto; min-height: 0; padding-right: 48px; }
#chat .scroll-down-button-container { left: auto; right: 8px; transform: none; }
.qa-reply .qa-passage-text { font-size: 0.9em; margin-bottom: 6px; }
.qa-reply .qa-confidence, .qa-reply .qa-interpreted, .qa-reply .qa-reason { color: #555; }
.qa-error { color: #b42318; }
"""
HEADER = (
    "## 株洲日报新闻问答 · Zhuzhou Daily news Q&A\n"
    "用中文或英文提问, 答案附带可核对的原文出处。"
    " Ask in Chinese or English; every answer cites the sentence it comes from."
)


def _turns(state: list[dict[str, Any]]) -> list[Turn]:
    return [Turn(t["question"], t.get("answer")) for t in state[-MAX_HISTORY_TURNS:]]


class Asker(Protocol):
    """What the chat needs: Pipeline.ask (LivePipeline also follows index updates)."""

    def ask(self, question: str, **kwargs: Any) -> Answer:
        """Answer one question."""
        ...


class ChatApp:
    """The Gradio Blocks around one pipeline."""

    def __init__(self, pipeline: Asker, *, queue_size: int = QUEUE_SIZE) -> None:
        self.pipeline = pipeline
        self.queue_size = queue_size

    def respond(
        self, question: str, messages: list[dict[str, Any]], state: list[dict[str, Any]]
    ) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], str]]:
        """Chat handler: show the question, then the answer (or an error) in its place."""
        messages = [*messages, {"role": "user", "content": inert(question or "")}]
        yield messages, state, ""
        try:
            answer = self.pipeline.ask(question, history=_turns(state))
        except QAError as exc:
            reply = render_error_html(str(exc))
        except Exception:  # a bug must not kill the page: log it, tell the user
            log.exception("pipeline failed on %r", question)
            reply = render_error_html("内部错误, 请重试 / internal error, please try again")
        else:
            reply = render_answer_html(answer)
            state = [*state, {"question": question, "answer": answer.answer}][-MAX_HISTORY_TURNS:]
        yield [*messages, {"role": "assistant", "content": reply}], state, ""

    def ask_api(self, question: str, history: list[dict[str, Any]] | None = None,
                k: int = DEFAULT_K) -> dict[str, Any]:  # fmt: skip
        """API: the JSON object of ``qa ask --json`` (history: [{question, answer}, ...])."""
        turns = [Turn(str(t.get("question", "")), t.get("answer")) for t in history or []]
        try:
            return self.pipeline.ask(question, k=int(k), history=turns).to_dict()
        except QAError as exc:
            raise gr.Error(str(exc)) from exc

    def build(self) -> gr.Blocks:
        """The page."""
        with gr.Blocks(title="株洲日报新闻问答 · News Q&A", analytics_enabled=False) as demo:
            gr.Markdown(HEADER)
            chatbot = gr.Chatbot(
                label="对话 / Conversation", height=560, sanitize_html=True,
                latex_delimiters=[], feedback_options=None, elem_id="chat",
            )  # fmt: skip
            state = gr.State([])
            with gr.Row():
                question = gr.Textbox(
                    label="问题 / Question", placeholder="例如 / e.g. 株洲节约了多少社会物流成本?",
                    scale=8, elem_id="question", max_length=2000,
                )  # fmt: skip
                ask = gr.Button("提问 / Ask", variant="primary", scale=1, elem_id="ask")
            clear = gr.Button("新对话 / New conversation", size="sm")
            gr.Examples(EXAMPLES, inputs=question, label="示例问题 / Example questions")
            outputs = [chatbot, state, question]
            for trigger in (ask.click, question.submit):
                trigger(self.respond, [question, chatbot, state], outputs, api_visibility="private")
            clear.click(lambda: ([], [], ""), None, outputs, api_visibility="private")
            gr.api(self.ask_api, api_name="ask")
        demo.queue(default_concurrency_limit=CONCURRENCY, max_size=self.queue_size)
        return demo


def theme() -> gr.themes.Theme:
    """The default look with system fonts, so no font is fetched from the internet."""
    return gr.themes.Default(
        font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    )


def main(argv: list[str] | None = None) -> int:
    """Load the index (building it on first run) and serve the chat."""
    parser = argparse.ArgumentParser(prog="python app.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host",
        default=os.environ.get("QA_HOST", "127.0.0.1"),
        help="address to listen on (env QA_HOST; 0.0.0.0 for all)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("QA_PORT", "7860")),
        help="port (env QA_PORT)",
    )
    parser.add_argument("--index", type=Path, default=None, help="index folder")
    parser.add_argument("--reader", choices=READERS, default=DEFAULT_READER, help="span reader")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        index_dir = args.index or ensure_index(
            default_index_dir(), default_corpus_dir(), progress=True
        )
        pipeline = LivePipeline(index_dir, reader=args.reader)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    chunks = len(pipeline.current.snapshot.chunks)
    log.info("serving %s (%d chunks) on http://%s:%d", index_dir, chunks, args.host, args.port)
    ChatApp(pipeline).build().launch(
        server_name=args.host, server_port=args.port, theme=theme(), css=CSS,
        ssr_mode=False, footer_links=["api"], show_error=True,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
