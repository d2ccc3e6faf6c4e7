"""Helpers for the Telegram tests: a database of real ingested reports, the real Application
started against :mod:`tests.fakebotapi`, and polling waits."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.telegram.app import build_application
from bot.telegram.config import BotConfig
from ingest.pipeline import ingest_bytes
from ingest.render.text import text_report
from store.db import open_db
from tests.conftest import ROOT
from tests.fakebotapi import TOKEN, FakeBotAPI

os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"

FIGURES = ROOT / "bot" / "samples" / "figures"
ADMIN = 1001
MEMBER = 1002
STRANGER = 6666
GROUP = -100500


def figures(stem: str) -> dict[str, Any]:
    return json.loads((FIGURES / f"{stem}.json").read_text(encoding="utf-8"))


def broken_report(stem: str = "pingtan-2023", year: int = 2024, bump: int = 5) -> bytes:
    """A TXT report whose arithmetic does not add up: one number changed, totals left alone."""
    data = figures(stem)
    data["year"] = year
    data["cells"]["requests.new.natural"] += bump
    return text_report(data).encode("utf-8")


def sample_db(path: Path) -> Path:
    """Every bundled sample, rendered as text and ingested through the real pipeline."""
    db = open_db(path)
    for json_path in sorted(FIGURES.glob("*.json")):
        data = json.loads(json_path.read_text(encoding="utf-8"))
        outcome = ingest_bytes(db, text_report(data).encode("utf-8"), f"{json_path.stem}.txt", origin="test")
        assert outcome.ok, outcome.error
    db.close()
    return path


def bot_config(api: FakeBotAPI, db_path: Path, data_dir: Path, **changes: Any) -> BotConfig:
    base = BotConfig(
        token=TOKEN,
        db_path=str(db_path),
        api_base=api.base,
        allowed_chats=frozenset({GROUP}),
        allowed_users=frozenset({MEMBER}),
        admins=frozenset({ADMIN}),
        data_dir=str(data_dir),
        alert_interval=0.2,
        alert_backoff_base=0.2,
        alert_max_attempts=20,
        rate_capacity=8,
        rate_per_second=0.01,
        flood_overall_per_second=0,  # no global pacing against the local fake
        flood_group_per_minute=0,
    )
    return replace(base, **changes)


@asynccontextmanager
async def running(config: BotConfig):
    """The real Application, polling the fake API, for the body of the ``async with``; started
    in the order ``run_polling`` uses (initialize, post_init, polling, start)."""
    app = build_application(config)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        app.bot_data["db"].close()


async def wait_for(predicate: Callable[[], Any], timeout: float = 8.0, interval: float = 0.02) -> Any:
    """Poll until ``predicate()`` is truthy; fail the test with a clear message otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {predicate}")
        await asyncio.sleep(interval)


async def settle(api: FakeBotAPI, quiet: float = 0.4) -> None:
    """Wait until every pushed update was fetched and no call arrived for ``quiet`` seconds."""
    await wait_for(lambda: api.pending_updates() == 0)
    seen = -1
    while seen != len(api.calls):
        seen = len(api.calls)
        await asyncio.sleep(quiet)
