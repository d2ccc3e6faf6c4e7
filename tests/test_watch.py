"""``xxgk watch``: an inbox folder is ingested file by file, safely, and survives crashes."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import _register, cli
from ingest.pipeline import ingest_file
from ingest.watch import FAILED, PROCESSED, Watcher, storage_trouble
from store.db import open_db
from tests.conftest import ROOT
from tests.ops_corpus import audit, expectations, write_corpus


def _reports(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("select count(*) from reports").fetchone()[0]
    finally:
        conn.close()


def _files(folder: Path) -> list[str]:
    """Files (and links) directly in ``folder``; none when it does not exist yet (a watcher killed
    before it made processed/ under load)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() or p.is_symlink())


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def test_stable_files_are_ingested_and_moved(inbox: Path, db_path: Path) -> None:
    reports = write_corpus(inbox, 3, kinds=("txt", "html"))
    (inbox / "garbage.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    db = open_db(db_path)
    watcher = Watcher(inbox, db)

    assert watcher.poll() == []  # first sight: not yet known to be stable
    handled = watcher.poll()

    assert sorted(h.name for h in handled) == sorted([p.name for p in reports] + ["garbage.pdf"])
    assert _files(inbox) == []
    assert _files(inbox / PROCESSED) == sorted(p.name for p in reports)
    assert _files(inbox / FAILED) == ["garbage.pdf", "garbage.pdf.error.txt"]
    note = (inbox / FAILED / "garbage.pdf.error.txt").read_text(encoding="utf-8")
    assert note.count("\n") == 1 and len(note) > 5
    assert _reports(db_path) == 3
    origins = {r[0] for r in db.execute("select origin from ingest_log").fetchall()}
    assert origins == {"watch"}


def test_growing_file_waits_until_it_stands_still(inbox: Path, db_path: Path, tmp_path: Path) -> None:
    source = write_corpus(tmp_path / "src", 1)[0].read_bytes()
    target = inbox / "copying.txt"
    watcher = Watcher(inbox, open_db(db_path))
    target.write_bytes(source[: len(source) // 2])
    watcher.poll()
    with open(target, "ab") as handle:  # the copy goes on between polls
        handle.write(source[len(source) // 2:])
    assert watcher.poll() == []
    assert target.exists() and _reports(db_path) == 0
    handled = watcher.poll()
    assert [h.outcome.ok for h in handled] == [True]
    assert _reports(db_path) == 1


def test_temporary_and_hidden_names_are_left_alone(inbox: Path, db_path: Path) -> None:
    for name in ("report.txt.part", ".report.txt", "report.txt.crdownload", "x.tmp"):
        (inbox / name).write_text("政府信息公开工作年度报告", encoding="utf-8")
    watcher = Watcher(inbox, open_db(db_path))
    watcher.run_once(settle=0)
    assert len(_files(inbox)) == 4 and _files(inbox / FAILED) == []


def test_symlinks_are_not_followed_out_of_the_inbox(inbox: Path, db_path: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    secret = write_corpus(outside, 1)[0]
    (inbox / "link.txt").symlink_to(secret)
    (inbox / "linkdir").symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.iterdir())
    watcher = Watcher(inbox, open_db(db_path))

    watcher.run_once(settle=0)

    assert _reports(db_path) == 0
    assert secret.exists() and sorted(p.name for p in outside.iterdir()) == before
    # one policy with `xxgk ingest`: each link refused in its own line, the link itself set aside
    assert _files(inbox / PROCESSED) == []
    assert _files(inbox / FAILED) == ["link.txt", "link.txt.error.txt", "linkdir", "linkdir.error.txt"]
    assert (inbox / FAILED / "link.txt").is_symlink() and (inbox / FAILED / "linkdir").is_symlink()
    assert "符号链接" in (inbox / FAILED / "link.txt.error.txt").read_text(encoding="utf-8")


def test_symlinked_inbox_is_refused(tmp_path: Path, db_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    with pytest.raises(NotADirectoryError):
        Watcher(tmp_path / "alias", open_db(db_path))


def test_hostile_names_stay_inside_the_inbox(inbox: Path, db_path: Path, tmp_path: Path) -> None:
    """A listing cannot hold "/", but backslashes, dots, dashes and bidi marks must not matter."""
    names = ["..\\..\\evil.txt", "....txt", "-rf", "名字 with spaces\t.txt", "\u202etxt.exe", "..."]
    for name in names:
        (inbox / name).write_bytes(b"\x00\x01\x02 not a report")
    db = open_db(db_path)
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    Watcher(inbox, db).run_once(settle=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before
    failed = _files(inbox / FAILED)
    visible = [n for n in names if not n.startswith(".")]
    assert sorted(n for n in failed if not n.endswith(".error.txt")) == sorted(visible)
    assert sorted(_files(inbox)) == sorted(n for n in names if n.startswith("."))  # hidden: left alone
    assert all((inbox / FAILED / n).resolve().parent == (inbox / FAILED).resolve() for n in failed)


def test_same_name_twice_keeps_both(inbox: Path, db_path: Path, tmp_path: Path) -> None:
    first, second = write_corpus(tmp_path / "src", 2)
    watcher = Watcher(inbox, open_db(db_path))
    (inbox / "report.txt").write_bytes(first.read_bytes())
    watcher.run_once(settle=0)
    (inbox / "report.txt").write_bytes(second.read_bytes())
    watcher.run_once(settle=0)
    assert _files(inbox / PROCESSED) == ["report.1.txt", "report.txt"]
    assert (inbox / PROCESSED / "report.txt").read_bytes() == first.read_bytes()
    assert _reports(db_path) == 2


def test_subfolders_are_scanned_but_not_processed_and_failed(inbox: Path, db_path: Path) -> None:
    write_corpus(inbox / "2023" / "batch", 2)
    write_corpus(inbox / PROCESSED, 1)  # already done: must not be ingested again
    Watcher(inbox, open_db(db_path)).run_once(settle=0)
    assert _reports(db_path) == 2
    assert len(_files(inbox / PROCESSED)) == 1
    assert len(_files(inbox / PROCESSED / "2023" / "batch")) == 2, "a file keeps the subfolder it came in"


def test_crash_after_commit_before_move_is_finished_on_restart(inbox: Path, db_path: Path) -> None:
    path = write_corpus(inbox, 1)[0]
    db = open_db(db_path)
    assert ingest_file(db, path, origin="watch").outcome == "new"  # committed, then the process died
    handled = Watcher(inbox, db).run_once(settle=0)
    assert [h.outcome.outcome for h in handled] == ["unchanged"]
    assert _files(inbox / PROCESSED) == [path.name] and _reports(db_path) == 1


def test_database_trouble_leaves_the_file_to_retry(inbox: Path, db_path: Path) -> None:
    write_corpus(inbox, 1)
    db = open_db(db_path)
    db.execute("PRAGMA query_only = 1")  # SQLite refuses every write: a read-only database
    watcher = Watcher(inbox, db)
    handled = watcher.run_once(settle=0)
    assert len(handled) == 1 and handled[0].retry and handled[0].moved_to is None
    assert storage_trouble(handled[0].outcome.error)
    assert len(_files(inbox)) == 1 and _files(inbox / FAILED) == []

    db.execute("PRAGMA query_only = 0")  # the operator fixed it
    handled = watcher.run_once(settle=0)
    assert [h.outcome.ok for h in handled] == [True] and _reports(db_path) == 1


def test_cli_once(inbox: Path, db_path: Path) -> None:
    _register()
    runner = CliRunner()
    write_corpus(inbox, 2)
    result = runner.invoke(cli, ["--db", str(db_path), "watch", str(inbox), "--once", "--settle", "0.05"])
    assert result.exit_code == 0, result.output
    assert result.output.count("✓") == 2 and "processed/" in result.output
    (inbox / "bad.txt").write_bytes(b"\xff\xfe\x00garbage" * 10)
    result = runner.invoke(cli, ["--db", str(db_path), "watch", str(inbox), "--once", "--settle", "0.05"])
    assert result.exit_code == 1 and "✗ bad.txt" in result.output
    missing = runner.invoke(cli, ["--db", str(db_path), "watch", str(inbox / "nope"), "--once"])
    assert missing.exit_code != 0


@pytest.mark.slow
def test_watcher_killed_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL a running watcher a few times; a final --once pass must finish every file."""
    inbox = tmp_path / "inbox"
    paths = write_corpus(inbox, 16, kinds=("txt", "html"))
    expected = expectations(paths)
    db = tmp_path / "xxgk.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(3)
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "--db", str(db), "watch", str(inbox), "--interval", "0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
        )
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        audit(db, expected)
        in_inbox = len([p for p in inbox.iterdir() if p.is_file()])
        assert in_inbox + len(_files(inbox / PROCESSED)) == 16, "a file vanished"
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", str(db), "watch", str(inbox), "--once", "--settle", "0.1"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert audit(db, expected)["reports"] == 16
    assert len(_files(inbox / PROCESSED)) == 16 and _files(inbox / FAILED) == []


def test_sigterm_stops_the_watcher_cleanly(inbox: Path, db_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--db", str(db_path), "watch", str(inbox), "--interval", "0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True,
    )
    first = proc.stdout.readline()  # printed once the signal handlers are in place, however slow start-up is
    assert "watching" in first
    time.sleep(0.3)  # let it be mid-loop
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
