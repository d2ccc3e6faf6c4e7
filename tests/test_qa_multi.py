"""Trend, comparison, ranking, rates and audit questions over a real SQLite file."""

from __future__ import annotations

import pytest

from bot.qa import ask
from tests.qa_db import TODAY_2024, build_qa_db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_qa_db(tmp_path_factory.mktemp("qa") / "qa.db")


def q(db, text):
    return ask(db, text, today=TODAY_2024)


def test_trend_lists_each_year(db):
    a = q(db, "聊城市大数据局收到申请的趋势")
    assert (a.status, a.kind, a.agency) == ("answer", "trend", "聊城市大数据局")
    assert [(s["year"], s["value"]) for s in a.series] == [(2019, 1), (2020, 6)]
    assert "+5" in a.text


def test_trend_without_a_metric_defaults_to_applications_and_says_so(db):
    a = q(db, "聊城市大数据局历年趋势")
    assert (a.status, a.kind) == ("answer", "trend")
    assert [(s["year"], s["value"]) for s in a.series] == [(2019, 1), (2020, 6)]
    assert "默认显示本年新收申请数" in a.text
    assert q(db, "聊城市大数据局").kind == "overview"  # a bare name is not a trend question


def test_trend_notes_years_where_the_metric_is_absent(db):
    a = q(db, "聊城市人民政府历年采购总金额")
    assert a.kind == "trend"
    values = {s["year"]: s["value"] for s in a.series}
    assert values[2020] == pytest.approx(1278848.63)
    assert values[2021] == pytest.approx(1278848.63)  # the 2021 synthetic report keeps 2019 format


def test_compare_two_agencies(db):
    a = q(db, "2020年聊城城管局和淄博城管局收到申请对比")
    assert (a.status, a.kind) == ("answer", "compare")
    assert [(s["agency"], s["value"]) for s in a.series] == [("聊城市城市管理局", 12), ("淄博市城市管理局", 2)]
    assert "差" in a.formula and "= 10 件" in a.text, a.text
    assert a.text.splitlines()[-1] == "聊城市城市管理局（2020年）较多，比淄博市城市管理局（2020年）多 10 件。"


def test_compare_two_years(db):
    a = q(db, "聊城市政府2020年和2021年收到申请比较")
    assert (a.status, a.kind, a.agency) == ("answer", "compare", "聊城市人民政府")
    assert [s["value"] for s in a.series] == [1054, 1154]


def test_compare_with_a_missing_year_says_so(db):
    a = q(db, "聊城市大数据局2019年和2023年收到申请对比")
    assert a.status == "no_data" and "没有聊城市大数据局2023年的报告" in a.text
    assert [(s["year"], s["value"]) for s in a.series] == [(2019, 1)]  # the year we hold is still shown


def test_ranking_within_a_region(db):
    a = q(db, "2020年聊城各单位申请数排名")
    assert (a.status, a.kind, a.year) == ("answer", "ranking", 2020)
    assert [s["agency"] for s in a.series] == ["聊城市人民政府", "聊城市城市管理局", "聊城市大数据局"]
    assert [s["value"] for s in a.series] == [1054, 12, 6]


def test_ranking_of_a_citys_departments_leaves_its_government_out(db):
    a = q(db, "2020年聊城各部门申请数排名")
    assert [s["agency"] for s in a.series] == ["聊城市城市管理局", "聊城市大数据局"]
    assert [s["value"] for s in a.series] == [12, 6]


def test_ranking_ascending_and_of_one_department(db):
    a = q(db, "2020年各地城管局收到申请最少的排名")
    assert [s["agency"] for s in a.series] == ["淄博市城市管理局", "聊城市城市管理局"]


@pytest.mark.parametrize("question", ["2020年聊城各部门公开率排名", "2020年聊城各部门部分公开占比排名"])
def test_ranking_by_a_rate_agrees_with_each_agencys_own_rate(db, question):
    a = q(db, question)
    assert (a.status, a.kind, a.unit) == ("answer", "ranking", "%"), a.text
    assert {s["agency"] for s in a.series} == {"聊城市城市管理局", "聊城市大数据局"}, a.text  # 各部门: not the government
    assert "（七）总计" in a.formula
    values = [s["value"] for s in a.series]
    assert values == sorted(values, reverse=True)
    what = "公开率" if "公开率" in question else "部分公开占比"
    for s in a.series:
        own = q(db, f"{s['agency']}2020年{what}")
        assert own.kind == "rate" and own.value == pytest.approx(s["value"]), s


def test_disclosure_rate_states_formula(db):
    a = q(db, "聊城市人民政府2020年公开率是多少")
    assert (a.status, a.kind, a.unit) == ("answer", "rate", "%")
    assert a.value == pytest.approx(round((632 + 84) / 1051 * 100, 2))
    assert "公开率 = (予以公开 + 部分公开) / （七）总计" in a.formula and "716 / 1051" in a.formula
    assert "requests.handled_total.total" in a.cells


