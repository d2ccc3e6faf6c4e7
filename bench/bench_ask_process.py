"""`xxgk ask` as a process: what a shell user waits for, first question to answer.

Runs ``xxgk ask`` N times as a new Python process on one database and reports the median and
p90 wall time and the peak memory.  ``--code`` runs another checkout's code as well (the "old"
figures: e.g. a checkout before the agency index was kept in the file), each on its own copy of
the database when ``--copy`` is given, so an older release never meets a newer schema.

usage: python bench/bench_ask_process.py /tmp/big100k.db [-n 10] [--code OLD_CHECKOUT --old-db COPY]
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


def measure(label: str, code: Path, db: str, n: int, question: str) -> None:
    first, _ = run_once(code, db, question)  # builds (and keeps) the index if the file has none
    times, peaks = [], []
    for _ in range(n):
        t, peak = run_once(code, db, question)
        times.append(t)
        peaks.append(peak)
    times.sort()
    p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
    print(f"{label}: first {first:.2f} s; then median {statistics.median(times):.2f} s, p90 {p90:.2f} s "
          f"over {n} runs; peak memory {max(peaks) / 1024:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db")
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("--code", type=Path, help="another checkout to time as 'old'")
    ap.add_argument("--old-db", help="the database the old code runs on (default: the same file)")
    ap.add_argument("--question", default=QUESTION)
    args = ap.parse_args()
    if args.code:
        measure(f"old ({args.code})", args.code, args.old_db or args.db, args.n, args.question)
    measure(f"new ({ROOT})", ROOT, args.db, args.n, args.question)


if __name__ == "__main__":
    main()
