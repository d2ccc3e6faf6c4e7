"""``xxgk ask``, ``xxgk chat`` and ``xxgk demo`` through click's CliRunner and a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli.main import _register, cli
from tests.qa_db import build_qa_db

_register()


@pytest.fixture
def qa_db(tmp_path):
    path = tmp_path / "qa.db"
    build_qa_db(path)
    return path


def run(db_path, *args, input=None):
    return CliRunner().invoke(cli, ["--db", str(db_path), *args], input=input, catch_exceptions=False)


def test_ask_json_contract(qa_db):
    result = run(qa_db, "ask", "--json", "淄博城管局2020年收到几件申请")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["status"], data["agency"], data["year"], data["value"], data["unit"]) == (
        "answer", "淄博市城市管理局", 2020, 2, "件")
    assert data["cells"] == ["requests.new.total"] and data["source"]["locations"]


def test_ask_text_prints_answer_and_source(qa_db):
    result = run(qa_db, "ask", "聊城市人民政府2020年予以公开多少件")
    assert "632 件" in result.output and "来源" in result.output


def test_ask_clarify_lists_candidates(qa_db):
    result = run(qa_db, "ask", "--json", "城管局收到多少申请")
    data = json.loads(result.output)
    assert data["status"] == "clarify" and "淄博市城市管理局" in data["candidates"]


def test_ask_logs_to_audit(qa_db):
    run(qa_db, "ask", "聊城市人民政府2020年予以公开多少件")
    from store.db import open_db

    rows = open_db(qa_db).execute("select shell, status, question from audit").fetchall()
    assert rows == [("console", "answer", "聊城市人民政府2020年予以公开多少件")]


def test_ask_missing_database_is_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "ask", "x"])
    assert result.exit_code != 0 and "数据库不存在" in result.output


def test_chat_answers_stdin_lines_and_picks_a_candidate(qa_db):
    lines = "help\n城管局2020年收到多少申请\n2\n聊城市政府2020年部分公开多少件\nquit\n聊城市政府2020年予以公开多少件\n"
    result = run(qa_db, "chat", input=lines)
    assert result.exit_code == 0
    out = result.output
    assert "help 显示本帮助" in out
    assert "  2. 聊城市城市管理局\n" in out and "（输入序号选择）" in out
    assert "聊城市城市管理局2020年本年新收政府信息公开申请：12 件" in out  # "2" picked the second candidate
    assert "84 件" in out
    assert "632" not in out  # after quit nothing is answered
    from store.db import open_db

    statuses = [r[0] for r in open_db(qa_db).execute("select status from audit order by id")]
    assert statuses == ["clarify", "answer", "answer"]


def test_ask_subprocess_json(qa_db):
    exe = shutil.which("xxgk")
    cmd = [exe] if exe else [sys.executable, "-m", "cli.main"]
    env = dict(os.environ, XXGK_DB=str(qa_db))
    proc = subprocess.run([*cmd, "ask", "--json", "'; drop table reports;--"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "not_found"


@pytest.mark.slow
def test_demo_ingests_samples_and_answers_stdin(tmp_path):
    db_path = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(db_path)], input="平潭2023年行政复议多少件\n",
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "导入样例报告 7 份" in result.output
    assert result.output.count("答：") == 3
    assert "平潭综合实验区2023年行政复议总计：2 件" in result.output
    assert db_path.exists()
