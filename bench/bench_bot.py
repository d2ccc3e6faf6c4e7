"""Throughput of the Telegram shell: updates handled per second through the real
``telegram.ext.Application`` (polling the fake Bot API on 127.0.0.1), and the overhead per
update over calling ``bot.qa.ask`` directly.

    python bench/bench_bot.py [--updates 300]

Telegram's own flood limits (AIORateLimiter) and the per-chat bucket are switched off here: they
pace real traffic on purpose, and would measure the limits instead of the code.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

from bot.qa import ask  # noqa: E402
from store.db import open_db  # noqa: E402
from tests import fakebotapi as fake  # noqa: E402
from tests.telegram_harness import MEMBER, bot_config, running, sample_db, wait_for  # noqa: E402

QUESTIONS = [
    "平潭综合实验区2023年新收申请多少",
    "聊城市城市管理局2019年行政复议总数",
    "2019年哪个机关收到申请最多",
    "上海市人民政府办公厅2019年予以公开多少件",
]


async def through_application(db_path: Path, data_dir: Path, n: int) -> float:
    api = fake.FakeBotAPI().start()
    try:
        config = bot_config(api, db_path, data_dir, rate_capacity=10**9, rate_per_second=10**9,
                            alert_interval=3600)
        async with running(config):
            api.push(fake.message(MEMBER, MEMBER, "/help"))  # warm up: first poll, imports
            await wait_for(lambda: api.texts(MEMBER))
            before = len(api.sent())
            start = time.perf_counter()
            for i in range(n):
                api.push(fake.message(MEMBER, MEMBER, QUESTIONS[i % len(QUESTIONS)]))
            await wait_for(lambda: len(api.sent()) - before >= n, timeout=600, interval=0.005)
            return time.perf_counter() - start
    finally:
        api.stop()


async def bare_sends(n: int) -> float:
    """The same number of sendMessage round trips to the fake API with a bare Bot: the cost of
    HTTP and the in-process fake server, which every update through the Application pays too."""
    from telegram import Bot

    api = fake.FakeBotAPI().start()
    try:
        async with Bot(fake.TOKEN, base_url=f"{api.base}/bot", base_file_url=f"{api.base}/file/bot") as bot:
            await bot.send_message(MEMBER, "warm up")
            start = time.perf_counter()
            for i in range(n):
                await bot.send_message(MEMBER, QUESTIONS[i % len(QUESTIONS)])
            return time.perf_counter() - start
    finally:
        api.stop()


def bare(db_path: Path, n: int) -> float:
    db = open_db(db_path)
    ask(db, QUESTIONS[0])
    start = time.perf_counter()
    for i in range(n):
        ask(db, QUESTIONS[i % len(QUESTIONS)])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300)
    n = parser.parse_args().updates
    with tempfile.TemporaryDirectory() as tmp:
        db_path = sample_db(Path(tmp) / "bench.db")
        app_seconds = asyncio.run(through_application(db_path, Path(tmp) / "data", n))
        ask_seconds = bare(db_path, n)
        send_seconds = asyncio.run(bare_sends(n))
    per_update = app_seconds / n * 1000
    per_ask = ask_seconds / n * 1000
    per_send = send_seconds / n * 1000
    print(f"updates: {n}")
    print(f"application: {n / app_seconds:.0f} updates/s ({per_update:.2f} ms per update, incl. fake API round trips)")
    print(f"bare bot.qa.ask: {n / ask_seconds:.0f} questions/s ({per_ask:.2f} ms per question)")
    print(f"bare sendMessage round trip to the fake API: {per_send:.2f} ms")
    print(f"overhead over bare ask: {per_update - per_ask:.2f} ms per update "
          f"(of which {per_send:.2f} ms the reply's HTTP round trip; shell itself "
          f"{per_update - per_ask - per_send:.2f} ms: dispatch, gate, audit write, rendering, polling)")


if __name__ == "__main__":
    main()
