"""Shared fixtures.  ``SHARED`` is ../shared beside the checkout, when present (CI has it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
HAS_SHARED = (SHARED / "truth").is_dir() and (SHARED / "reports").is_dir()

needs_shared = pytest.mark.skipif(not HAS_SHARED, reason="../shared not present")

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SYSTEM_PACKAGES_HINT = (
    "LibreOffice 未安装，{n} 个测试已跳过 / LibreOffice not installed, {n} tests skipped: "
    "`bash scripts/test.sh --with-system-packages` installs it and the CJK fonts (Debian, root, ~290 MB)"
)
NO_LIBREOFFICE = "LibreOffice not installed"
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason=NO_LIBREOFFICE)
"""Tests that convert with LibreOffice.  scripts/test.sh installs it only when asked, so without it
they skip and the session ends with one line saying how to enable them (not one per test)."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if NO_LIBREOFFICE in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(SYSTEM_PACKAGES_HINT.format(n=len(skipped)))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def api():
    """A fake Telegram Bot API on 127.0.0.1 for one test (tests/fakebotapi.py)."""
    from tests.fakebotapi import FakeBotAPI

    server = FakeBotAPI().start()
    yield server
    server.stop()


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """A database holding every bundled sample report, for the bot's tests."""
    from tests.telegram_harness import sample_db

    return sample_db(tmp_path / "bot.db")
