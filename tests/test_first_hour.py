"""A newcomer's first hour (issue 8): the demo keeps to its own database, loads a folder on
request, and the database says what it holds — in the chat, through ``xxgk ask`` and ``status``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.console import HELP_TEXT
from bot.qa import ask
from bot.qa.inventory import inventory_question
from cli.main import _register, cli
from store.db import open_db
from tests.conftest import ROOT

_register()
SAMPLES = ROOT / "bot" / "samples" / "reports"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A user's folder of reports: two quick samples, one in a subfolder."""
    root = tmp_path / "mine"
    (root / "2023").mkdir(parents=True)
    shutil.copy(SAMPLES / "pingtan-2023.txt", root / "2023" / "pingtan-2023.txt")
    shutil.copy(SAMPLES / "liaocheng-renmin-zhengfu-2020.html", root / "zf.html")
    return root


def _invoke(args: list[str], **kw):
    return CliRunner().invoke(cli, args, catch_exceptions=False, **kw)


@pytest.mark.slow
def test_demo_keeps_its_own_database_when_xxgk_db_is_exported(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XXGK_DB", str(tmp_path / "prod.db"))
    result = _invoke(["demo", "--no-chat"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "prod.db").exists(), "the demo wrote into the user's own database"
    assert "不写入 $XXGK_DB" in result.output
    demo = open_db(tmp_path / "xxgk-demo.db", create=False)
    assert demo.execute("select count(*) from reports").fetchone()[0] == 7
    assert "xxgk demo 文件夹" in result.output, "the demo ends with how to load one's own reports"


def test_only_an_explicit_db_moves_the_demo(tmp_path, monkeypatch, folder) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XXGK_DB", str(tmp_path / "prod.db"))
    chosen = tmp_path / "chosen.db"
    result = _invoke(["--db", str(chosen), "demo", "--no-chat", str(folder)])
    assert result.exit_code == 0, result.output
    assert chosen.exists() and not (tmp_path / "prod.db").exists() and not (tmp_path / "xxgk-demo.db").exists()
    other = tmp_path / "other.db"
    assert _invoke(["demo", "--db", str(other), "--no-chat", str(folder)]).exit_code == 0
    assert other.exists() and not (tmp_path / "prod.db").exists()


def test_demo_loads_a_folder_and_says_what_it_holds(tmp_path, monkeypatch, folder) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XXGK_DB", raising=False)
    result = _invoke(["demo", str(folder)], input="有哪些年份\nquit\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "共 2 个文件，读入 2 个，0 个无法读取" in out
    assert "• 平潭综合实验区（2023年）" in out and "• 聊城市人民政府（2020年）" in out
    assert "数据库里有 2020年、2023年 的报告" in out  # the chat answered from the demo database
    db = open_db(tmp_path / "xxgk-demo.db", create=False)
    assert db.execute("select count(*) from reports").fetchone()[0] == 2


def test_chat_help_says_how_to_load_reports_and_ask_what_is_held() -> None:
    assert "xxgk demo 文件夹" in HELP_TEXT and "有哪些单位" in HELP_TEXT


@pytest.fixture
def held_db(tmp_path: Path, folder: Path):
    db = open_db(tmp_path / "held.db")
    from ingest.pipeline import ingest_paths

    assert all(o.ok for o in ingest_paths(db, [folder]))
    return db


def test_inventory_questions_answer_with_what_is_held(held_db) -> None:
    agencies = ask(held_db, "有哪些单位")
    assert agencies.status == "answer" and agencies.kind == "inventory"
    assert agencies.text.splitlines() == ["数据库里有报告的单位共 2 个：", "• 平潭综合实验区（2023年）",
                                          "• 聊城市人民政府（2020年）"]
    reports = ask(held_db, "数据库里有哪些报告？")
    assert reports.text.splitlines()[:3] == ["数据库里共有报告 2 份（2 个单位）：", "• 2020年 1 份：聊城市人民政府",
                                             "• 2023年 1 份：平潭综合实验区"]
    years = ask(held_db, "有哪些年份")
    assert years.text.splitlines()[0] == "数据库里有 2020年、2023年 的报告："
    assert [s["label"] for s in years.series] == ["2020年", "2023年"]
    in_2023 = ask(held_db, "2023年有哪些单位")
    assert in_2023.text.splitlines() == ["数据库里有2023年报告的单位共 1 个：", "• 平潭综合实验区（2023年）"]


def test_inventory_of_one_agency_or_one_place(held_db) -> None:
    """"聊城市人民政府有哪些报告" lists its years and files (it was its latest overview), and
    "聊城市有哪些单位" the agencies there (it was the overview of 聊城市人民政府)."""
    own = ask(held_db, "聊城市人民政府有哪几年的年报？")
    assert own.status == "answer" and own.kind == "inventory" and own.agency == "聊城市人民政府"
    assert own.text.splitlines()[:2] == ["聊城市人民政府在数据库里有报告 1 份：2020年",
                                         "• 2020年：zf.html（2019版表格）"]
    assert ask(held_db, "聊城市人民政府有几份报告").text.splitlines()[0] == own.text.splitlines()[0]
    misspelt = ask(held_db, "聊成市人民政府有哪些报告")
    assert misspelt.text.splitlines()[:2] == ["（“聊成市”按“聊城市”理解）", own.text.splitlines()[0]]
    assert ask(held_db, "聊城市人民政府2023年有哪些报告").status == "no_data"
    place = ask(held_db, "聊城有哪些单位")
    assert place.kind == "inventory" and place.text.splitlines() == ["聊城在数据库里有报告的单位共 1 个：",
                                                                      "• 聊城市人民政府（2020年）"]
    assert ask(held_db, "聊成有哪些单位").text.splitlines()[:2] == ["（“聊成”按“聊城”理解）", place.text.splitlines()[0]]
    fuzzy = ask(held_db, "平谭综合实验区有哪几年的年报")  # no place or organ read exactly: one name clearly meant
    assert fuzzy.kind == "inventory" and fuzzy.agency == "平潭综合实验区", fuzzy.text
    assert fuzzy.text.splitlines()[0] == "（按“平潭综合实验区”理解）"
    assert ask(held_db, "北京市有哪些单位").status == "no_data"
    assert ask(held_db, "聊城市人民政府2020年收到多少申请").kind != "inventory"


def test_an_empty_database_says_how_to_load_reports(tmp_path) -> None:
    answer = ask(open_db(tmp_path / "empty.db"), "有哪些单位")
    assert answer.status == "no_data" and "xxgk ingest 文件夹" in answer.text


@pytest.mark.parametrize("question", [
    "哪些单位缺2023年年报", "2023年哪些报告没通过校验", "聊城市人民政府有哪些报告", "2020年聊城各部门申请数排名",
    "聊城市人民政府2020年收到多少申请",
])
def test_other_questions_are_not_taken_for_inventory(question: str) -> None:
    assert inventory_question(question) is None


def test_status_lists_agencies_by_year_on_request(held_db, tmp_path) -> None:
    path = tmp_path / "held.db"
    plain = _invoke(["--db", str(path), "status"])
    assert "平潭综合实验区" not in plain.output
    listed = _invoke(["--db", str(path), "status", "--reports"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("单位 agency"))
    assert lines[header].split()[-2:] == ["2020", "2023"]
    assert lines[header + 1].split() == ["平潭综合实验区", "·", "✓"]
    assert lines[header + 2].split() == ["聊城市人民政府", "✓", "·"]
    import json

    data = json.loads(_invoke(["--db", str(path), "status", "--reports", "--json"]).output)
    assert data["holdings"] == [{"agency": "平潭综合实验区", "years": [2023]}, {"agency": "聊城市人民政府", "years": [2020]}]


# ------------------------------------------------------------------ symlinks: one policy (item 6)


@pytest.fixture
def linked_folder(tmp_path: Path, folder: Path) -> tuple[Path, Path]:
    """The user's folder with a link to a file outside it and a link to a folder outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_bytes((SAMPLES / "pingtan-2023.txt").read_bytes().replace(b"2023", b"2022"))
    (folder / "link.txt").symlink_to(secret)
    (folder / "linkdir").symlink_to(outside, target_is_directory=True)
    return folder, secret


def test_ingest_refuses_every_symlink_in_its_own_line(tmp_path, linked_folder) -> None:
    folder, secret = linked_folder
    db = tmp_path / "x.db"
    result = _invoke(["--db", str(db), "ingest", str(folder), str(folder / "link.txt")])
    assert result.exit_code == 1, result.output
    refused = [line for line in result.output.splitlines() if "拒绝读取符号链接" in line]
    assert len(refused) == 3, result.output  # the link met in the folder, the linked folder, the named link
    assert "共 5 个文件：2 个已读入，3 个无法读取" in result.output
    years = [r[0] for r in open_db(db).execute("select year from reports order by year")]
    assert years == [2020, 2023], "nothing was read through a link"


def test_watcher_refuses_symlinks_like_ingest_and_keeps_subfolders(tmp_path, linked_folder) -> None:
    from ingest.pipeline import SYMLINK_REFUSED
    from ingest.watch import Watcher

    inbox, secret = linked_folder
    handled = Watcher(inbox, open_db(tmp_path / "w.db")).run_once(settle=0)
    refused = sorted(h.name for h in handled if h.outcome.error == SYMLINK_REFUSED)
    assert refused == ["link.txt", "linkdir"]
    assert (inbox / "processed" / "2023" / "pingtan-2023.txt").is_file(), "the subfolder is kept, the name too"
    assert (inbox / "processed" / "zf.html").is_file()
    assert (inbox / "failed" / "link.txt").is_symlink() and secret.is_file()


def test_ingest_prints_no_progress_line_when_stderr_is_not_a_terminal(tmp_path, folder) -> None:
    done = subprocess.run([sys.executable, "-c", "from cli.main import main; main()", "--db", str(tmp_path / "p.db"),
                           "ingest", str(folder)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", "a stray progress label on stderr"
    assert "共 2 个文件：2 个已读入" in done.stdout


# ------------------------------------------------------------------ database paths (item 5)

PLAIN_USER = ("--bounding-set=-dac_override,-dac_read_search", "--")
"""Root keeps uid 0 but loses the capabilities that bypass permission bits: the tests run as root
here, and a root process could write a read-only file.  The interpreter under /root stays usable
(it is root's own), which switching to `nobody` would not allow."""


def _xxgk_as_plain_user(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None or subprocess.run([setpriv, *PLAIN_USER, "true"]).returncode != 0:
            pytest.skip("running as root without setpriv: permission bits cannot be tested")
        prefix = [setpriv, *PLAIN_USER]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*prefix, sys.executable, "-c", "from cli.main import main; main()", *args],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)


def test_a_folder_without_write_permission_is_named(tmp_path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        done = _xxgk_as_plain_user(tmp_path, "--db", str(locked / "x.db"), "ingest", str(SAMPLES / "pingtan-2023.txt"))
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: 没有写入权限 / no permission to write in the database's folder {locked} "
        f"(SQLite creates x.db, x.db-wal and x.db-shm there): {locked / 'x.db'}"]
    assert not (locked / "x.db").exists()


def test_a_read_only_database_is_said_once_and_blames_no_file(tmp_path, folder) -> None:
    path = tmp_path / "ro.db"
    open_db(path).close()
    path.chmod(0o444)
    done = _xxgk_as_plain_user(tmp_path, "--db", str(path), "ingest", str(folder))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"Error: 数据库是只读的，无法写入（请让运行者能写这个文件）/ the database is read-only: {path}"]
    assert "无法读取" not in done.stdout and "稍后重试" not in done.stdout + done.stderr
    path.chmod(0o644)
    assert open_db(path).execute("select count(*) from ingest_log").fetchone()[0] == 0


def test_a_database_turned_read_only_mid_run_is_not_the_files_fault(tmp_path, folder) -> None:
    """The per-file line when SQLite refuses a write after the command started."""
    from cli.ingest_cmd import Summary
    from ingest.pipeline import ingest_file
    from store.db import StoreError, require_writable

    db = open_db(tmp_path / "x.db")
    db.execute("PRAGMA query_only = 1")
    with pytest.raises(StoreError, match="数据库是只读的"):
        require_writable(db, tmp_path / "x.db")
    outcome = ingest_file(db, folder / "zf.html")
    assert not outcome.ok and outcome.retryable
    assert outcome.error.startswith("数据库是只读的，文件本身没有问题") and "稍后重试" not in outcome.error
    summary = Summary()
    summary.add(outcome)
    assert summary.totals() == (
        "共 1 个文件：0 个已读入，0 个无法读取，0 份报告未通过校验，1 个因数据库问题未写入（文件本身没有问题）")
    db.execute("PRAGMA query_only = 0")
    require_writable(db, tmp_path / "x.db")  # writable again: no error, and nothing was written
    assert db.execute("select count(*) from reports").fetchone()[0] == 0


def test_a_database_in_a_missing_folder_is_refused_unless_mkdir(tmp_path) -> None:
    target = tmp_path / "no" / "such" / "x.db"
    sample = str(SAMPLES / "pingtan-2023.txt")
    for command in (["ingest", sample], ["status"], ["watch", "--once", str(tmp_path)], ["demo", "--no-chat", str(tmp_path)]):
        result = CliRunner().invoke(cli, ["--db", str(target), *command])
        assert result.exit_code == 1, (command, result.output)
        assert f"数据库所在的文件夹不存在 / the database's folder does not exist: {target.parent}" in result.output
        assert "--mkdir" in result.output and not (tmp_path / "no").exists()
    created = _invoke(["--mkdir", "--db", str(target), "ingest", sample])
    assert created.exit_code == 0 and target.is_file()


# ------------------------------------------------------------------ small things (item 8)


def test_export_help_does_not_call_json_the_only_format() -> None:
    text = _invoke(["export", "--help"]).output
    assert "--csv" in text and "only format" not in text


def test_a_missing_year_lists_the_years_held_in_words(held_db, tmp_path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "held.db"), "export", "平潭综合实验区", "2019"])
    assert result.exit_code == 1
    assert "（已有：2023年）" in result.output and "[" not in result.output


def test_chat_and_check_name_a_failed_check_with_the_same_word(tmp_path) -> None:
    from ingest.pipeline import ingest_paths

    path = tmp_path / "s.db"
    assert ingest_paths(open_db(path), [SAMPLES / "shanghai-bangongting-2019.docx"])[0].failed_checks
    checked = _invoke(["--db", str(path), "check"]).output
    chatted = _invoke(["--db", str(path), "chat"], input="2019年哪些报告没通过校验\n").output
    assert "[错误]" in checked and "    - 错误：" in chatted
    assert "[error]" not in chatted and "[warning]" not in chatted
