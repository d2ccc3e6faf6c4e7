"""`xxgk ask` as a process: what a shell user waits for, first question to answer.

Runs ``xxgk ask`` N times as a new Python process on one database and reports the median and
p90 wall time and the peak memory.  ``--code`` runs another checkout's code as well (the "old"
figures: e.g. a checkout before the agency index was kept in the file), each on its own copy of
the database when ``--copy`` is given, so an older release never meets a newer schema.

usage: python bench/bench_ask_process.py /tmp/big100k.db [-n 10] [--code OLD_CHECKOUT --old-db COPY]
                                         [--question Q ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "2023年某某市城管局收到多少申请"


def run_once(code: Path, db: str, question: str) -> tuple[float, int]:
    """Wall seconds and peak kilobytes of one ``xxgk ask`` process."""
    env = dict(os.environ, PYTHONPATH=str(code))
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "cli.main", "--db", db, "ask", question], cwd=code, env=env,
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"xxgk ask failed ({child.returncode}) with {code}")
    return elapsed, usage.ru_maxrss


def measure(runs: dict[str, tuple[Path, str]], n: int, questions: list[str]) -> None:
    """Time every code × question ``n`` times, interleaved (old, new, old, new …) so the machine's
    noise falls on all alike; the first run of each (which may build and keep the index) apart."""
    for question in questions:
        print(f"question: {question}")
        firsts = {label: run_once(code, db, question)[0] for label, (code, db) in runs.items()}
        times: dict[str, list[float]] = {label: [] for label in runs}
        peaks: dict[str, list[int]] = {label: [] for label in runs}
        for _ in range(n):
            for label, (code, db) in runs.items():
                t, peak = run_once(code, db, question)
                times[label].append(t)
                peaks[label].append(peak)
        medians = {}
        for label in runs:
            ordered = sorted(times[label])
            p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
            medians[label] = statistics.median(ordered)
            print(f"  {label}: first {firsts[label]:.2f} s; then median {medians[label]:.3f} s, p90 {p90:.3f} s "
                  f"over {n} runs; peak memory {max(peaks[label]) / 1024:.0f} MB")
        if len(runs) == 2:
            old, new = medians.values()
            print(f"  new / old: {new / old:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db")
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("--code", type=Path, help="another checkout to time as 'old'")
    ap.add_argument("--old-db", help="the database the old code runs on (default: the same file)")
    ap.add_argument("--question", action="append", help="a question to time (repeatable); default: a held "
                    "agency's figure, the same agency misspelt, and an ambiguous organ")
    args = ap.parse_args()
    runs: dict[str, tuple[Path, str]] = {}
    if args.code:
        runs[f"old ({args.code})"] = (args.code, args.old_db or args.db)
    runs[f"new ({ROOT})"] = (ROOT, args.db)
    measure(runs, args.n, args.question or default_questions(args.db))


def default_questions(db: str) -> list[str]:
    """An exact name held in ``db``, the same name with one character wrong, and ``QUESTION``."""
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute("select name from agencies where length(name) >= 8 order by id limit 1 offset 777").fetchone()
    if row is None:
        return [QUESTION]
    name = row[0]
    typo = name[:-3] + ("理" if name[-3] != "理" else "里") + name[-2:]
    return [f"{name}2023年收到多少申请", f"{typo}2023年收到多少申请", QUESTION]


if __name__ == "__main__":
    main()
