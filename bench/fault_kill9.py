"""kill -9 the ingest job at random moments; the database must stay whole every time.

    python bench/fault_kill9.py [--runs 60] [--files 40] [--seed 1] [--work DIR] [--jobs N]

Each run starts ``xxgk ingest FOLDER`` on the same database and folder and SIGKILLs it.  Half the
kills come after a random delay (they may land in start-up, in a schema migration, between files or
after the job is done); the other half watch the database and strike as soon as a random number of
reports is stored, so they land inside the ingest however fast or slow the machine is.  After every kill: ``PRAGMA integrity_check`` is ok, and every stored report has
all its cells, its checks and its log line (no half reports).  Half of the runs continue on the
killed database (recovery on top of a crash); the other half, and any run that finds the folder
complete, start a new database, so kills keep landing in real writes.
At the end an uninterrupted run must finish the folder: every report present once.
The figures are printed as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.ops_corpus import Expected, audit, expectations, write_corpus  # noqa: E402


@dataclass
class Figures:
    runs: int = 0
    killed: int = 0  # runs that were still going when the signal came
    intact: int = 0  # runs after which every invariant held
    mid_ingest_kills: int = 0  # kills that landed after this run stored reports, before the folder was done
    cycles_completed: int = 0
    reports_seen: list[int] = field(default_factory=list)
    final_reports: int = 0
    final_exit: int | None = None
    full_run_seconds: float = 0.0


JOBS: list[str] = []
"""Extra ``xxgk ingest`` options (``--jobs N`` from the command line: kill bulk ingest's writer)."""


def ingest_command(db: Path, folder: Path) -> list[str]:
    return [sys.executable, "-m", "cli.main", "--db", str(db), "ingest", "-q", *JOBS, str(folder)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def timed_full_run(db: Path, folder: Path) -> tuple[int, float]:
    start = time.monotonic()
    done = subprocess.run(ingest_command(db, folder), capture_output=True, env=_env(), cwd=ROOT, timeout=600)
    return done.returncode, time.monotonic() - start


def kill_once(db: Path, folder: Path, delay: float) -> bool:
    """Start ingest, SIGKILL it after ``delay`` s.  True if it was still running (really killed)."""
    proc = _start(db, folder)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        return _kill(proc)


def kill_at_progress(db: Path, folder: Path, target: int, timeout: float = 300) -> bool:
    """Start ingest, SIGKILL it once ``target`` reports are stored.  True if it was still running.

    Watching the database rather than the clock keeps the kill inside the ingest on a machine of
    any speed; the next report may be mid-transaction when the signal lands.
    """
    proc = _start(db, folder)
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if stored_reports(db) >= target:
            return _kill(proc)
        time.sleep(0.002)
    return _kill(proc) if proc.poll() is None else False


def stored_reports(db: Path) -> int:
    """Reports committed so far, read without taking any lock the writer needs (0 while none)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            return conn.execute("select count(*) from reports").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet, or busy for a moment: look again
        return 0


def _start(db: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(ingest_command(db, folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=_env(), cwd=ROOT)


def _kill(proc: subprocess.Popen) -> bool:
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return True


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def campaign(work: Path, files: int, runs: int, seed: int, log=print) -> Figures:
    """The whole experiment in ``work``; raises AssertionError on the first broken invariant."""
    rng = random.Random(seed)
    folder = work / "inbox"
    paths = sorted(folder.glob("report-*")) if folder.is_dir() else []
    if len(paths) != files:
        paths = write_corpus(folder, files)
    expected: dict[str, Expected] = expectations(paths)
    db = work / "xxgk.db"
    figures = Figures()

    remove_db(db)
    code, figures.full_run_seconds = timed_full_run(db, folder)
    assert code == 0, f"an uninterrupted ingest failed (exit {code})"
    assert audit(db, expected)["reports"] == files
    remove_db(db)

    for run in range(runs):
        before = audit(db, expected)["reports"] if db.exists() else 0
        if before == files or rng.random() < 0.5:
            figures.cycles_completed += before == files
            remove_db(db)
            before = 0
        if run % 2 == 0 and before < files - 1:
            target = rng.randint(before + 1, files - 1)
            how = f"at {target:3d} reports"
            killed = kill_at_progress(db, folder, target)
        else:
            delay = rng.uniform(0.05, figures.full_run_seconds * 1.05)
            how = f"after {delay:5.2f}s"
            killed = kill_once(db, folder, delay)
        figures.runs += 1
        figures.killed += killed
        after = audit(db, expected)["reports"] if db.exists() else 0  # raises if anything is broken
        figures.intact += 1
        figures.reports_seen.append(after)
        if killed and before < after < files:
            figures.mid_ingest_kills += 1
        log(f"run {run + 1:3d}: killed={killed!s:5} {how}  reports {before:3d} → {after:3d}  intact")

    code, _ = timed_full_run(db, folder)
    figures.final_exit = code
    figures.final_reports = audit(db, expected)["reports"]
    assert code == 0 and figures.final_reports == files, f"re-run left {figures.final_reports}/{files} reports"
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="folder to work in (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=None, help="xxgk ingest --jobs N (default: its own choice)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="xxgk-kill9-"))
    work.mkdir(parents=True, exist_ok=True)
    JOBS[:] = ["--jobs", str(args.jobs)] if args.jobs else []
    figures = campaign(work, args.files, args.runs, args.seed)
    summary = {k: v for k, v in figures.__dict__.items() if k != "reports_seen"}
    print(json.dumps({"files": args.files, "seed": args.seed, "work": str(work), **summary}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
