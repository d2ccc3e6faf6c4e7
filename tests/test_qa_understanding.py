"""Questions the way people type them in a chat (issue 12): 繁體 and English, words the parser
does not know, figures the reports do not hold, blank 总计 columns, audits, comparisons across
agencies and years, rates of any outcome, units, "why" questions, suggestions and clarify lists.

The database is the QA test database (tests/qa_db.py) plus two 2021-format reports of 淮安
(淮安市人民政府 2024 and 淮安市洪泽区人民政府 2024) built from the 平潭 figures."""

from __future__ import annotations

import pytest

from bot.qa import ask
from store.db import save_report
from tests.qa_db import FIGURES, TODAY_2024, build_qa_db, derived, load_json, report_from

TODAY = TODAY_2024.replace(year=2025)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = build_qa_db(tmp_path_factory.mktemp("qa12") / "qa.db")
    pingtan = load_json(FIGURES / "pingtan-2023.json")
    save_report(database, report_from(derived(pingtan, "淮安市人民政府", 2024, 40), "huaian-2024.txt"))
    save_report(database, report_from(derived(pingtan, "淮安市洪泽区人民政府", 2024, 3), "hongze-2024.txt"))
    return database


def q(db, text):
    return ask(db, text, today=TODAY)


# ------------------------------------------------------------------------------ 3. 繁體 and English


@pytest.mark.parametrize(
    ("question", "agency", "year", "value"),
    [
        ("大數據局2019年採購總金額多少萬元", "聊城市大数据局", 2019, 4092.66),
        ("聊城市人民政府2020年部分公開幾件", "聊城市人民政府", 2020, 84),
        ("聊城市人民政府2020年不予公開多少件", "聊城市人民政府", 2020, 33),
        ("洪泽区政府 2024 FOI requests", "淮安市洪泽区人民政府", 2024, 84),
        ("淮安市政府2024年 administrative review 多少件", "淮安市人民政府", 2024, 2),
        ("How many applications did 聊城市人民政府 receive in 2020?", "聊城市人民政府", 2020, 1054),
        ("How many requests were granted by 聊城市人民政府 in 2020", "聊城市人民政府", 2020, 632),
        ("聊城市人民政府 2020 refused", "聊城市人民政府", 2020, 33),
        ("How many requests did 聊城市人民政府 refuse in 2020?", "聊城市人民政府", 2020, 33),
        ("聊城市人民政府 2020 lawsuits", "聊城市人民政府", 2020, 30),
        ("平潭 2023 administrative fees", "平潭综合实验区", 2023, 5949.088667),
        ("聊城城管局 2019 procurement", "聊城市城市管理局", 2019, 48359.899368),
    ],
)
def test_traditional_and_english_questions(db, question, agency, year, value):
    a = q(db, question)
    assert (a.status, a.agency, a.year) == ("answer", agency, year), a.text
    assert a.value == pytest.approx(value)
    assert "没有看懂" not in a.text, a.text  # every word was understood


def test_english_question_kinds(db):
    assert q(db, "聊城市大数据局 applications trend").kind == "trend"
    ranked = q(db, "rank 聊城 agencies by requests received in 2020")
    assert (ranked.kind, [s["agency"] for s in ranked.series][:1]) == ("ranking", ["聊城市人民政府"])
    both = q(db, "compare 聊城城管局 and 淄博城管局 applications 2020")
    assert (both.kind, [s["value"] for s in both.series]) == ("compare", [12, 2])
    rate = q(db, "聊城市人民政府 2020 disclosure rate")
    assert (rate.kind, rate.value) == ("rate", pytest.approx(68.13))


# ------------------------------------------------------------------------------ 1. not an answer to the question


def test_a_figure_the_reports_do_not_hold_is_no_data_naming_what_they_hold(db):
    a = q(db, "淮安市人民政府2024年人员编制多少人")
    assert (a.status, a.agency, a.year, a.value) == ("no_data", "淮安市人民政府", 2024, None), a.text
    assert "人员编制" in a.text and "年度报告只统计这些数字" in a.text and "本年新收" in a.text
    assert a.kind != "overview" and "公开率" not in a.text


def test_a_place_read_through_its_typo_is_not_also_called_unread(db):
    """聊成市 is read as 聊城市 and said so; it is not among the words 'not understood' too."""
    a = q(db, "聊成市城市管理局2019年人员编制多少")
    assert a.status == "no_data" and a.agency == "聊城市城市管理局", a.text
    first = a.text.splitlines()[0]
    assert "“人员编制”" in first and "聊成" not in first, a.text
    assert "按“聊城" in a.text


