"""The agency index kept in the database: a new process loads it, and it is never used stale."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from bot.qa import ask
from store.db import agency_id, open_db, write_transaction
from store.identity import admin, persisted, resolver
from tests.qa_db import TODAY_2024, build_qa_db

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ("聊城城管局2019年收到多少申请", "淄博城管局2020年收到几件申请", "聊城市各部门2019年收到申请排名",
             "城管局2019年收到多少申请", "聊成市城管局2019年收到多少申请", "平潭2019年收到多少申请")


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    resolver._CACHE.clear()
    return build_qa_db(tmp_path / "qa.db")


def stored_key(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("select key from agency_index_cache where part = 'core'")]


def parts(index: resolver.AgencyIndex) -> dict:
    """Everything an index holds, comparable."""
    out = dict(vars(index))
    out["entries"] = [(e.id, e.name, e.code, e.organ, e.level, e.codes) for e in index.entries]
    out["place_forms"] = {k: [p.code for p in v] for k, v in index.place_forms.items()}
    return out


def test_a_new_process_loads_the_index_the_first_built(db) -> None:
    state, built = persisted.fetch(db)
    assert stored_key(db) == [persisted.key_of(state)]
    again_state, loaded = persisted.fetch(db)
    assert again_state == state and loaded is not built
    assert parts(loaded) == parts(built)


@pytest.mark.parametrize("change", ["merge", "alias", "ingest", "undo"])
def test_the_stored_index_is_rebuilt_when_the_agencies_change(db, change: str) -> None:
    before_state, before = persisted.fetch(db)
    if change == "merge":
        admin.merge(db, "聊城市城市管理局", "济南市城市管理局")
        gone = "济南市城市管理局"
    elif change == "alias":
        admin.add_alias(db, "聊城市大数据局", "聊城数据中心")
    elif change == "undo":
        admin.add_alias(db, "聊城市大数据局", "聊城数据中心")
        persisted.fetch(db)
        admin.undo(db)
    else:
        with write_transaction(db):
            agency_id(db, "德州市财政局")
    state, after = persisted.fetch(db)
    assert state != before_state and persisted.key_of(state) in stored_key(db)
    assert len(stored_key(db)) == 2  # the newest other one is kept for processes answering on it
    assert parts(after) == parts(resolver.AgencyIndex(resolver.rows_for_index(db)))
    if change == "merge":
        assert gone not in after.names and gone in before.names
    if change == "alias":
        assert "聊城数据中心" in after.exact and "聊城数据中心" not in before.exact
    if change == "undo":
        assert "聊城数据中心" not in after.exact
    if change == "ingest":
        assert "德州市财政局" in after.names


def test_an_index_stored_under_another_key_is_never_used(db) -> None:
    state, _ = persisted.fetch(db)
    empty = persisted.parts(resolver.AgencyIndex([]))
    with write_transaction(db):  # an index left by other code (another release, another state)
        db.execute("delete from agency_index_cache")
        for key in (f"0:other:{','.join(map(str, state))}", "x"):
            db.conn.executemany("insert into agency_index_cache (key, part, made, data) values (?, ?, 0, ?)",
                                [(key, part, data) for part, data in empty.items()])
    _, index = persisted.fetch(db)
    assert len(index.entries) == 8 and persisted.key_of(state) in stored_key(db)


def test_a_shard_gone_from_under_an_index_in_use_is_asked_again(db) -> None:
    """Two changes while a question is answered remove the shards of the index it uses: the
    question is answered again on the current index, never from half of another."""
    expected = ask(db, QUESTIONS[0], today=TODAY_2024).as_json()
    resolver._CACHE.clear()
    _, index = persisted.fetch(db)
    assert isinstance(index.exact, persisted._Shards) and not index.exact._shards  # nothing read yet
    resolver._CACHE[(resolver._db_identity(db), *resolver.agency_state(db))] = index
    with write_transaction(db):
        db.execute("delete from agency_index_cache")  # what two saves by other processes leave
    with pytest.raises(persisted.StaleIndex):
        _ = "聊城市城市管理局" in index.exact
    assert ask(db, QUESTIONS[0], today=TODAY_2024).as_json() == expected


def test_a_loaded_index_reads_only_the_shards_a_question_touches(db) -> None:
    persisted.fetch(db)
    _, index = persisted.fetch(db)
    held = len(index.exact._held)
    index.resolve_name("聊城市城市管理局")
    assert 0 < len(index.exact._shards) < held


def test_a_warmed_index_never_reads_the_file_again(db) -> None:
    """What the bot does at start: every part read once, so no question waits on the file (and
    a file that lost the stored index meanwhile changes nothing for it)."""
    expected = [ask(db, q, today=TODAY_2024).as_json() for q in QUESTIONS]
    resolver._CACHE.clear()
    _, index = persisted.fetch(db)
    persisted.warm(index)
    assert len(index.exact._shards) == len(index.exact._held) and index.names.as_list()
    resolver._CACHE[(resolver._db_identity(db), *resolver.agency_state(db))] = index
    with write_transaction(db):
        db.execute("delete from agency_index_cache")  # any later read would raise StaleIndex
    assert [ask(db, q, today=TODAY_2024).as_json() for q in QUESTIONS] == expected
    assert resolver.index_for(db) is index


def test_a_read_only_database_still_answers(db, tmp_path: Path) -> None:
    path = Path(db.execute("PRAGMA database_list").fetchone()[2])
    expected = [ask(db, q, today=TODAY_2024).as_json() for q in QUESTIONS]
    with write_transaction(db):
        db.execute("delete from agency_index_cache")
    db.conn.close()
    resolver._CACHE.clear()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    read_only = sqlite_utils.Database(conn)
    with pytest.raises(sqlite3.OperationalError):
        read_only.execute("delete from agency_index_cache")
    assert [ask(read_only, q, today=TODAY_2024).as_json() for q in QUESTIONS] == expected
    assert stored_key(read_only) == []  # nothing could be saved, and nothing failed


def test_ask_as_processes_gives_the_same_answers_built_and_loaded(db) -> None:
    path = db.execute("PRAGMA database_list").fetchone()[2]
    with write_transaction(db):
        db.execute("delete from agency_index_cache")

    def run(question: str) -> dict:
        done = subprocess.run([sys.executable, "-m", "cli.main", "--db", path, "ask", "--json",
                               "--today", "2024-06-01", question], capture_output=True, text=True,
                              cwd=ROOT, check=True)
        return json.loads(done.stdout)

    built = run(QUESTIONS[0])
    assert len(stored_key(open_db(path))) == 1
    assert run(QUESTIONS[0]) == built
    assert built["status"] == "answer" and built["value"] == 2


def test_without_a_second_connection_every_shard_is_read_at_once(db, monkeypatch) -> None:
    expected = [ask(db, q, today=TODAY_2024).as_json() for q in QUESTIONS]
    resolver._CACHE.clear()
    monkeypatch.setattr(persisted._Reader, "_row", lambda self, sql, part: None)
    _, index = persisted.fetch(db)
    assert isinstance(index.exact, persisted._Shards)
    assert [ask(db, q, today=TODAY_2024).as_json() for q in QUESTIONS] == expected


def test_a_question_process_imports_neither_numpy_nor_rapidfuzz(db_file):
    """``xxgk ask`` is a process per question: sqlite-utils' optional numpy (a tenth of a second)
    and rapidfuzz (only for names not read exactly) stay out of an exact question's process,
    while numpy stays importable for anything that does want it."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = (
        "import sys\n"
        "from store.db import open_db\n"
        "from bot.qa import ask\n"
        f"db = open_db({str(db_file)!r})\n"
        "assert ask(db, '聊城市城市管理局2019年收到多少申请').status == 'answer'\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'rapidfuzz') if m in sys.modules))\n"
        "import importlib.util\n"
        "print(importlib.util.find_spec('numpy') is not None)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(root)})
    lines = out.stdout.split("\n")
    assert lines[0] == "[]", out.stdout + out.stderr
    assert lines[1] == "True"


def test_ingest_leaves_the_index_of_its_agencies_for_the_next_question(tmp_path) -> None:
    """`xxgk ingest` keeps the index of the agencies it leaves, so the next `xxgk ask` loads it."""
    from click.testing import CliRunner

    from cli.main import cli

    path = tmp_path / "i.db"
    sample = ROOT / "bot" / "samples" / "reports" / "pingtan-2023.txt"
    result = CliRunner().invoke(cli, ["--db", str(path), "ingest", str(sample)])
    assert result.exit_code == 0, result.output
    db = open_db(path)
    assert stored_key(db) == [persisted.key_of(resolver.agency_state(db))]


def test_the_watcher_leaves_the_index_of_its_agencies_too(tmp_path) -> None:
    import shutil

    from ingest.watch import Watcher

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(ROOT / "bot" / "samples" / "reports" / "pingtan-2023.txt", inbox / "pingtan-2023.txt")
    db = open_db(tmp_path / "w.db")
    handled = Watcher(inbox, db).run_once(settle=0.05)
    assert handled and stored_key(db) == [persisted.key_of(resolver.agency_state(db))]
