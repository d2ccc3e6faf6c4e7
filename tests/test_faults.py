"""Faults: kill -9 mid-ingest, ingest while questions arrive, a full disk, a read-only database.

Whatever happens the database must pass ``PRAGMA integrity_check``, hold only whole reports,
and the user must get one clear line — never "database is locked", never a traceback.
"""

from __future__ import annotations

import importlib.util
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ingest.pipeline import ingest_file
from store.db import open_db
from tests.conftest import ROOT
from tests.ops_corpus import audit, expectations, figures, integrity, snapshot, write_corpus


def _bench():
    spec = importlib.util.spec_from_file_location("fault_kill9", ROOT / "bench" / "fault_kill9.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _xxgk(*args: str, preexec=None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout, preexec_fn=preexec)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_corpus(tmp_path_factory.mktemp("corpus"), 24)


# --------------------------------------------------------------------------------------------
# kill -9


@pytest.mark.slow
def test_kill9_during_ingest_never_leaves_half_a_report(tmp_path: Path, corpus: list[Path]) -> None:
    work = tmp_path / "work"
    shutil.copytree(corpus[0].parent, work / "inbox")
    result = _bench().campaign(work, files=len(corpus), runs=6, seed=5, log=lambda line: None)
    assert result.runs == result.intact == 6
    assert result.killed >= 3, "the kills must land while ingest runs"
    assert result.mid_ingest_kills >= 2, "some kills must land between the first and the last report"
    assert result.final_exit == 0 and result.final_reports == len(corpus)


# --------------------------------------------------------------------------------------------
# concurrency


@pytest.mark.slow
def test_ingest_while_asking_never_shows_a_lock(tmp_path: Path, corpus: list[Path]) -> None:
    """Two `xxgk ingest` processes on one folder and a stream of questions, all at once."""
    from bot.qa import ask, log_answer

    db_path = tmp_path / "live.db"
    open_db(db_path).conn.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "cli.main", "--db", str(db_path), "ingest", "-q", str(corpus[0].parent)]
    writers = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
               for _ in range(2)]
    truth = {(f["agency"], f["year"]): f["cells"]["requests.new.total"] for f in map(figures, range(len(corpus)))}
    questions = list(truth)
    problems: list[str] = []
    stats = {"asked": 0, "answered": 0}

    def asker(seed: int) -> None:
        db = open_db(db_path)
        rng = random.Random(seed)
        while any(w.poll() is None for w in writers) or stats["asked"] < 40:
            agency, year = rng.choice(questions)
            question = f"{agency}{year}年本年新收政府信息公开申请数量"
            try:
                answer = ask(db, question)
                log_answer(db, question, answer, shell="test")  # the shells write the audit trail too
            except Exception as exc:  # the user would see this
                problems.append(f"{type(exc).__name__}: {exc}")
                continue
            stats["asked"] += 1
            if "locked" in answer.text or "锁" in answer.text:
                problems.append(answer.text)
            if answer.status == "answer":
                stats["answered"] += 1
                if answer.value != truth[(agency, year)]:
                    problems.append(f"{question}: {answer.value} != {truth[(agency, year)]}")

    askers = [threading.Thread(target=asker, args=(i,)) for i in range(2)]
    for t in askers:
        t.start()
    for t in askers:
        t.join(timeout=180)
    outputs = [w.communicate(timeout=60) for w in writers]

    assert problems == []
    for w, (out, err) in zip(writers, outputs, strict=True):
        assert w.returncode == 0, (out + err).decode()[-2000:]
        assert b"locked" not in out + err
    assert audit(db_path, expectations(corpus))["reports"] == len(corpus)  # no duplicates from two writers
    assert stats["answered"] > 0


# --------------------------------------------------------------------------------------------
# full disk


@pytest.fixture
def stocked(tmp_path: Path, corpus: list[Path]) -> Path:
    db_path = tmp_path / "stocked.db"
    db = open_db(db_path)
    for path in corpus[:3]:
        assert ingest_file(db, path).ok
    db.conn.close()
    return db_path


def test_full_database_refuses_cleanly_and_recovers(stocked: Path, corpus: list[Path]) -> None:
    db = open_db(stocked)
    before = snapshot(stocked)
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # not one more page: the disk is "full"

    outcome = ingest_file(db, corpus[3])

    assert not outcome.ok
    assert "\n" not in outcome.error and "full" in outcome.error
    assert snapshot(stocked) == before
    assert integrity(stocked) == "ok"
    db.execute("PRAGMA max_page_count = 1073741823")  # space freed
    assert ingest_file(db, corpus[3]).outcome == "new"
    assert audit(stocked, expectations(corpus[:4]))["reports"] == 4


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_cli_ingest_on_a_full_disk_says_so_in_one_line(stocked: Path, corpus: list[Path]) -> None:
    """A real write failure in the real command: no file may grow past 32 KB (the WAL can't)."""
    before = snapshot(stocked)
    done = _xxgk("--db", str(stocked), "ingest", str(corpus[3]), str(corpus[4]), preexec=_file_size_limit(32768))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stdout.splitlines() if "错误:" in line]
    assert len(errors) == 2 and all("I/O" in line or "full" in line for line in errors), done.stdout
    assert snapshot(stocked) == before and integrity(stocked) == "ok"
    assert _xxgk("--db", str(stocked), "ingest", str(corpus[3])).returncode == 0  # space back: works


# --------------------------------------------------------------------------------------------
# read-only database


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make the database file unwritable for real: chmod for a normal user; root ignores file
    modes, so root sets the immutable attribute (skipped where chattr is unavailable)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("running as root without chattr +i: cannot make a file read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_cli_ingest_into_a_read_only_database(stocked: Path, corpus: list[Path]) -> None:
    before = snapshot(stocked)
    with read_only(stocked):
        done = _xxgk("--db", str(stocked), "ingest", str(corpus[3]))
        status = _xxgk("--db", str(stocked), "status")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    # said once, before any file, and no file is counted unreadable (issue 8, item 5)
    assert done.stderr.strip().splitlines() == [f"Error: 数据库是只读的，无法写入（请让运行者能写这个文件）/ the database is read-only: {stocked}"]
    assert "错误:" not in done.stdout, done.stdout
    assert status.returncode == 0 and "reports: 3" in status.stdout  # reading still works
    assert snapshot(stocked) == before and integrity(stocked) == "ok"


def test_query_only_connection_refuses_writes_in_process(stocked: Path, corpus: list[Path]) -> None:
    db = open_db(stocked)
    db.execute("PRAGMA query_only = 1")
    before = snapshot(stocked)
    outcome = ingest_file(db, corpus[3])
    assert not outcome.ok and "readonly" in outcome.error and "\n" not in outcome.error
    assert snapshot(stocked) == before and integrity(stocked) == "ok"


def test_database_failure_is_not_blamed_on_the_file(stocked: Path, corpus: list[Path]) -> None:
    db = open_db(stocked)
    db.execute("PRAGMA query_only = 1")
    outcome = ingest_file(db, corpus[3])
    assert "数据库" in outcome.error and "unreadable file" not in outcome.error
    assert outcome.retryable  # the watcher keeps such a file in the inbox to try again
