"""The answering core on a real SQLite file built from the bundled figures (tests/qa_db.py)."""

from __future__ import annotations

import datetime

import pytest

from bot.qa import answer_choice, ask
from bot.qa.agencies import index_for
from tests.qa_db import TODAY_2024, build_qa_db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_qa_db(tmp_path_factory.mktemp("qa") / "qa.db")


def q(db, text, today=TODAY_2024):
    return ask(db, text, today=today)


@pytest.mark.parametrize(
    ("question", "agency", "year", "value"),
    [
        ("聊城市城市管理局2019年收到多少政府信息公开申请？", "聊城市城市管理局", 2019, 2),
        ("聊城城管局2019年政府集中采购总金额是多少", "聊城市城市管理局", 2019, 48359.899368),  # abbreviation, no 市
        ("聊城市城管局2019年采购项目有几个", "聊城市城市管理局", 2019, 56),
        ("聊城市政府2020年予以公开多少件", "聊城市人民政府", 2020, 632),  # 市政府 = 市人民政府
        ("聊城市机关事物管理局2023年收到多少申请", "聊城市机关事务管理局", 2023, 3),  # 事物 typo
        ("聊城市机关事务管里局2023年收到多少申请", "聊城市机关事务管理局", 2023, 3),  # 里 typo (fuzzy)
        ("机关事务局2023年结转下年度继续办理几件", "聊城市机关事务管理局", 2023, 1),  # no city prefix
        ("上海市政府办公厅2019年政府集中采购总金额", "上海市人民政府办公厅", 2019, 25.1),
        ("上海市府办2019年收到多少申请", "上海市人民政府办公厅", 2019, 859),  # 市府办 = 市人民政府办公厅
        ("平潭2023年行政事业性收费金额是多少", "平潭综合实验区", 2023, 5949.088667),  # region = its government
        ("聊城市人民政府2020年不予公开多少件", "聊城市人民政府", 2020, 33),  # 8 rows summed
        ("聊城市人民政府2020年无法提供多少件", "聊城市人民政府", 2020, 269),
        ("聊城市人民政府2020年不予处理多少件", "聊城市人民政府", 2020, 9),
        ("聊城市人民政府2020年行政诉讼一共多少件", "聊城市人民政府", 2020, 30),
        ("聊城市人民政府2020年因本机关不掌握相关政府信息无法提供的有多少", "聊城市人民政府", 2020, 263),
        ("聊城市人民政府2020年法律服务机构申请了多少件", "聊城市人民政府", 2020, 44),
        ("聊城市人民政府2020年行政复议结果纠正多少件", "聊城市人民政府", 2020, 0),
        ("二〇二〇年聊城市人民政府自然人申请多少", "聊城市人民政府", 2020, 967),
        ("聊城市人民政府20年上年结转了多少申请", "聊城市人民政府", 2020, 10),
        ("聊城市机关事务管理局2023年行政规范性文件制发了几件", "聊城市机关事务管理局", 2023, 1),
        ("聊城市人民政府2020年规范性文件新制作数量", "聊城市人民政府", 2020, 131),
        ("聊城市人民政府2020年依申请公开答复数量", "聊城市人民政府", 2020, 1051),  # 答复 = （七）总计, not 新收
    ],
)
def test_single_values(db, question, agency, year, value):
    a = q(db, question)
    assert (a.status, a.agency, a.year) == ("answer", agency, year), a.text
    assert a.value == pytest.approx(value)
    assert a.source is not None and a.source.locations and a.cells
    headline = a.text.splitlines()[0]  # "聊城市人民政府2020年不予公开：33 件。"
    assert headline.startswith(f"{agency}{year}年") and f"：{value} " in headline, a.text


def test_relative_years(db):
    assert q(db, "聊城市人民政府去年收到多少申请", today=datetime.date(2021, 3, 1)).year == 2020
    assert q(db, "聊城市人民政府前年收到多少申请", today=datetime.date(2022, 3, 1)).year == 2020
    assert q(db, "聊城市人民政府今年收到多少申请", today=datetime.date(2021, 3, 1)).value == 1154


def test_latest_year_when_none_given(db):
    a = q(db, "聊城市人民政府收到多少申请")
    assert (a.status, a.year, a.value) == ("answer", 2021, 1154)
    assert "未指定年份" in a.text and "2021" in a.text


def test_blank_cell_counts_as_zero_and_says_so(db):
    a = q(db, "聊城市城市管理局2019年商业企业申请多少")
    assert (a.status, a.value) == ("answer", 0)
    assert a.source.locations[0]["blank"] is True
    assert "空白" in a.text


def test_clarify_and_choice(db):
    a = q(db, "城管局收到多少申请")
    assert a.status == "clarify"
    assert set(a.candidates) == {"聊城市城市管理局", "淄博市城市管理局", "济南市城市管理局"}
    picked = answer_choice(db, "城管局2020年收到多少申请", "淄博市城市管理局")
    assert (picked.status, picked.agency, picked.year, picked.value) == ("answer", "淄博市城市管理局", 2020, 2)
    assert answer_choice(db, "城管局收到多少申请", "不存在的局").status == "not_found"


def test_no_data_year_missing_lists_years(db):
    a = q(db, "聊城市大数据局2023年收到多少申请")
    assert (a.status, a.agency, a.year) == ("no_data", "聊城市大数据局", 2023)
    assert "2019" in a.text and "2020" in a.text


def test_no_data_metric_absent_from_format(db):
    a = q(db, "聊城市机关事务管理局2023年政府集中采购总金额")
    assert a.status == "no_data" and "2021版" in a.text
    b = q(db, "聊城市城市管理局2019年行政事业性收费金额")
    assert b.status == "no_data" and "2019版" in b.text


