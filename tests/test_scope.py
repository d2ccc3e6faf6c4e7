"""What is not one annual report is refused with what it looks like; nothing half-stored.

The documents are built the way users send them: a side-by-side comparison of two years'
reports (as a diff tool or a converter lays them out), two years' reports pasted into one text
file, a 部门决算 and a 部门预算 (the other annual publication full of tables), prose without any
table, and a report whose first line is a long sentence ending in the title's words."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ingest.identity import MAX_AGENCY_CHARS, detect_identity
from ingest.model import IngestError
from ingest.pipeline import ingest_bytes, parse_bytes
from ingest.render.text import text_report
from store.db import open_db
from tests.conftest import ROOT

FIGURES = ROOT / "bot" / "samples" / "figures"


def _figures(stem: str) -> dict:
    return json.loads((FIGURES / f"{stem}.json").read_text(encoding="utf-8"))


def _next_year(figures: dict, bump: int = 5) -> dict:
    """The same agency a year later, with different numbers (本年新收 and its outcome grow)."""
    later = copy.deepcopy(figures)
    later["year"] = figures["year"] + 1
    for key in ("requests.new.natural", "requests.new.total", "requests.granted.natural", "requests.granted.total",
                "requests.handled_total.natural", "requests.handled_total.total"):
        later["cells"][key] = (later["cells"].get(key) or 0) + bump
    return later


def _side_by_side(left: str, right: str, heading: str) -> str:
    """Two reports as a comparison tool lays them out: one pipe row per pair of lines."""
    a, b = left.splitlines(), right.splitlines()
    a += [""] * (len(b) - len(a))
    b += [""] * (len(a) - len(b))
    rows = [f"# {heading}", "", "| 上一年度 | 本年度 |", "|---|---|"]
    rows += ["| " + " | ".join([*x.split("\t"), *y.split("\t")]) + " |" for x, y in zip(a, b, strict=True)]
    return "\n".join(rows) + "\n"


def _refused(data: bytes, name: str) -> str:
    with pytest.raises(IngestError) as info:
        parse_bytes(data, name)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_side_by_side_comparison_of_two_years_is_refused() -> None:
    figures = _figures("pingtan-2023")
    text = _side_by_side(text_report(figures), text_report(_next_year(figures)),
                         "平潭综合实验区2023年与2024年政府信息公开工作年度报告对比")
    message = _refused(text.encode(), "对比.md")
    assert "对照" in message and "2023年" in message and "2024年" in message


def test_two_years_reports_in_one_text_file_are_refused() -> None:
    figures = _figures("liaocheng-renmin-zhengfu-2020")
    text = text_report(figures) + "\n" + text_report(_next_year(figures))
    message = _refused(text.encode(), "两年.txt")
    assert "多个年度" in message and "2020年" in message and "2021年" in message


def test_two_different_requests_tables_under_one_title_are_refused() -> None:
    figures = _figures("liaocheng-renmin-zhengfu-2020")
    lines = text_report(_next_year(figures)).splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("三、收到和处理"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("四、"))
    text = text_report(figures) + "\n附：上年度数据\n" + "\n".join(lines[start + 1:end]) + "\n"
    message = _refused(text.encode(), "附表.txt")
    assert "两个年度的统计表" in message


def test_a_table_printed_twice_alike_is_still_one_report() -> None:
    figures = _figures("liaocheng-renmin-zhengfu-2020")
    lines = text_report(figures).splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("三、收到和处理"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("四、"))
    text = "\n".join(lines[:end] + lines[start + 1:end] + lines[end:]) + "\n"
    report = parse_bytes(text.encode(), "twice.txt")
    assert report.cells["requests.new.total"].value == figures["cells"]["requests.new.total"]


FINAL_ACCOUNTS = """<html><head><meta charset="utf-8"><title>某某市生态环境局2023年度部门决算</title></head><body>
<h1>某某市生态环境局2023年度部门决算</h1>
<p>第一部分 部门概况</p><p>一、部门职责 二、机构设置</p>
<p>第二部分 2023年度部门决算表</p>
<table border="1"><tr><td>收入支出决算总表</td><td></td><td>单位：万元</td></tr>
<tr><td>项目</td><td>行次</td><td>决算数</td></tr>
<tr><td>一、一般公共预算财政拨款收入</td><td>1</td><td>4,512.36</td></tr>
<tr><td>二、政府性基金预算财政拨款收入</td><td>2</td><td>120.00</td></tr>
<tr><td>本年收入合计</td><td>30</td><td>4,632.36</td></tr></table>
<p>第三部分 2023年度部门决算情况说明</p><p>本年收入合计4632.36万元。</p></body></html>"""

BUDGET = ("某某县教育局2024年部门预算\n\n第一部分 部门概况\n\n第二部分 2024年部门预算表\n"
          "收支预算总表\t\t单位：万元\n项目\t预算数\n一、一般公共预算拨款收入\t8600.5\n二、事业收入\t120\n"
          "收入总计\t8720.5\n\n第三部分 2024年部门预算情况说明\n")


def test_final_accounts_and_budgets_say_what_they_are(tmp_path: Path) -> None:
    assert "部门决算" in _refused(FINAL_ACCOUNTS.encode(), "决算.html")
    assert "部门预算" in _refused(BUDGET.encode("gb18030"), "预算.txt")
    db = open_db(tmp_path / "x.db")
    outcome = ingest_bytes(db, BUDGET.encode(), "预算.txt")
    assert not outcome.ok and "部门预算" in outcome.error
    assert db.execute("select count(*) from reports").fetchone()[0] == 0


def test_prose_without_tables_is_not_an_annual_report_and_other_tables_say_so() -> None:
    prose = "某某局2023年政府信息公开工作年度报告\n一、总体情况\n本年度我局认真落实条例，无其他事项。\n"
    assert "不像政府信息公开年度报告" in _refused(prose.encode(), "p.txt")
    tables = prose + "附表\t2022年\t2023年\n来访人数\t12\t15\n咨询电话\t30\t41\n"
    assert "没有政府信息公开年度报告的三张统计表" in _refused(tables.encode(), "t.txt")


def test_a_report_that_mentions_budgets_in_its_body_is_still_read() -> None:
    figures = _figures("pingtan-2023")
    text = text_report(figures).replace("一、总体情况", "一、总体情况\n本年主动公开2024年度部门预算、2023年度部门决算。", 1)
    assert parse_bytes(text.encode(), "r.txt").agency == figures["agency"]


def test_agency_is_never_a_sentence() -> None:
    sentence = ("根据《中华人民共和国政府信息公开条例》和上级关于做好政务公开工作的部署要求，本机关认真梳理全年工作，"
                "结合本单位实际，现将2023年政府信息公开工作情况报告如下")
    identity = detect_identity("", sentence + "\n某某市生态环境局2023年政府信息公开工作年度报告\n正文")
    assert identity.agency == "某某市生态环境局" and identity.year == 2023
    long_name = "某" * (MAX_AGENCY_CHARS + 1)
    assert detect_identity("", f"{long_name}2023年政府信息公开工作年度报告").agency == ""


def test_a_page_linking_to_last_years_report_is_still_one_report() -> None:
    figures = _figures("liaocheng-renmin-zhengfu-2020")
    text = text_report(figures) + "相关链接\n聊城市人民政府2019年政府信息公开工作年度报告\n"
    report = parse_bytes(text.encode(), "page.txt")
    assert (report.agency, report.year) == ("聊城市人民政府", 2020)
