"""Backup and restore as the operator's guide tells it: a backup taken from the live database,
restored into a new database, answers the same questions; restore refuses what would lose data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from cli.main import _register, cli
from tests.conftest import ROOT

_register()

QUESTIONS = [
    "聊城城管局2019年收到多少申请",
    "大数据局2019年采购总金额",
    "聊城市人民政府2020年不予公开多少件",
    "2023年哪些报告没通过校验",
    "城管局收到多少申请",
]


def xxgk(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def answers(db: Path) -> list[dict]:
    out = []
    for question in QUESTIONS:
        data = json.loads(xxgk(db, "ask", "--json", "--today", "2024-06-01", question).output)
        out.append({k: data[k] for k in ("status", "value", "agency", "year", "cells", "candidates")})
    return out


def test_backup_restored_into_a_new_database_answers_the_same(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    assert xxgk(live, "ingest", "-q", str(ROOT / "bot" / "samples" / "reports")).exit_code == 0
    before = answers(live)
    assert [a["status"] for a in before] == ["answer", "answer", "answer", "answer", "clarify"]

    (tmp_path / "backups").mkdir()
    result = xxgk(live, "backup", str(tmp_path / "backups"))  # a folder: a dated file inside it
    assert result.exit_code == 0, result.output
    (copy,) = list((tmp_path / "backups").iterdir())

    fresh = tmp_path / "fresh" / "xxgk.db"
    result = xxgk(fresh, "restore", str(copy))
    assert result.exit_code == 0, result.output
    assert answers(fresh) == before
    assert xxgk(fresh, "status", "--check").exit_code == 0


def test_restore_never_overwrites_without_force_and_keeps_the_old_copy(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    xxgk(live, "ingest", "-q", str(ROOT / "bot" / "samples" / "reports"))
    backup_file = tmp_path / "b.db"
    assert xxgk(live, "backup", str(backup_file)).exit_code == 0

    other = tmp_path / "other.db"
    xxgk(other, "ingest", "-q", str(ROOT / "bot" / "samples" / "reports" / "pingtan-2023.txt"))
    refused = xxgk(other, "restore", str(backup_file))
    assert refused.exit_code != 0
    assert sqlite3.connect(other).execute("select count(*) from reports").fetchone()[0] == 1

    forced = xxgk(other, "restore", "--force", str(backup_file))
    assert forced.exit_code == 0, forced.output
    assert sqlite3.connect(other).execute("select count(*) from reports").fetchone()[0] == 7
    saved = [p for p in tmp_path.iterdir() if p.name.startswith("other.db") and p.name != "other.db"
             and not p.name.endswith(("-wal", "-shm"))]
    assert saved, "the replaced database is kept beside the restored one"


def test_restore_refuses_a_damaged_backup(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    target = tmp_path / "new.db"
    result = xxgk(target, "restore", str(damaged))
    assert result.exit_code != 0
    assert not target.exists() or sqlite3.connect(target).execute(
        "select count(*) from sqlite_master where name = 'reports'").fetchone()[0] == 0