def test_flagged_cells_are_never_silent(db):
    unreadable = q(db, "济南市城市管理局2021年采购总金额")
    assert unreadable.status == "no_data" and unreadable.value is None and "存疑" in unreadable.text
    with_value = q(db, "聊城市人民政府2021年行政许可处理决定数量")
    assert with_value.status == "answer"
    assert any("存疑" in c for c in with_value.caveats)


def test_failed_checks_become_caveats(db):
    a = q(db, "聊城市城市管理局2020年收到多少申请")
    assert a.status == "answer" and a.value == 12
    assert any("校验未通过" in c and "涉及本答案" in c for c in a.caveats)


def test_failed_checks_not_about_the_answer_are_counted_not_quoted(db):
    a = q(db, "聊城市城市管理局2020年予以公开多少件")  # the failed check is about requests.new.total
    assert a.status == "answer"
    assert not any("本年新收 12" in c for c in a.caveats)
    assert any("另有 1 项校验未通过" in c for c in a.caveats)


def test_not_found_names_close_agencies(db):
    a = q(db, "北京市海淀区城市管理委员会2020年收到多少申请")
    assert a.status == "not_found" and a.agency is None
    assert "没有找到北京市海淀区的城市管理委员会" in a.text  # no agency of that place is held
    assert "北京" not in "".join(a.candidates)
    b = q(db, "聊城市财政局2020年收到多少申请")
    assert b.status == "not_found" and b.agency is None
    assert set(b.candidates) == {"聊城市人民政府", "聊城市城市管理局", "聊城市大数据局", "聊城市机关事务管理局"}
    assert "相近的单位：" + "、".join(b.candidates) + "。" in b.text


@pytest.mark.parametrize(
    "hostile",
    ["", "   ", "'; drop table reports;--", "x" * 50_000, "\x00\x01\x02\x1b[31m", "聊城" * 30_000,
     "2019年" * 1000, "SELECT * FROM cells", "🙂🙂🙂", "％％％_\\", "聊城市城市管理局' OR '1'='1 2019年收到多少申请"],
    ids=lambda s: f"len{len(s)}",
)
def test_hostile_input_never_raises(db, hostile):
    before = db.execute("select count(*) from reports").fetchone()[0]
    a = q(db, hostile)
    assert a.status in ("answer", "clarify", "no_data", "not_found")
    assert a.text
    assert db.execute("select count(*) from reports").fetchone()[0] == before


def test_sql_fragment_inside_a_real_question_still_answers(db):
    a = q(db, "聊城市城市管理局2019年收到多少申请'; drop table reports;--")
    assert (a.status, a.value) == ("answer", 2)


def test_index_is_cached_and_invalidated(db, tmp_path):
    first = index_for(db)
    assert index_for(db) is first
    from store.db import agency_id, write_transaction

    with write_transaction(db):
        agency_id(db, "德州市财政局")
    try:
        second = index_for(db)
        assert second is not first and any(e.name == "德州市财政局" for e in second.entries)
    finally:
        with write_transaction(db):
            db.execute("delete from agency_forms where agency_id in (select id from agencies where name = '德州市财政局')")
            db.execute("delete from agencies where name = '德州市财政局'")


def test_answer_json_contract(db):
    data = q(db, "淄博城管局2020年收到几件申请").as_json()
    for field in ("status", "value", "unit", "agency", "year", "cells", "source", "caveats", "candidates", "text"):
        assert field in data
    assert data["unit"] == "件" and data["cells"] == ["requests.new.total"]
    assert data["source"]["locations"][0]["raw"] == "2"


@pytest.mark.parametrize(
    ("question", "value", "formula"),
    [
        ("聊城市人民政府2020年部分公开占比", 7.99, "84 / 1051"),
        ("聊城市人民政府2020年不予公开的比例是多少", 3.14, "33 / 1051"),  # not the 公开率
        ("聊城市人民政府2020年予以公开的比例", 60.13, "632 / 1051"),
        ("聊城市人民政府2020年自然人申请占比", 91.75, "967 / 1054"),
        ("聊城市人民政府2020年法人申请占多少比例", 8.25, "87 / 1054"),
        ("聊城市人民政府2020年公开的比例", 68.13, "716 / 1051"),  # 公开率 itself
    ],
)
def test_shares_are_computed_with_their_formula(db, question, value, formula):
    a = q(db, question)
    assert (a.status, a.kind, a.unit) == ("answer", "rate", "%"), a.text
    assert a.value == pytest.approx(value) and formula in a.formula


def test_a_figure_split_by_applicant(db):
    a = q(db, "聊城市人民政府2020年自然人和法人分别申请多少")
    assert (a.status, a.agency, a.year) == ("answer", "聊城市人民政府", 2020)
    assert [(s["label"], s["value"]) for s in a.series] == [("自然人", 967), ("法人或其他组织（合计）", 87)]
    every = q(db, "聊城市人民政府2020年申请人构成")
    assert [s["value"] for s in every.series] == [967, 29, 5, 3, 44, 6, 1054]
    assert sum(s["value"] for s in every.series[:-1]) == every.series[-1]["value"]  # the row adds up
    assert "requests.new.natural" in every.cells and every.source.locations
    blank = q(db, "上海市政府办公厅2019年予以公开按申请人分别是多少")
    assert "总计：272 件（总计栏空白，按各申请人列相加）" in blank.text  # the blank 总计 is said, not hidden
    assert q(db, "聊城市人民政府2020年收到多少申请").series == []  # one number stays one number