def test_fee_schedule_is_not_the_fee_amount(db):
    a = q(db, "淮安市人民政府2024年收费标准是多少")
    assert (a.status, a.value) == ("no_data", None), a.text
    assert "收费标准" in a.text and "收费金额" in a.text  # says which figure it is not
    assert q(db, "淮安市人民政府2024年收费金额是多少").status == "answer"  # the figure itself still answers


def test_ignored_words_are_named_in_the_answer(db):
    a = q(db, "聊城市人民政府2020年收到多少申请 blah 乌拉拉")
    assert (a.status, a.value) == ("answer", 1054)
    assert "“blah”" in a.text and "“乌拉拉”" in a.text and "没有看懂" in a.text
    plain = q(db, "聊城市人民政府2020年因本机关不掌握相关政府信息无法提供的有多少")
    assert plain.value == 263 and "没有看懂" not in plain.text  # every word of a real question is known


def test_flagged_cells_are_listed_when_asked(db):
    a = q(db, "聊城市人民政府2021年有没有读不准的数")
    assert (a.status, a.kind, a.value) == ("answer", "flags", 1), a.text
    assert a.cells == ["active.licensing.decisions"] and "107719" in a.text and "列对齐存疑" in a.text
    unread = q(db, "济南城管局2021年哪些数没读出来")
    assert unread.cells == ["active.procurement.amount"] and "未给出数字" in unread.text
    clean = q(db, "聊城城管局2019年报有没有读不准的数")
    assert (clean.status, clean.kind, clean.value) == ("answer", "flags", 0) and "没有读取存疑" in clean.text
    everyone = q(db, "哪些报告有读不准的数")
    assert {s["agency"] for s in everyone.series} == {"济南市城市管理局", "聊城市人民政府"}


NOT_HELD = ("人员编制", "在编人数", "财政预算", "一般公共预算收入", "地区生产总值", "GDP", "常住人口", "户籍人口",
            "公务员人数", "网站访问量", "政务微博粉丝数", "新闻发布会场次", "培训人次", "热线接听量", "办公经费",
            "三公经费", "志愿者人数", "平均工资", "招商引资额", "债务余额", "空气质量优良天数", "交通事故起数",
            "社保参保人数", "医院床位数", "中小学数量")
TEMPLATES = ("{a}{y}年{w}多少", "{a}{y}年的{w}是多少", "{y}年{a}{w}有多少", "{a}{w}{y}年是多少？",
             "请问{a}{y}年{w}")


def _not_held_questions() -> list[str]:
    agencies = (("聊城市人民政府", 2020), ("聊城城管局", 2019), ("平潭", 2023), ("淮安市政府", 2024),
                ("上海市政府办公厅", 2019), ("机关事务局", 2023), ("淄博市城市管理局", 2020), ("大数据局", 2019))
    out = []
    for n, (template, word) in enumerate((t, w) for t in TEMPLATES for w in NOT_HELD):
        agency, year = agencies[n % len(agencies)]
        out.append(template.format(a=agency, y=year, w=word))
    return out


def test_sweep_figures_the_reports_do_not_contain_never_answer(db):
    questions = _not_held_questions()
    assert len(questions) >= 125
    questions += [f"{a}{y}年{w}" for a, y in (("聊城市人民政府", 2021), ("平潭综合实验区", 2023), ("淄博城管局", 2020))
                  for w in NOT_HELD]
    assert len(questions) >= 200
    wrong = [(text, a.status, a.kind) for text in questions for a in [q(db, text)] if a.status == "answer"]
    assert wrong == []
    sample = q(db, questions[0])
    assert sample.status == "no_data" and NOT_HELD[0] in sample.text


# ------------------------------------------------------------------------------ 2. a blank 总计 column


def test_a_blank_total_is_answered_from_its_columns_and_says_so(db):
    a = q(db, "上海市人民政府办公厅2019年予以公开多少件")
    assert (a.status, a.value) == ("answer", 272), a.text
    assert "总计栏空白；按各申请人列相加为 272" in a.text
    assert "requests.granted.natural" in a.cells and "requests.granted.total" not in a.cells
    assert any("总计栏空白" in c for c in a.caveats)
    printed = q(db, "上海市人民政府办公厅2019年收到多少申请")  # a printed 总计 is used as printed
    assert (printed.value, printed.cells) == (859, ["requests.new.total"]) and "总计栏空白" not in printed.text


