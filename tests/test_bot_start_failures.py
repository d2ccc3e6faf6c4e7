"""``xxgk bot`` that cannot start says why in one line, with its own exit code, never the token.

Each failure an operator meets is made for real: a wrong token against the fake Bot API (it
answers 401 to a token it does not know), a host name that does not resolve (no network), a
closed port, and a socket that accepts and never answers.  The bot runs as a subprocess, the way
systemd or a container runs it, and the exit codes are the ones the operator's guide lists.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from bot.telegram import startup
from tests.conftest import ROOT
from tests.fakebotapi import FakeBotAPI

WRONG_TOKEN = "987654321:WRONG-secret-token_XYZ"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def _run_bot(tmp_path, api_base: str, token: str = WRONG_TOKEN) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PROXIES}
    env.update(XXGK_BOT_TOKEN=token, XXGK_BOT_API=api_base, XXGK_DB=str(tmp_path / "bot.db"),
               XXGK_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT),
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    return subprocess.run([sys.executable, "-c", "from cli.main import main; main()", "bot"],
                          capture_output=True, text=True, env=env, timeout=90, cwd=tmp_path)


def _failure_line(done: subprocess.CompletedProcess) -> str:
    """The bot's last words: one line, no traceback, no token (log lines before it are fine)."""
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output[-3000:]
    assert WRONG_TOKEN not in output and "WRONG-secret" not in output
    lines = done.stderr.strip().splitlines()
    assert len(lines) <= 3, done.stderr  # "starting", the allowlist warning, the reason
    return lines[-1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections (the kernel's backlog) and never answers a byte."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


def test_no_token(tmp_path) -> None:
    done = _run_bot(tmp_path, "http://127.0.0.1:9", token="")
    assert done.returncode == startup.CONFIG_ERROR
    assert "@BotFather" in _failure_line(done)


def test_wrong_token(tmp_path) -> None:
    api = FakeBotAPI().start()
    try:
        done = _run_bot(tmp_path, api.base)
    finally:
        api.stop()
    assert done.returncode == startup.TOKEN_REJECTED
    line = _failure_line(done)
    assert "拒绝了机器人令牌" in line and "@BotFather" in line and "XXGK_BOT_TOKEN" in line


def test_no_network(tmp_path) -> None:
    done = _run_bot(tmp_path, "http://xxgk-no-such-host.invalid")
    assert done.returncode == startup.NO_NETWORK
    line = _failure_line(done)
    assert "无法解析 xxgk-no-such-host.invalid" in line and "网络" in line


def test_closed_port(tmp_path, closed_port: int) -> None:
    done = _run_bot(tmp_path, f"http://127.0.0.1:{closed_port}")
    assert done.returncode == startup.API_REFUSED
    line = _failure_line(done)
    assert f"127.0.0.1:{closed_port} 拒绝连接" in line and "XXGK_BOT_API" in line


@pytest.mark.slow
def test_server_that_never_answers(tmp_path, silent_server: int) -> None:
    done = _run_bot(tmp_path, f"http://127.0.0.1:{silent_server}")
    assert done.returncode == startup.API_TIMEOUT
    line = _failure_line(done)
    assert f"127.0.0.1:{silent_server} 没有在时限内回答" in line


def test_exit_codes_are_distinct_and_each_has_a_row_in_the_guide() -> None:
    codes = {name: getattr(startup, name) for name in
             ("CONFIG_ERROR", "TOKEN_REJECTED", "NO_NETWORK", "API_REFUSED", "API_TIMEOUT", "TELEGRAM_ERROR")}
    assert len(set(codes.values())) == len(codes) and 0 not in codes.values() and 1 not in codes.values()
    guide = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    table = guide[guide.index("## 6. Troubleshooting"):]
    for name, code in codes.items():
        assert re.search(rf"^\| `xxgk bot` exits {code}\b", table, re.MULTILINE), f"no row for exit {code} ({name})"
