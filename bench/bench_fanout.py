"""Alert fan-out cost as the outbox grows: one delivery tick with a full outbox.

The Telegram job calls ``store.outbox.fan_out`` every few seconds.  This fills an outbox with
``--alerts`` alerts and ``--chats`` subscribed chats (a mix of all / region / agency scopes),
fans them out once, then times ticks with nothing new and ticks with one new alert.

usage: python bench/bench_fanout.py [--alerts 20000] [--chats 200] [--ticks 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store import outbox  # noqa: E402
from store.db import now_iso, open_db, write_transaction  # noqa: E402

CITIES = ("聊城市", "淄博市", "济南市", "青岛市", "烟台市")


def _agency(i: int) -> tuple[str, str]:
    city = CITIES[i % len(CITIES)]
    return f"{city}第{i % 97}局", city


def fill(db, alerts: int, chats: int) -> None:
    for chat in range(chats):
        scope = ("all", "region", "agency")[chat % 3]
        value = {"all": "", "region": CITIES[chat % len(CITIES)], "agency": _agency(chat)[0]}[scope]
        outbox.subscribe(db, 1000 + chat, scope, value)
    with write_transaction(db):
        db.conn.executemany(
            "insert into outbox (created_at, agency, region, year, text) values (?, ?, ?, 2023, 'x')",
            [(now_iso(), *_agency(i)) for i in range(alerts)],
        )


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=20000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--ticks", type=int, default=50)
    args = parser.parse_args(argv)
    db = open_db(Path(tempfile.mkdtemp(prefix="xxgk-fanout-")) / "fanout.db")
    fill(db, args.alerts, args.chats)
    first = _timed(lambda: outbox.fan_out(db))
    queued = db.execute("select count(*) from deliveries where status = 'pending'").fetchone()[0]
    idle = [_timed(lambda: outbox.fan_out(db)) for _ in range(args.ticks)]

    def one_new() -> None:
        with write_transaction(db):
            db.execute("insert into outbox (created_at, agency, region, year, text) "
                       "values (?, '聊城市第1局', '聊城市', 2023, 'x')", [now_iso()])
        outbox.fan_out(db)

    busy = [_timed(one_new) for _ in range(args.ticks)]
    print(f"{args.alerts} alerts x {args.chats} chats: first fan-out {first:.0f} ms ({queued} deliveries); "
          f"idle tick median {statistics.median(idle):.2f} ms; "
          f"tick with one new alert median {statistics.median(busy):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
