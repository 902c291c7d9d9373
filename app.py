"""The web chat: ``python app.py [--host H] [--port P] [--index DIR] [--reader R]``.

One pipeline, loaded once, serves every user and follows the index (``qa add`` shows up
without a restart); Gradio's queue bounds how many questions run at once. The page makes
no request beyond this server (system fonts, analytics off). API: the ``/ask`` endpoint
returns the same JSON object as ``python -m qa ask --json``, and ``/check`` the same as
``python -m qa check --json``. The "核查 / Fact check" tab takes a paragraph of a draft and
shows a verdict per statement with the article sentence that decides it.
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

from qa.cli import add_backend_options, backend_target
from qa.config import default_corpus_dir, default_index_dir
from qa.errors import QAError
from qa.indexing.build import ensure_index
from qa.indexing.target import describe
from qa.live import LivePipeline
from qa.pipeline import CHECK_K, DEFAULT_K, DEFAULT_READER, MAX_HISTORY_TURNS, READERS, Turn
from qa.present.html import inert, render_answer_html, render_check_html, render_error_html
from qa.types import Answer, CheckReport

log = logging.getLogger("qa.app")

EXAMPLES = [
    "株洲节约了多少社会物流成本?",
    "湘赣边数字贸易总部中心的出资额是多少?",
    "高端铝基材料产业化项目总投资多少?",
    "How much did Zhuzhou save in logistics costs?",
    "Who was elected an academician of the Chinese Academy of Engineering?",
]
CHECK_EXAMPLES = [
    "2025年株洲全社会物流总费用与GDP的比率为13.5%，节约社会物流成本约20亿元。",
    "Zhuzhou saved about 2 billion yuan in logistics costs in 2025.",
    "高端铝基材料产业化项目总投资约5.1亿元，一期建成1100吨挤压生产线。",
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
.qa-check-table { border-collapse: collapse; width: 100%; }
.qa-check-table th, .qa-check-table td {
  border: 1px solid #d0d7de; padding: 6px 8px; vertical-align: top; text-align: left;
}
.qa-check .qa-supported b { color: #1a7f37; }
.qa-check .qa-contradicted b { color: #b42318; }
.qa-check .qa-not-found b { color: #57606a; }
.qa-check mark.qa-value-same { background: #d1f0d9; padding: 0 2px; }
.qa-check mark.qa-value-differs { background: #ffd6d6; padding: 0 2px; font-weight: 600; }
.qa-check .qa-note, .qa-check .qa-alignment { font-size: 0.9em; color: #333; }
.qa-check .qa-quote { margin: 2px 0; border-left: 3px solid #d0d7de; padding-left: 8px; }
"""
HEADER = (
    "## 株洲日报新闻问答 · Zhuzhou Daily news Q&A\n"
    "用中文或英文提问, 答案附带可核对的原文出处。"
    " Ask in Chinese or English; every answer cites the sentence it comes from."
)


def _turns(state: list[dict[str, Any]]) -> list[Turn]:
    return [Turn(t["question"], t.get("answer")) for t in state[-MAX_HISTORY_TURNS:]]


class Asker(Protocol):
    """What the page needs: Pipeline.ask and .check (LivePipeline also follows index
    updates)."""

    def ask(self, question: str, **kwargs: Any) -> Answer:
        """Answer one question."""
        ...

    def check(self, text: str, **kwargs: Any) -> CheckReport:
        """Fact-check a claim or paragraph."""
        ...


class ChatApp:
    """The Gradio Blocks around one pipeline."""

    def __init__(self, pipeline: Asker, *, queue_size: int = QUEUE_SIZE) -> None:
        self.pipeline = pipeline
        self.queue_size = queue_size

    def respond(
        self, question: str, messages: list[dict[str, Any]], state: list[dict[str, Any]]
    ) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], Any]]:
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
        # the question box was emptied when the question was sent: leave it alone now, so a
        # next question typed while this one was answered is not wiped
        yield [*messages, {"role": "assistant", "content": reply}], state, gr.skip()

    def ask_api(self, question: str, history: list[dict[str, Any]] | None = None,
                k: int = DEFAULT_K) -> dict[str, Any]:  # fmt: skip
        """API: the JSON object of ``qa ask --json`` (history: [{question, answer}, ...])."""
        turns = [Turn(str(t.get("question", "")), t.get("answer")) for t in history or []]
        try:
            return self.pipeline.ask(question, k=int(k), history=turns).to_dict()
        except QAError as exc:
            raise gr.Error(str(exc)) from exc

    def check_tab(self, text: str) -> str:
        """Fact-check tab handler: the verdict table, or the error, as HTML."""
        try:
            return render_check_html(self.pipeline.check(text or ""))
        except QAError as exc:
            return render_error_html(str(exc))
        except Exception:  # a bug must not kill the page: log it, tell the user
            log.exception("check failed on %r", text)
            return render_error_html("内部错误, 请重试 / internal error, please try again")

    def check_api(self, text: str, k: int = CHECK_K) -> dict[str, Any]:
        """API: the JSON object of ``qa check --json``."""
        try:
            return self.pipeline.check(text, k=int(k)).to_dict()
        except QAError as exc:
            raise gr.Error(str(exc)) from exc

    def build(self) -> gr.Blocks:
        """The page: the chat, and the fact-check tab."""
        with gr.Blocks(title="株洲日报新闻问答 · News Q&A", analytics_enabled=False) as demo:
            gr.Markdown(HEADER)
            with gr.Tabs():
                with gr.Tab("问答 / Q&A", elem_id="tab-ask"):
                    self._chat()
                with gr.Tab("核查 / Fact check", elem_id="tab-check"):
                    self._fact_check()
            gr.api(self.ask_api, api_name="ask")
            gr.api(self.check_api, api_name="check")
        demo.queue(default_concurrency_limit=CONCURRENCY, max_size=self.queue_size)
        return demo

    def _fact_check(self) -> None:
        """The fact-check tab: a draft in, a table of verdicts with evidence out."""
        gr.Markdown("粘贴稿件中的一句或一段, 逐条核对原文。"
                    " Paste a sentence or paragraph of a draft: each statement is checked "
                    "against the articles.")  # fmt: skip
        claim = gr.Textbox(label="稿件 / Draft", lines=5, max_length=4000, elem_id="claim",
                           placeholder="例如 / e.g. " + CHECK_EXAMPLES[0])  # fmt: skip
        run = gr.Button("核查 / Check", variant="primary", elem_id="check")
        verdicts = gr.HTML(elem_id="verdicts")
        gr.Examples(CHECK_EXAMPLES, inputs=claim, label="示例 / Examples")
        for trigger in (run.click, claim.submit):
            trigger(self.check_tab, [claim], [verdicts], api_visibility="private")

    def _chat(self) -> None:
        """The chat tab: questions and answers with citations."""
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
    add_backend_options(parser)
    parser.add_argument("--reader", choices=READERS, default=DEFAULT_READER, help="span reader")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        index_dir = backend_target(args) or args.index or ensure_index(
            default_index_dir(), default_corpus_dir(), progress=True
        )
        pipeline = LivePipeline(index_dir, reader=args.reader)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    chunks = len(pipeline.current.snapshot.chunks)
    log.info("serving %s (%d chunks) on http://%s:%d", describe(index_dir), chunks, args.host,
             args.port)  # fmt: skip
    ChatApp(pipeline).build().launch(
        server_name=args.host, server_port=args.port, theme=theme(), css=CSS,
        ssr_mode=False, footer_links=["api"], show_error=True,
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