def test_review_correction_rate_and_zero_denominator(db):
    a = q(db, "聊城市人民政府2020年复议纠错率")
    assert (a.status, a.value) == ("answer", 0.0)
    b = q(db, "聊城市城市管理局2019年复议纠错率")
    assert b.status == "no_data" and "分母" in b.text


def test_failed_checks_audit(db):
    a = q(db, "2020年哪些报告没通过校验")
    assert (a.status, a.kind, a.value) == ("answer", "checks", 1)
    assert a.series[0]["agency"] == "聊城市城市管理局" and "≠" in a.text
    clean = q(db, "2023年哪些报告没通过校验")
    assert clean.value == 0


def test_audit_of_a_named_agency_lists_only_that_agency(db):
    """An auditor asks about one agency, in the words auditors use; the whole list is not the answer."""
    for question in ("聊城市城市管理局哪些校验没通过", "聊城市城管局的报告有问题吗", "聊城城管局2020年勾稽关系对不上吗"):
        a = q(db, question)
        assert (a.status, a.kind) == ("answer", "checks"), question
        assert {s["agency"] for s in a.series} == {"聊城市城市管理局"}, question
    assert q(db, "聊城市大数据局2020年有错误吗").value == 0  # named, and clean
    everyone = q(db, "哪些机关的报告有问题")
    assert everyone.kind == "checks" and "聊城市城市管理局" in {s["agency"] for s in everyone.series}


def test_audit_of_an_unknown_agency_is_not_found_not_everything(db):
    for question in ("统理局有问题吗", "聊城市统理局哪些校验没通过"):
        a = q(db, question)
        assert a.status == "not_found" and a.series == [], question


def test_a_report_named_without_a_figure_gets_its_headline_numbers(db):
    a = q(db, "聊城市人民政府2020年报告")
    assert (a.status, a.kind, a.agency, a.year) == ("answer", "overview", "聊城市人民政府", 2020)
    for figure in ("本年新收申请 1054 件", "上年结转 10 件", "（七）总计 1051 件", "其中予以公开 632 件",
                   "部分公开 84 件", "716 / 1051", "行政诉讼 30 件"):
        assert figure in a.text, figure
    assert q(db, "聊城市人民政府2020年公开率").value == pytest.approx(68.13)  # the same rate as asked alone
    latest = q(db, "聊城市大数据局")
    assert latest.year == 2020 and "未指定年份" in latest.text
    failed = q(db, "聊城市城市管理局2020年")
    assert "校验结果：1 项校验未通过" in failed.text
    assert q(db, "聊城市大数据局2018年报告").status == "no_data"


@pytest.mark.parametrize("question", ["聊城市大数据局2020年申请数比上年增加多少", "聊城市大数据局2020年申请数同比",
                                      "聊城市大数据局收到申请比去年多了多少"])
def test_against_the_year_before(db, question):
    """比上年 / 同比: the year asked (or the latest) against the one before; 去年 here is no year of its own."""
    a = q(db, question)
    assert (a.status, a.kind) == ("answer", "compare"), a.text
    assert [(s["year"], s["value"]) for s in a.series] == [(2020, 6), (2019, 1)]
    assert "差 = 2020年 − 2019年 = 5" in a.formula and "变化率 = 差 / 2019年 = 5 / 1 = 500.0%（增长）" in a.text


def test_recent_years_are_the_latest_reports(db):
    a = q(db, "聊城市人民政府近两年公开率")
    assert a.kind == "trend" and [s["year"] for s in a.series] == [2020, 2021]
    assert [s["year"] for s in q(db, "聊城市大数据局最近3年申请数").series] == [2019, 2020]


def test_missing_reports_audit(db):
    a = q(db, "哪些单位缺2020年年报")
    assert a.kind == "missing"
    names = {s["agency"] for s in a.series}
    assert names == {"聊城市机关事务管理局", "上海市人民政府办公厅", "平潭综合实验区", "济南市城市管理局"}
    assert a.value == len(names) and "共4个单位缺2020年年报" in a.text
    local = q(db, "聊城哪些单位缺2020年年报")
    assert {s["agency"] for s in local.series} == {"聊城市机关事务管理局"}


@pytest.mark.parametrize("question", ["2020年塘定各部门申请数排名", "2020年塘定各部门公开率排名"])
def test_a_ranking_in_a_place_not_understood_is_not_widened_to_every_agency(db, question):
    """An unknown place before 各部门 was dropped and every agency held was ranked, as if asked."""
    a = q(db, question)
    assert (a.status, a.series) == ("not_found", []), a.text
    assert "没有找到“塘定”这个地方的单位" in a.text