def test_rates_of_a_blank_total_column_use_the_columns(db):
    a = q(db, "上海市人民政府办公厅2019年公开率")
    assert (a.status, a.value) == ("answer", pytest.approx(round(275 / 805 * 100, 2))), a.text
    assert "275 / 805" in a.formula and "总计栏空白" in a.text
    overview = q(db, "上海市人民政府办公厅2019年报告")
    assert "其中予以公开 272 件（总计栏空白，按各申请人列相加）" in overview.text and "275 / 805" in overview.text


def test_blank_total_reports_are_ranked_only_when_marked(db):
    for question in ("2019年各单位公开率排名", "2019年各单位予以公开排名"):
        a = q(db, question)
        row = next(s for s in a.series if s["agency"] == "上海市人民政府办公厅")
        assert row["value"] not in (0, 0.0) and row["note"] == "总计栏空白，按各申请人列相加", question
        assert "※" in a.text and "总计栏空白" in a.text
        assert all(s["note"] == "" for s in a.series if s["agency"] != "上海市人民政府办公厅")


# ------------------------------------------------------------------------------ 4. audit answers


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    """上海市人民政府办公厅 2019 read by the real ingest from the bundled .docx (its blank 总计
    column fails 12 checks), and a report whose only failed check is a warning."""
    from ingest.model import CheckResult
    from ingest.pipeline import ingest_paths
    from store.db import open_db

    database = open_db(tmp_path_factory.mktemp("qa12s") / "sample.db")
    ingest_paths(database, [FIGURES.parent / "reports" / "shanghai-bangongting-2019.docx"])
    warning = CheckResult("narrative.new", "warning", False, "正文写收到申请 3 件，表格为 2 件", ["requests.new.total"], "source")
    chengguan = load_json(FIGURES / "liaocheng-chengguan-2019.json")
    save_report(database, report_from(chengguan, "chengguan-2019.txt", checks=[warning]))
    return database


def test_failed_checks_are_listed_in_full_errors_and_warnings_apart(sample_db):
    a = ask(sample_db, "哪些报告没通过校验", today=TODAY)
    assert (a.status, a.kind, a.value) == ("answer", "checks", 1), a.text  # the warning-only report did not fail
    shanghai = next(s for s in a.series if s["agency"] == "上海市人民政府办公厅")
    assert shanghai["errors"] == 12 and not shanghai["passed"]
    assert a.text.count("    - 错误：") == 12  # every failed check, none cut
    for check in shanghai["checks"]:
        assert check["message"].split("；涉及单元格：")[0] in a.text
    assert "1份报告只有校验警告（不算没通过）" in a.text and "    - 警告：正文写收到申请 3 件" in a.text
    head, warnings = a.text.split("只有校验警告", 1)
    assert "聊城市城市管理局" not in head and "警告：" not in head
    assert next(s for s in a.series if s["agency"] == "聊城市城市管理局")["passed"] is True


def test_where_a_named_report_does_not_add_up_is_that_report_only(db, sample_db):
    a = ask(sample_db, "上海市人民政府办公厅2019年哪里对不上", today=TODAY)
    assert {s["agency"] for s in a.series} == {"上海市人民政府办公厅"} and a.value == 1
    only_2019 = q(db, "聊城城管局2019年哪里对不上")
    assert (only_2019.kind, only_2019.value, only_2019.series) == ("checks", 0, []), only_2019.text
    only_2020 = q(db, "聊城城管局2020年哪里对不上")
    assert [(s["agency"], s["year"]) for s in only_2020.series] == [("聊城市城市管理局", 2020)]


def test_a_long_audit_answer_is_paged_in_telegram_not_cut(sample_db):
    from bot.telegram.render import paginate, render_answer

    text = render_answer(ask(sample_db, "哪些报告没通过校验", today=TODAY))
    pages = paginate(text, 10)
    assert len(pages) >= 2 and "\n".join(pages) == text


# ------------------------------------------------------------------------------ 5. comparisons and rates


