"""Unread is never blank; an unknown row is never dropped; an inferred column is said.

Built from a bundled sample's tab-separated text (Word's "save as text"), changed the way real
files differ: a row whose cells ran into its label, a new row "申请人主动撤回申请" the official
table does not have, and a row printed as two equal numbers."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from bot.qa import ask
from ingest.checks import run_checks
from ingest.pipeline import ingest_bytes, parse_bytes
from ingest.render.text import text_report
from store import queries
from store.db import open_db
from tests.conftest import ROOT

FIGURES = json.loads((ROOT / "bot/samples/figures/liaocheng-renmin-zhengfu-2020.json").read_text(encoding="utf-8"))
NEW_ROW = "一、本年新收政府信息公开申请数量"


def _replace_line(text: str, start: str, new: str) -> str:
    lines = text.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.lstrip("\t").startswith(start))
    return "\n".join(lines[:at] + [new] + lines[at + 1:]) + "\n"


@pytest.fixture
def run_together() -> str:
    """The 本年新收 row with its cells run into the label by "/" (a broken export)."""
    text = text_report(FIGURES)
    line = next(ln for ln in text.splitlines() if ln.startswith(NEW_ROW))
    return _replace_line(text, NEW_ROW, "/".join(p for p in line.split("\t") if p))


def test_a_row_with_digits_but_no_numbers_is_flagged_with_its_text(run_together: str) -> None:
    report = parse_bytes(run_together.encode(), "r.txt")
    for col in ("natural", "commercial", "total"):
        cell = report.cells[f"requests.new.{col}"]
        assert cell.flagged and cell.value is None and cell.reason.startswith("未能读出")
        assert "967/29/5/3/44/6/1054" in cell.raw
    checks = run_checks(report)
    balance = next(c for c in checks if c.rule == "requests.balance.total")
    assert not balance.passed and balance.origin == "reading"
    narrative = next(c for c in checks if c.rule == "text_vs_table.new")  # 正文称 1054，表格未能读出
    assert not narrative.passed and narrative.origin == "reading" and "疑似原报告错误" not in narrative.message


def test_an_answer_on_an_unread_cell_never_states_zero(tmp_path: Path, run_together: str) -> None:
    db = open_db(tmp_path / "u.db")
    assert ingest_bytes(db, run_together.encode(), "r.txt").ok
    answer = ask(db, "聊城市人民政府2020年收到多少政府信息公开申请")
    assert answer.status == "no_data" and answer.value is None
    assert "0 件" not in answer.text and "967/29/5/3/44/6/1054" in answer.text


@pytest.fixture
def withdrawn() -> str:
    """A new row 申请人主动撤回申请 (2 requests), counted in 本年新收 and in （七）总计."""
    figures = copy.deepcopy(FIGURES)
    for key in ("requests.new.natural", "requests.new.total", "requests.handled_total.natural",
                "requests.handled_total.total"):
        figures["cells"][key] += 2
    text = text_report(figures)
    total = next(ln for ln in text.splitlines() if ln.startswith("\t（七）总计"))
    extra = "\t（八）申请人主动撤回申请\t\t2\t0\t0\t0\t0\t0\t2"
    return _replace_line(text, "（七）总计", extra + "\n" + total)


def test_an_unknown_row_is_kept_unplaced_and_the_outcome_check_blames_reading(withdrawn: str) -> None:
    report = parse_bytes(withdrawn.encode(), "w.txt")
    assert [u["raw"] for u in report.unplaced] == ["(八)申请人主动撤回申请 2 0 0 0 0 0 2"]  # NFKC brackets
    checks = run_checks(report)
    unplaced = next(c for c in checks if c.rule == "rows.unplaced.requests")
    assert not unplaced.passed and "申请人主动撤回申请" in unplaced.message
    outcomes = next(c for c in checks if c.rule == "requests.outcomes.natural")
    assert not outcomes.passed and outcomes.origin == "reading" and "疑似读取问题" in outcomes.message
    assert report.cells["requests.handled_total.total"].value == 1053  # the known cells stay exact


def test_export_and_answers_show_the_unplaced_row(tmp_path: Path, withdrawn: str) -> None:
    db = open_db(tmp_path / "w.db")
    outcome = ingest_bytes(db, withdrawn.encode(), "w.txt")
    exported = queries.export_report(db, outcome.report_id)
    assert len(exported["unplaced"]) == 1 and "申请人主动撤回申请" in exported["unplaced"][0]
    answer = ask(db, "聊城市人民政府2020年予以公开多少件")
    assert any("申请人主动撤回申请" in c for c in answer.caveats)


def _two_equal(text: str, value: int) -> str:
    """The 上年结转 row printed as two equal numbers (the space-separated way)."""
    line = next(ln for ln in text.splitlines() if ln.startswith("二、上年结转"))
    return _replace_line(text, "二、上年结转", f"{line.split(chr(9))[0]} {value} {value}")


def test_two_equal_numbers_proved_by_the_balance_need_no_note() -> None:
    assert FIGURES["cells"]["requests.carried_over.natural"] == FIGURES["cells"]["requests.carried_over.total"] == 10
    report = parse_bytes(_two_equal(text_report(FIGURES), 10).encode(), "p.txt")
    cell = report.cells["requests.carried_over.natural"]
    assert cell.value == 10 and "inferred" not in cell.provenance  # 自然人 balance holds, every other column too


def test_two_equal_numbers_carry_an_inferred_note_the_answer_repeats(tmp_path: Path) -> None:
    text = _two_equal(text_report(FIGURES), 5)  # the balance no longer proves the column
    report = parse_bytes(text.encode(), "e.txt")
    assert report.cells["requests.carried_over.natural"].value == 5
    assert "也可能是其他某一列" in report.cells["requests.carried_over.commercial"].provenance["inferred"]
    db = open_db(tmp_path / "e.db")
    assert ingest_bytes(db, text.encode(), "e.txt").ok
    answer = ask(db, "聊城市人民政府2020年上年结转多少件")
    assert answer.value == 5 and any("系推断" in c and "也可能是其他某一列" in c for c in answer.caveats)


@pytest.mark.parametrize(("texts", "unread"), [
    (["(四)无法提供 1.本机关不掌握相关政府信息"], False),  # an enumerator after a group label
    (["3要求提供公开出版物"], False),  # an enumerator that lost its dot
    (["一、本年新收政府信息公开申请数量/967/29/5/3/44/6/1054"], True),
    (["| 本年新收政府信息公开申请数量 | 705 | 3 |"], True),
    (["2.其他法律行政法规禁止公开", "3"], False),  # the 3 is read as a number: not unread
])
def test_digits_unread_tells_values_from_enumerators(texts: list[str], unread: bool) -> None:
    from ingest.interpret import digits_unread, view
    from ingest.model import SourceCell, SourceRow

    row = SourceRow([SourceCell(t) for t in texts], grid=False)
    assert digits_unread(view(row)) is unread


def test_numbers_under_a_line_of_their_own_after_a_blank_row_are_said_to_be_joined(tmp_path: Path) -> None:
    """（六）其他处理 printed blank, then "申请人主动撤回申请" with numbers: the reader cannot tell a
    wrapped label from a row the table does not have; it joins them, and says so."""
    figures = copy.deepcopy(FIGURES)
    figures["cells"].update({f"requests.other.{c}": None for c in
                             ("natural", "commercial", "research", "social", "legal", "other_org", "total")})
    text = text_report(figures)
    other = next(ln for ln in text.splitlines() if ln.startswith("\t（六）其他处理"))
    text = _replace_line(text, "（六）其他处理", other + "\n\t申请人主动撤回申请\t\t13\t9\t0\t0\t0\t2\t24")
    report = parse_bytes(text.encode(), "j.txt")
    cell = report.cells["requests.other.natural"]
    assert cell.value == 13 and "申请人主动撤回申请" in cell.provenance["inferred"]
    db = open_db(tmp_path / "j.db")
    assert ingest_bytes(db, text.encode(), "j.txt").ok
    answer = ask(db, "聊城市人民政府2020年其他处理多少件")
    assert answer.value == 24 and any("申请人主动撤回申请" in c for c in answer.caveats)
