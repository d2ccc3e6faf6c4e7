"""`xxgk bot` in webhook mode, as a real process: it registers its webhook with the secret token,
answers an update Telegram posts with that token, refuses one without it, and never logs the token."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.fakebotapi import TOKEN, FakeBotAPI, message
from tests.telegram_harness import MEMBER, sample_db

SECRET = "webhook-secret-for-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _listening(url: str, update: dict, secret: str) -> int | None:
    """The status of a post, or None while the webhook server is not accepting connections yet
    (setWebhook can reach the Bot API a moment before the server listens, on a loaded machine)."""
    try:
        return _post(url, update, secret)
    except urllib.error.URLError:
        return None


def _wait(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_webhook_mode_end_to_end(tmp_path: Path, api: FakeBotAPI) -> None:
    xxgk = shutil.which("xxgk")
    if xxgk is None:
        pytest.skip("xxgk is not installed on PATH")
    db_path = sample_db(tmp_path / "bot.db")
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/hook"
    env = dict(
        os.environ,
        XXGK_BOT_TOKEN=TOKEN,
        XXGK_DB=str(db_path),
        XXGK_BOT_API=api.base,
        XXGK_ALLOWED_USERS=str(MEMBER),
        XXGK_WEBHOOK_URL=hook,
        XXGK_WEBHOOK_SECRET=SECRET,
        XXGK_WEBHOOK_LISTEN="127.0.0.1",
        XXGK_WEBHOOK_PORT=str(port),
        XXGK_DATA_DIR=str(tmp_path / "data"),
        NO_PROXY="127.0.0.1,localhost",
    )
    process = subprocess.Popen([xxgk, "bot"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        registered = _wait(lambda: [c for c in api.calls if c.method == "setWebhook"])
        assert registered[0].params.get("url") == hook
        assert registered[0].params.get("secret_token") == SECRET

        question = {"update_id": 1, **message(MEMBER, MEMBER, "平潭2023年行政复议多少件")}
        assert _wait(lambda: _listening(hook, {**question, "update_id": 2}, "wrong-secret")) == 403
        _wait(lambda: _post(hook, question, SECRET) == 200)
        texts = _wait(lambda: api.texts(MEMBER))
        assert "2 件" in texts[0] and "来源" in texts[0]
        assert len(api.texts(MEMBER)) == 1  # the update with the wrong secret was not handled
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert TOKEN not in output


def test_webhook_port_in_use_is_one_line_and_an_exit_code(tmp_path: Path, api: FakeBotAPI) -> None:
    """Another program on the webhook's port: `xxgk bot` says so in one line (no traceback, no
    token) and exits with its own code, as every other start failure does."""
    xxgk = shutil.which("xxgk")
    if xxgk is None:
        pytest.skip("xxgk is not installed on PATH")
    db_path = sample_db(tmp_path / "bot.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = dict(os.environ, XXGK_BOT_TOKEN=TOKEN, XXGK_DB=str(db_path), XXGK_BOT_API=api.base,
                   XXGK_ALLOWED_USERS=str(MEMBER), XXGK_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                   XXGK_WEBHOOK_SECRET=SECRET, XXGK_WEBHOOK_LISTEN="127.0.0.1", XXGK_WEBHOOK_PORT=str(port),
                   XXGK_DATA_DIR=str(tmp_path / "data"), NO_PROXY="127.0.0.1,localhost")
        done = subprocess.run([xxgk, "bot"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 8, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert str(port) in last and "已被占用" in last and "Traceback" not in done.stderr, done.stderr
    assert TOKEN not in done.stderr + done.stdout