def test_two_agencies_each_in_its_own_year(db):
    a = q(db, "聊城市人民政府2020年申请量和平潭2023年比哪个多")
    assert (a.status, a.kind) == ("answer", "compare"), a.text
    assert [(s["agency"], s["year"], s["value"]) for s in a.series] == [
        ("聊城市人民政府", 2020, 1054), ("平潭综合实验区", 2023, 81)]
    assert "聊城市人民政府（2020年）较多，比平潭综合实验区（2023年）多 973 件" in a.text
    shared = q(db, "2020年聊城城管局和淄博城管局收到申请对比")  # one year written once is both agencies'
    assert [(s["year"], s["value"]) for s in shared.series] == [(2020, 12), (2020, 2)]
    absent = q(db, "聊城市人民政府2020年申请量和平潭2019年比哪个多")
    assert absent.status == "no_data" and "没有平潭综合实验区2019年的报告" in absent.text


@pytest.mark.parametrize(
    ("question", "label", "value", "formula"),
    [
        ("聊城市人民政府2020年不予公开率", "不予公开率", 3.14, "33 / 1051"),
        ("聊城市人民政府2020年部分公开率是多少", "部分公开率", 7.99, "84 / 1051"),
        ("聊城市人民政府2020年无法提供率", "无法提供率", 25.59, "269 / 1051"),
        ("聊城市人民政府2020年不予处理率", "不予处理率", 0.86, "9 / 1051"),
    ],
)
def test_any_outcome_as_a_rate_of_the_total(db, question, label, value, formula):
    a = q(db, question)
    assert (a.status, a.kind, a.unit) == ("answer", "rate", "%"), a.text
    assert a.value == pytest.approx(value) and formula in a.formula and a.formula.startswith(label)
    assert "（七）总计" in a.formula


def test_an_amount_in_the_unit_asked(db):
    a = q(db, "聊城城管局2019年采购金额是多少亿元")
    assert (a.status, a.unit, a.value) == ("answer", "亿元", pytest.approx(4.8359899368)), a.text
    assert "4.8359899368 亿元（= 48359.899368 万元 ÷ 10000）" in a.text
    yuan = q(db, "聊城城管局2019年采购金额是多少元")
    assert (yuan.unit, yuan.value) == ("元", pytest.approx(483598993.68))
    assert q(db, "聊城城管局2019年采购金额是多少万元").value == pytest.approx(48359.899368)
    assert q(db, "聊城城管局2019年收到多少申请").unit == "件"  # counts are never converted


def test_why_received_and_handled_differ_is_explained_by_the_relation(db):
    a = q(db, "聊城市人民政府2020年为什么收到的比处理的多")
    assert (a.status, a.kind, a.value) == ("answer", "explain", 3), a.text
    assert "本年新收 + 上年结转 = 办理结果（七）总计 + 结转下年度" in a.text
    assert "1054 + 10 = 1051 + 13" in a.text and "13 − 10 = 3" in a.text
    assert {"requests.new.total", "requests.carried_over.total", "requests.handled_total.total",
            "requests.carried_forward.total"} <= set(a.cells)
    broken = q(db, "聊城城管局2020年为什么收到的比处理的多")  # the report itself does not balance
    assert "两边不相等（差 10 件）" in broken.text and any("校验未通过" in c for c in broken.caveats)


# ------------------------------------------------------------------------------ 6. clarify and suggestions


def test_a_single_clearly_meant_suggestion_is_answered_and_said(db):
    a = q(db, "上海市办公厅2019年收到多少申请")  # 办公厅 is the organ table's short form: no note needed
    assert (a.status, a.agency, a.value) == ("answer", "上海市人民政府办公厅", 859), a.text
    near = q(db, "上海市办公室2019年收到多少申请")  # another organ's word: taken, and said under the headline
    assert (near.status, near.agency, near.value) == ("answer", "上海市人民政府办公厅", 859), near.text
    assert near.text.splitlines()[1] == "（“办公室”按“人民政府办公厅”理解）"
    one = q(db, "上海市人民办公厅2019年收到多少申请")  # one uncertain reading: asked, not called "多个"
    assert one.status == "clarify" and one.candidates == ["上海市人民政府办公厅"], one.text
    assert one.text.startswith("问题里的单位没有完全对上，是指这个吗"), one.text
    typo = q(db, "聊城市大数剧局2019年收到多少申请")  # a typo read fuzzily says which agency it took
    assert (typo.agency, typo.value) == ("聊城市大数据局", 1) and typo.text.splitlines()[1] == "（“大数剧局”按“大数据局”理解）"


