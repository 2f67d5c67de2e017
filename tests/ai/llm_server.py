"""A local OpenAI-compatible HTTP server for tests, answering however the test scripts it.

It binds to 127.0.0.1 on a free port and runs in a thread; `reply` (a function of the request's JSON) says
what to answer: chat content (optionally after a delay), an HTTP status, or a raw body.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str | None = None  # chat completion content
    status: int = 200
    raw: str | None = None  # a body sent as is (not a chat completion)
    delay_s: float = 0.0
    embeddings: list[list[float]] | None = None
    stream: list[str] | None = None  # content sent as server-sent event chunks (text/event-stream)
    tool_calls: list[dict[str, Any]] | None = None  # [{"name": …, "arguments": "<json text>"}]
    stream_delay_s: float = 0.0  # pause between streamed chunks


@dataclass
class FakeLLM:
    reply: Callable[[dict[str, Any]], Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def script(self, *replies: Reply) -> None:
        """Answer with these replies in order, then repeat the last one."""
        queue = list(replies)

        def next_reply(_: dict[str, Any]) -> Reply:
            return queue.pop(0) if len(queue) > 1 else queue[0]

        self.reply = next_reply


def chat_body(content: str | None, tool_calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
            for i, c in enumerate(tool_calls)
        ]
    reason = "tool_calls" if tool_calls else "stop"
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": reason}],
    }


def stream_events(reply: Reply) -> list[bytes]:
    """The chunks of a streamed chat completion, as real servers send them: a role delta, content deltas, tool
    call deltas with their arguments split in two, a finish reason, then [DONE]."""

    def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
        chunk = {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "model": "test-model",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(chunk)}\n\n".encode()

    out = [event({"role": "assistant", "content": ""})]
    out += [event({"content": piece}) for piece in reply.stream or []]
    for i, call in enumerate(reply.tool_calls or []):
        args = call["arguments"]
        half = len(args) // 2
        out.append(
            event(
                {
                    "tool_calls": [
                        {
                            "index": i,
                            "id": f"call_{i}",
                            "type": "function",
                            "function": {"name": call["name"], "arguments": args[:half]},
                        }
                    ]
                }
            )
        )
        out.append(event({"tool_calls": [{"index": i, "function": {"arguments": args[half:]}}]}))
    out.append(event({}, "tool_calls" if reply.tool_calls else "stop"))
    out.append(b"data: [DONE]\n\n")
    return out


@contextmanager
def fake_llm_server(reply: Callable[[dict[str, Any]], Reply] | None = None) -> Iterator[FakeLLM]:
    fake = FakeLLM(reply or (lambda _: Reply(content="ok")))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            body["_path"] = self.path
            body["_auth"] = self.headers.get("Authorization")
            fake.requests.append(body)
            answer = fake.reply(body)
            if answer.delay_s:
                time.sleep(answer.delay_s)
            if answer.stream is not None and answer.status < 400:
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for piece in stream_events(answer):
                        self.wfile.write(piece)
                        self.wfile.flush()
                        if answer.stream_delay_s:
                            time.sleep(answer.stream_delay_s)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            if answer.raw is not None:
                payload = answer.raw.encode()
            elif answer.embeddings is not None:
                data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(answer.embeddings)]
                payload = json.dumps({"object": "list", "data": data, "model": body.get("model")}).encode()
            elif answer.status >= 400:
                payload = json.dumps({"error": {"message": f"scripted {answer.status}"}}).encode()
            else:
                payload = json.dumps(chat_body(answer.content, answer.tool_calls)).encode()
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
