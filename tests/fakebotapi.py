"""A fake Telegram Bot API on 127.0.0.1 for driving the real ``telegram.ext.Application``.

It implements the methods the bot uses (getMe, deleteWebhook, getUpdates with offset and a
~1 s long-poll cap, sendMessage, sendPhoto/sendDocument multipart, getFile and file download,
answerCallbackQuery, editMessageText, setMyCommands); any other method gets 400.  Every call is
recorded.  Tests push updates with :meth:`FakeBotAPI.push` and can make sendMessage fail for a
while (:meth:`fail_send`) with a 5xx, a 429 RetryAfter, or a chat migration, or accept it and hang
up before answering (``hangup``: the sender cannot know the outcome).  ``on_accept`` is called
with every accepted sendMessage before its answer goes out: the place to kill a sender between
Telegram accepting a message and the sender recording it.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

BOT_ID = 777000111
BOT_USERNAME = "xxgk_test_bot"
TOKEN = "123456:TEST-token_abc"
LONG_POLL_CAP = 1.0
HANGUP = -1
"""Pseudo status of :meth:`FakeBotAPI.dispatch`: the call was accepted, close without answering."""

_METHOD_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$")
_FILE_RE = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    ok: bool = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up mid-poll (the bot stopping) is normal here, not an error."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeBotAPI:
    """Start with :meth:`start`, stop with :meth:`stop`; ``base`` is the API root to configure."""

    def __init__(self, *, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._files: dict[str, bytes] = {}
        self._delays: dict[str, float] = {}
        self._cond = threading.Condition()
        self._fail: dict[str, Any] = {"count": 0, "mode": "500"}
        self._closing = False
        self.on_accept: Callable[[dict[str, Any]], None] | None = None
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, name="fakebotapi", daemon=True)

    # ------------------------------------------------------------------ control (test side)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeBotAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (its ``update_id`` is assigned here); returns the id."""
        with self._cond:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._cond.notify_all()
            return update["update_id"]

    def add_file(self, file_id: str, data: bytes, *, delay: float = 0.0) -> None:
        """Serve ``data`` for ``file_id``; ``delay`` seconds before the download answers."""
        self._files[file_id] = data
        self._delays[file_id] = delay

    def fail_send(self, count: int, mode: str = "500", **extra: Any) -> None:
        """Make the next ``count`` sendMessage calls fail: mode ``500``, ``429`` (retry_after in
        ``extra``), ``migrate`` (``new_chat_id``), ``403``, or ``hangup`` (the message is accepted
        and recorded, then the connection closes without an answer)."""
        with self._cond:
            self._fail = {"count": count, "mode": mode, **extra}

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        """Successful calls of ``method`` (to ``chat_id``)."""
        with self._cond:
            calls = list(self.calls)
        return [
            c for c in calls
            if c.method == method and c.ok and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [c.params.get("text", "") for c in self.sent("sendMessage", chat_id)]

    def pending_updates(self) -> int:
        with self._cond:
            return len(self._updates)

    # ------------------------------------------------------------------ the API (server side)

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = "测试群"
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "xxgk", "username": BOT_USERNAME},
        }
        if "text" in params:
            message["text"] = params["text"]
        if params.get("reply_markup"):
            message["reply_markup"] = json.loads(params["reply_markup"])
        message.update(extra)
        return message

    def _send_failure(self) -> tuple[int, dict[str, Any]] | None:
        with self._cond:
            if self._fail["count"] <= 0:
                return None
            self._fail["count"] -= 1
            mode = self._fail["mode"]
            if mode == "429":
                retry = self._fail.get("retry_after", 1)
                return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                             "parameters": {"retry_after": retry}}
            if mode == "migrate":
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: group chat was upgraded",
                             "parameters": {"migrate_to_chat_id": self._fail["new_chat_id"]}}
            if mode == "hangup":
                return None  # accepted; the caller hangs up instead of answering
            if mode == "403":
                return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        deadline = time.monotonic() + wait
        with self._cond:
            # offset confirms every earlier update: forget them, as Telegram does
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closing:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self._updates[:limit]

    def dispatch(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, dict[str, Any]]:
        ok = {"ok": True}
        if method == "getMe":
            return 200, {**ok, "result": {"id": BOT_ID, "is_bot": True, "first_name": "xxgk",
                                          "username": BOT_USERNAME, "can_join_groups": True,
                                          "can_read_all_group_messages": False, "supports_inline_queries": False}}
        if method in ("deleteWebhook", "setMyCommands", "setWebhook"):
            return 200, {**ok, "result": True}
        if method == "getUpdates":
            return 200, {**ok, "result": self._get_updates(params)}
        if method == "sendMessage":
            hangup = self._fail["count"] > 0 and self._fail["mode"] == "hangup"
            failure = self._send_failure()
            if failure:
                return failure
            result = self._message(params)
            if self.on_accept:
                self.on_accept(params)
            return (HANGUP if hangup else 200), {**ok, "result": result}
        if method == "sendPhoto":
            photo = [{"file_id": "photo1", "file_unique_id": "p1", "width": 700, "height": 400,
                      "file_size": len(files.get("photo", b""))}]
            return 200, {**ok, "result": self._message(params, photo=photo, caption=params.get("caption", ""))}
        if method == "sendDocument":
            name = params.get("_filename", "file")
            document = {"file_id": "doc1", "file_unique_id": "d1", "file_name": name,
                        "file_size": len(files.get("document", b""))}
            return 200, {**ok, "result": self._message(params, document=document, caption=params.get("caption", ""))}
        if method == "answerCallbackQuery":
            return 200, {**ok, "result": True}
        if method == "editMessageText":
            message = self._message(params, message_id=int(params.get("message_id", 0)), edit_date=int(time.time()))
            return 200, {**ok, "result": message}
        if method == "getFile":
            file_id = params.get("file_id", "")
            if file_id not in self._files:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            return 200, {**ok, "result": {"file_id": file_id, "file_unique_id": f"u{file_id}",
                                          "file_size": len(self._files[file_id]), "file_path": f"documents/{file_id}"}}
        return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: method {method} not found"}

    def download(self, path: str) -> bytes | None:
        file_id = path.rsplit("/", 1)[-1]
        time.sleep(self._delays.get(file_id, 0.0))
        return self._files.get(file_id)

    # ------------------------------------------------------------------ HTTP plumbing

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def setup(self) -> None:
                super().setup()
                # headers and body go out in two writes: without NODELAY, Nagle + delayed ACK
                # add ~40 ms to every call and the benchmark would measure TCP, not the bot
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _reply(self, code: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                match = _FILE_RE.match(unquote(self.path.split("?")[0]))
                if match and match["token"] == api.token:
                    data = api.download(match["path"])
                    if data is not None:
                        self._reply(200, data, "application/octet-stream")
                        return
                if not match:
                    match = _METHOD_RE.match(self.path.split("?")[0])
                    if match:
                        self._api(match, b"")
                        return
                self._reply(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                match = _METHOD_RE.match(self.path)
                if not match:
                    self._reply(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
                    return
                self._api(match, body)

            def _api(self, match: re.Match, body: bytes) -> None:
                if match["token"] != api.token:
                    self._reply(401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}')
                    return
                params, files = parse_body(self.headers.get("Content-Type", ""), body)
                code, payload = api.dispatch(match["method"], params, files)
                with api._cond:
                    api.calls.append(Call(match["method"], params, files, ok=code in (200, HANGUP)))
                if code == HANGUP:
                    self.close_connection = True
                    return
                self._reply(code, json.dumps(payload, ensure_ascii=False).encode())

        return Handler


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Form, JSON or multipart parameters → (params as strings, files as bytes)."""
    if not body:
        return {}, {}
    if content_type.startswith("application/json"):
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}, {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename:
                files[name] = payload
                params["_filename"] = filename
            else:
                params[name] = payload.decode("utf-8")
        return params, files
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), {}


# ---------------------------------------------------------------------------- update builders

_ids = itertools.count(1)


def user(user_id: int, name: str = "用户") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "用户"}
    return {"id": chat_id, "type": "supergroup", "title": "测试群"}


def message(chat_id: int, user_id: int, text: str, **extra: Any) -> dict[str, Any]:
    """A message update; a leading ``/command`` gets its bot_command entity, ``@name`` a mention."""
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
    mention = f"@{BOT_USERNAME}"
    if mention in text and not text.startswith("/"):
        entities.append({"type": "mention", "offset": text.index(mention), "length": len(mention)})
    msg = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": user(user_id),
        "text": text,
        **extra,
    }
    if entities:
        msg["entities"] = entities
    return {"message": msg}


def document(chat_id: int, user_id: int, file_id: str, file_name: str, size: int) -> dict[str, Any]:
    msg = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": user(user_id),
        "document": {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name, "file_size": size},
    }
    return {"message": msg}


def callback(chat_id: int, user_id: int, data: str, message_id: int = 1) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat(chat_id),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "xxgk", "username": BOT_USERNAME},
                "text": "…",
            },
        }
    }