@pytest.mark.parametrize("question", ["济南市大数据局2019年收到多少申请",  # the one suggestion is in another city
                                      "上海市统计局2019年收到多少申请",  # in the city, but not the name written
                                      "聊城市统计局2020年收到多少申请"])  # several suggestions
def test_a_suggestion_not_clearly_meant_stays_a_question(db, question):
    a = q(db, question)
    assert (a.status, a.value) == ("not_found", None), a.text
    assert a.candidates and "相近的单位" in a.text


def test_an_agency_name_beyond_the_one_matched_is_not_answered_as_it(db):
    a = q(db, "平潭综合实验区经济发展局2023年收到多少申请")  # not the 实验区's government
    assert (a.status, a.value) == ("not_found", None) and "经济发展局" in a.text
    typo = q(db, "聊城市人民政府理公室2020年收到多少申请")  # 办公室 misspelt: not the 人民政府 itself
    assert (typo.status, typo.value) == ("not_found", None) and "理公室" in typo.text


def test_a_single_suggestion_is_picked_by_number_in_the_console(db):
    from bot.console import ChatSession

    chat = ChatSession(db, today=TODAY)
    first = chat.reply("济南市大数据局2019年收到多少申请")
    assert "没有找到济南市的大数据局" in first  # the close agency offered is in the place asked
    assert "1. 济南市城市管理局" in first and "输入序号选择" in first
    picked = chat.reply("1")
    assert picked == "没有济南市城市管理局2019年的年度报告。数据库中已有的年份：2021年。", picked
    assert chat.reply("2") != picked  # the choice was used once; "2" is a new question


def test_clarify_puts_agencies_with_the_year_first_and_names_those_without(db):
    a = q(db, "城管局2021年收到多少申请")
    assert a.status == "clarify"
    assert a.candidates[0] == "济南市城市管理局"  # the only one with a 2021 report
    assert set(a.candidates[1:]) == {"聊城市城市管理局", "淄博市城市管理局"}
    assert "其中没有2021年报告的：" in a.text and "淄博市城市管理局" in a.text.split("其中没有2021年报告的：")[1]
    every = q(db, "城管局2020年收到多少申请")
    assert every.candidates[-1] == "济南市城市管理局" and "其中没有2020年报告的：济南市城市管理局" in every.text


@pytest.mark.parametrize("question", ["城管局2021年收到多少申请", "北京市海淀区城市管理委员会2020年收到多少申请",
                                      "聊城市大数据局2023年收到多少申请", "淮安市人民政府2024年人员编制多少人"])
def test_no_data_not_found_and_clarify_are_never_an_overview(db, question):
    a = q(db, question)
    assert a.status in ("clarify", "not_found", "no_data") and a.kind != "overview"
    assert "年年度报告（" not in a.text and "校验结果" not in a.text  # the overview's lines


@pytest.mark.parametrize(
    ("question", "cells", "value"),
    [
        ("聊城市政府2020年的申请里有多少被拒绝了", "requests.denied_", 33),
        ("聊城市人民政府2020年有多少申请没有给公开", "requests.denied_", 33),
        ("聊城市人民政府2020年被告了几次", "appeals.suit_", 30),
        ("平潭2023年收了多少钱", "active.fees.amount", 5949.088667),
    ],
)
def test_chat_words_for_figures(db, question, cells, value):
    a = q(db, question)
    assert (a.status, a.value) == ("answer", pytest.approx(value)), a.text
    assert all(c.startswith(cells) for c in a.cells) and "没有看懂" not in a.text


def test_the_ignored_words_come_right_under_the_headline(db):
    lines = q(db, "聊城市人民政府2020年收到多少申请 blah").text.splitlines()
    assert lines[1] == "（问题中的“blah”没有看懂，已忽略。）" and lines[0].endswith("1054 件。")


def test_a_government_is_not_answered_as_its_general_office(db):
    """上海市政府 is a different body from 上海市人民政府办公厅: offered, never answered for it."""
    for question in ("上海市政府2019年收到多少申请", "上海市人民政府2019年收到多少申请"):
        a = q(db, question)
        assert (a.status, a.value, a.agency) == ("not_found", None, None), a.text
        assert a.candidates == ["上海市人民政府办公厅"] and "相近的单位：上海市人民政府办公厅" in a.text
