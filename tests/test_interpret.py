"""The interpreter on hand-written reports (three text layouts) and on grid rows shaped like
the HTML and PDF readers' output.  No dependence on ../shared."""

from __future__ import annotations

import pytest

from ingest.identity import detect_identity
from ingest.interpret import interpret
from ingest.model import Document, IngestError, SourceCell, SourceRow
from ingest.readers.text import read_text
from store.catalogue import keys_for
from store.identity.names import identify

# --- layout 1: space-separated, 2019 format ----------------------------------------------------

SPACES_2019 = """聊城市测试管理局

2019 年度政府信息公开工作报告

一、总体情况

2019 年，我局共收到 2 件申请，行政处罚 信息 12 条。

二、主动公开政府信息情况

第二十条第（一）项

信息内容

本年新制作数

量

规章 1 1 1

规范性文件 0 0 0

第二十条第（五）项

信息内容

上一年项目数

量

本年增/减 处理决定数量

行政许可 5 -1 4

其他对外管理服务

事项

0 0 0

第二十条第（六）项

行政处罚 90 减 90

行政强制 0 0 0

行政事业性收费 0 0

信息内容 采购项目数量 采购总金额

政府集中采购 56 48359.899368万元

三、收到和处理政府信息公开申请情况

申请人情况

自然人

法人或其他组织

总计

一、本年新收政府信息公开申请数量 2 2

二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1

三、本年度

办理结果

（一）予以公开 1 1

（二）部分公开（区分处理的，

只计这一情形，不计其他情形）

1 1

（三）不予公

开

1.属于国

家秘密

0 0

2.其他法律行政止公开 0 0

（四）无法提

供

1.本机关

不掌握相关

政府信息

2.没有现

成信息需要

另行制作

0 0

3.补正后

申请内容仍

不明确

1 0 1

（七）总计 2 2

四、结转下年度继续办理 1 1

四、政府信息公开行政复议、行政诉讼情况

行政复议 行政诉讼

结

果维持

总

计

0 0 0 0 0 1 0 0 0 1 0 0 0 0 0

五、存在的主要问题及改进情况

没有问题。
"""


@pytest.fixture(scope="module")
def spaces() -> object:
    return interpret(read_text(SPACES_2019.encode("gbk"), "spaces.txt"))


def test_identity_and_format(spaces) -> None:
    assert spaces.agency == "聊城市测试管理局"
    assert spaces.year == 2019
    assert spaces.region == "聊城市"
    assert spaces.format == "2019"
    assert spaces.table_formats == {"active": "2019", "requests": "2019", "appeals": "2019"}
    assert spaces.missing_tables == []
    assert spaces.source_kind == "text"
    assert "共收到 2 件申请" in spaces.narrative


def test_every_catalogue_cell_gets_a_reading(spaces) -> None:
    assert set(spaces.cells) == set(keys_for("2019"))


def test_active_rows_with_wrapped_labels(spaces) -> None:
    c = spaces.cells
    assert [c[f"active.rules.{k}"].value for k in ("new_made", "new_published", "total_published")] == [1, 1, 1]
    assert c["active.licensing.change"].value == -1
    assert c["active.other_services.decisions"].value == 0
    assert c["active.other_services.prev_items"].raw == "0"
    assert c["active.fees.change"].value == 0


def test_penalty_row_with_two_numbers_for_three_columns_is_flagged(spaces) -> None:
    for key in ("active.penalty.prev_items", "active.penalty.change", "active.penalty.decisions"):
        reading = spaces.cells[key]
        assert reading.flagged and reading.value is None
        assert "行政处罚 90 减90" in reading.raw
        assert "不符" in reading.reason


def test_amount_in_wan_yuan(spaces) -> None:
    amount = spaces.cells["active.procurement.amount"]
    assert amount.value == pytest.approx(48359.899368)
    assert amount.raw == "48359.899368万元"
    assert spaces.cells["active.procurement.items"].value == 56


def test_two_equal_numbers_fill_natural_and_total_only(spaces) -> None:
    c = spaces.cells
    assert c["requests.new.natural"].value == 2 and c["requests.new.total"].value == 2
    for col in ("commercial", "research", "social", "legal", "other_org"):
        assert c[f"requests.new.{col}"].value is None and not c[f"requests.new.{col}"].flagged


def test_seven_numbers_map_directly(spaces) -> None:
    c = spaces.cells
    assert c["requests.carried_over.natural"].value == 1
    assert c["requests.carried_over.commercial"].value == 0
    assert c["requests.carried_over.total"].value == 1


def test_broken_and_lossy_labels_still_map(spaces) -> None:
    c = spaces.cells
    assert c["requests.partial.total"].value == 1
    assert c["requests.denied_state_secret.natural"].value == 0
    assert c["requests.denied_law_forbidden.total"].value == 0  # "2.其他法律行政止公开"
    assert c["requests.unable_needs_creation.natural"].value == 0


def test_label_row_without_numbers_is_blank(spaces) -> None:
    reading = spaces.cells["requests.unable_not_held.natural"]
    assert reading.value is None and not reading.flagged


def test_three_numbers_for_seven_columns_are_flagged_not_guessed(spaces) -> None:
    for col in ("natural", "commercial", "total"):
        reading = spaces.cells[f"requests.unable_unclear.{col}"]
        assert reading.flagged and reading.value is None
        assert reading.raw.endswith("1 0 1")


def test_missing_rows_are_flagged_not_found(spaces) -> None:
    reading = spaces.cells["requests.rejected_duplicate.total"]
    assert reading.flagged and reading.reason == "未找到"


def test_appeals_row_after_wrapped_headers(spaces) -> None:
    c = spaces.cells
    assert c["appeals.suit_direct.upheld"].value == 1
    assert c["appeals.suit_direct.total"].value == 1
    assert c["appeals.review.total"].value == 0


def test_provenance_points_at_the_line(spaces) -> None:
    lines = SPACES_2019.split("\n")
    prov = spaces.cells["active.procurement.amount"].provenance
    assert prov["kind"] == "text"
    assert "48359.899368万元" in lines[prov["line"] - 1]


# --- layout 2: tab-separated, a hybrid 2021 report ---------------------------------------------

TABS_HYBRID = "\n".join(
    [
        "# 聊城市示例局 2022 年度 政府信息公开工作年度报告",
        "二、主动公开政府信息情况",
        "第二十条第（一）项\t\t\t",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t0\t0\t0",
        "行政规范性文件\t4\t1\t9",
        "信息内容\t本年处理决定数量\t\t",
        "行政许可\t12\t\t",
        "行政处罚\t3\t\t",
        "行政强制\t0\t\t",
        "信息内容\t本年收费金额（单位：万元）\t\t",
        "行政事业性收费\t1.5\t\t",
        "三、收到和处理政府信息公开申请情况",
        "\t自然人\t法人或其他组织\t\t\t\t\t总计",
        "一、本年新收政府信息公开申请数量\t\t3\t1\t0\t0\t0\t0\t4\t",
        "三、 本年 度办 理结 果\t(一) 予以公开\t2\t1\t0\t0\t0\t0\t3\t",
        "\t(四) 无法提供\t3. 补正后申请\t1\t\t\t\t\t\t1",
        "\t\t内容 仍不 明确\t\t\t\t\t\t\t",
        "\t(六) 其他处理\t\t0\t0\t0\t0\t0\t0\t0",
        "(七)总计\t\t2\t0\t0\t0\t0\t0\t0\t2",
        "四、结转下年度继续办理\t\t1\t1\t0\t0\t0\t0\t0\t2",
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议\t\t\t\t\t行政诉讼\t",
        "\t".join(["0"] * 4 + ["2"] + ["0"] * 10),
        "五、存在的主要问题及改进情况",
    ]
)


@pytest.fixture(scope="module")
def hybrid() -> object:
    return interpret(read_text(TABS_HYBRID.encode("utf-8-sig")))


def test_hybrid_formats_are_decided_per_table(hybrid) -> None:
    assert hybrid.agency == "聊城市示例局" and hybrid.year == 2022
    assert hybrid.format == "2021"
    assert hybrid.table_formats["active"] == "2021"
    assert hybrid.table_formats["requests"] == "2019"
    assert hybrid.cells["requests.other.total"].value == 0
    assert "requests.other_misc.total" not in hybrid.cells
    assert hybrid.cells["active.normative_docs.in_force"].value == 9
    assert hybrid.cells["active.licensing.decisions"].value == 12
    assert hybrid.cells["active.fees.amount"].value == 1.5


def test_grid_rows_keep_blank_cells_blank(hybrid) -> None:
    c = hybrid.cells
    assert c["requests.unable_unclear.natural"].value == 1
    assert c["requests.unable_unclear.commercial"].value is None
    assert c["requests.unable_unclear.total"].value == 1  # the label continuation did not erase it
    assert c["requests.new.commercial"].value == 1 and c["requests.new.total"].value == 4


def test_eight_numbers_for_seven_columns(hybrid) -> None:
    c = hybrid.cells
    assert c["requests.handled_total.natural"].value == 2
    assert c["requests.handled_total.total"].value == 2
    assert c["requests.handled_total.other_org"].value == 0
    # the middle columns differ: 1 1 0 0 0 0 — which one is surplus is unknown
    assert c["requests.carried_forward.natural"].flagged
    assert c["requests.carried_forward.total"].flagged


def test_tab_appeals(hybrid) -> None:
    assert hybrid.cells["appeals.review.total"].value == 2
    assert hybrid.cells["appeals.suit_after_review.total"].value == 0


# --- layout 3: one cell per line, amounts in 元 -------------------------------------------------


def _cells_block(*rows: list[str]) -> str:
    return "\n".join("\n".join("\t" + c for c in row) + "\n" for row in rows)


CELLS_2019 = (
    "淄博市示例局\n2020年政府信息公开工作年度报告\n\n二、主动公开政府信息情况\n"
    + _cells_block(
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政许可", "4", "+2", "6"],
        ["信息内容", "采购项目数量", "采购总金额"],
        ["政府集中采购", "6", "251000元"],
    )
    + "\n三、收到和处理政府信息公开申请情况\n"
    + _cells_block(
        ["", "自然人", "法人或其他组织", "总计"],
        ["一、本年新收政府信息公开申请数量", "2", "", "", "/", "", "", "2"],
        ["", "(三)不予公开", "1.属于国家秘密", "0", "", "", "", "", "", "见附件"],
        ["", "(六)其他处理", "", "", "", "", "", "", ""],
    )
    + "\n五、存在的主要问题及改进情况\n"
)


@pytest.fixture(scope="module")
def cells() -> object:
    return interpret(read_text(CELLS_2019.encode("gb18030")))


def test_cells_layout(cells) -> None:
    c = cells.cells
    assert cells.agency == "淄博市示例局" and cells.region == "淄博市"
    assert c["active.licensing.change"].value == 2
    assert c["active.procurement.amount"].value == pytest.approx(25.1)
    assert c["active.procurement.amount"].raw == "251000元"
    assert c["requests.new.natural"].value == 2
    assert c["requests.new.social"].value is None and c["requests.new.social"].raw == "/"
    assert c["requests.other.natural"].value is None and not c["requests.other.natural"].flagged
    assert cells.missing_tables == ["appeals"]
    assert c["appeals.review.total"].flagged and c["appeals.review.total"].reason == "未找到"


def test_non_numeric_cell_in_a_value_column_is_flagged(cells) -> None:
    reading = cells.cells["requests.denied_state_secret.total"]
    assert reading.flagged and reading.value is None


# --- grid rows as the HTML and PDF readers produce them ----------------------------------------

APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def grid(rows: list[list[str]], kind: str = "html", table: int = 1, page: int | None = None) -> list[SourceRow]:
    out = []
    for r, texts in enumerate(rows):
        prov = {"kind": kind, "table": table, "row": r}
        if page is not None:
            prov["page"] = page
        cells = [SourceCell(t, {**prov, "col": c}) for c, t in enumerate(texts)]
        out.append(SourceRow(cells=cells, grid=True, provenance=prov))
    return out


def test_html_rowspan_labels_map_by_their_core() -> None:
    head = "三、本年度办理结果"
    rows = grid(
        [
            ["(本列数据的勾稽关系)"] * 3 + ["申请人情况"] * 7,
            ["(本列数据的勾稽关系)"] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
            ["(本列数据的勾稽关系)"] * 3 + APPLICANTS,
            ["一、本年新收政府信息公开申请数量"] * 3 + ["5", "1", "0", "0", "0", "0", "6"],
            [head, "（三）不予公开", "1.属于国家秘密", "1", "", "", "", "", "", "1"],
            [head, "（三）不予公开", "2.其他法律行政法规禁止公开", "0", "0", "0", "0", "0", "0", "0"],
            [head, "（七）总计", "（七）总计", "5", "1", "0", "0", "0", "0", "6"],
        ]
    )
    doc = Document(kind="html", text="正文", rows=rows, title="上海市示例办公厅2019年政府信息公开工作年度报告_网站")
    report = interpret(doc)
    c = report.cells
    assert report.agency == "上海市示例办公厅" and report.region == "上海市" and report.year == 2019
    assert c["requests.new.total"].value == 6
    assert c["requests.denied_state_secret.natural"].value == 1
    assert c["requests.denied_state_secret.commercial"].value is None
    assert c["requests.denied_state_secret.total"].provenance == {"kind": "html", "table": 1, "row": 4, "col": 9}
    assert c["requests.handled_total.commercial"].value == 1
    assert report.missing_tables == ["active", "appeals"]


def test_html_merged_header_groups_value_columns() -> None:
    rows = grid(
        [
            ["信息内容", "本年新制作数量", "本年新公开数量", "本年新公开数量", "对外公开总数量"],
            ["规章", "13", "13", "", "524"],
            ["信息内容", "采购项目数量", "采购项目数量", "采购总金额", "采购总金额"],
            ["政府集中采购", "6", "", "251000元", ""],
            ["信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"],
        ],
        table=0,
    )
    report = interpret(Document(kind="html", text="某某市某局2019年政府信息公开工作年度报告", rows=rows))
    c = report.cells
    assert [c[f"active.rules.{k}"].value for k in ("new_made", "new_published", "total_published")] == [13, 13, 524]
    assert c["active.procurement.amount"].value == pytest.approx(25.1)


def test_pdf_split_table_with_repeated_header_and_continuation_row() -> None:
    header = [
        ["(本列数据的勾稽关系)", "", "", "申请人情况", "", "", "", "", "", ""],
        ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
        ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
    ]
    page1 = grid(
        header
        + [
            ["一、本年新收政府信息公开申请数量", "", "", "9", "0", "0", "0", "0", "0", "9"],
            ["三、本年度办理结果", "(五)不予处理", "1.信访举报投诉类申请", "1", "0", "0", "0", "0", "0", "1"],
            ["", "", "5.要求行政机关确认或重新出具", "", "", "", "", "", "", ""],
        ],
        kind="pdf",
        table=0,
        page=1,
    )
    page2 = grid(
        header
        + [
            ["", "", "", "3", "0", "0", "0", "0", "0", "3"],  # the rest of the row cut by the page break
            ["", "(六)其他处理", "1.申请人无正当理由逾期不补正、", "", "", "", "", "", "", ""],
        ],
        kind="pdf",
        table=0,
        page=2,
    )
    page3 = grid(
        header
        + [
            ["", "", "行政机关不再处理其政府信息公开申请", "2", "0", "0", "0", "0", "0", "2"],
            ["", "", "2.申请人逾期未按收费通知要求缴纳费用", "0", "0", "0", "0", "0", "0", "0"],
            ["", "", "3.其他", "1", "0", "0", "0", "0", "0", "1"],
            ["", "(七)总计", "", "9", "0", "0", "0", "0", "0", "9"],
        ],
        kind="pdf",
        table=0,
        page=3,
    )
    doc = Document(kind="pdf", text="平潭综合实验区2023年度政府信息公开工作年度报告\n……", rows=page1 + page2 + page3)
    report = interpret(doc)
    c = report.cells
    assert report.table_formats["requests"] == "2021"
    assert report.region == "福州市"  # the zone lies in 福州; its agencies are named by the zone
    assert c["requests.new.natural"].value == 9
    assert c["requests.rejected_complaint.total"].value == 1
    assert c["requests.other_no_correction.natural"].value == 2
    assert c["requests.other_no_correction.total"].provenance["page"] == 3
    assert c["requests.rejected_confirm.natural"].value == 3
    assert c["requests.rejected_confirm.total"].provenance["page"] == 2
    assert c["requests.other_no_fee.total"].value == 0
    assert c["requests.other_misc.total"].value == 1  # "3.其他" under （六）
    assert c["requests.handled_total.total"].value == 9
    assert not any(r.flagged for k, r in c.items() if k.startswith("requests.new"))


def test_merged_value_cells_repeated_by_the_reader() -> None:
    rows = grid(
        [
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["行政许可", "2629", "2629", "2629"],
            ["行政处罚", "7", "", ""],
        ],
        table=0,
    )
    report = interpret(Document(kind="html", text="某某县某局2023年政府信息公开工作年度报告", rows=rows))
    assert report.format == "2021"
    assert report.cells["active.licensing.decisions"].value == 2629
    assert report.cells["active.penalty.decisions"].value == 7


# --- identity -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "agency", "year", "region"),
    [
        ("", "聊城市城市管理局\n2019 年度政府信息公开工作报告\n", "聊城市城市管理局", 2019, "聊城市"),
        ("上海市人民政府办公厅2019年政府信息公开工作年度报告", "", "上海市人民政府办公厅", 2019, "上海市"),
        ("平潭综合实验区2023年度政府信息公开工作年度报告_政府信息公开年报", "", "平潭综合实验区", 2023, "福州市"),
        ("", "# 聊城市大数据局 2019 年度 政府信息公开工作年度报告", "聊城市大数据局", 2019, "聊城市"),
        ("", "2021年度杭州市市场监督管理局政府信息公开工作年度报告", "杭州市市场监督管理局", 2021, "杭州市"),
    ],
)
def test_identity(title: str, text: str, agency: str, year: int, region: str) -> None:
    found = detect_identity(title, text)
    assert (found.agency, found.year) == (agency, year)
    assert identify(found.agency, text).region == region


def test_region_does_not_cut_words() -> None:
    assert identify("市场监督管理局").region == ""
    assert identify("山东省聊城市人民政府").region == "聊城市"
    assert identify("山东省人民政府").region == "山东省"
    assert identify("杭州市市场监督管理局").canonical == "杭州市市场监督管理局"


def test_no_title_is_a_clear_error() -> None:
    with pytest.raises(IngestError, match="发布机关"):
        interpret(Document(kind="text", text="一些无关的文字\n没有标题", rows=[]))


def test_appeals_numbers_wrapped_over_two_lines() -> None:
    text = (
        "某某市某局2020年政府信息公开工作年度报告\n四、政府信息公开行政复议、行政诉讼情况\n"
        "行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
        "1 0 0 0 1 0 0 0 0\n0 0 0 2 0 2\n五、存在的主要问题及改进情况\n"
    )
    report = interpret(read_text(text.encode()))
    assert report.cells["appeals.review.total"].value == 1
    assert report.cells["appeals.suit_after_review.other"].value == 2
    assert report.cells["appeals.suit_after_review.total"].value == 2
    assert report.cells["appeals.suit_after_review.total"].provenance["line"] == 6


# --- rows cut by a page break with the label wrapped past it (LibreOffice/Word PDFs) ------------


def _cut_rows(before: list[list[str]], after: list[list[str]]) -> Document:
    header = [
        ["(本列数据的勾稽关系)", "", "", "申请人情况", "", "", "", "", "", ""],
        ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
        ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
    ]
    rows = grid(header + before, kind="pdf", table=0, page=1) + grid(after, kind="pdf", table=0, page=2)
    return Document(kind="pdf", text="聊城市示例局2020年政府信息公开工作年度报告", rows=rows)


def test_numbers_before_the_break_and_the_label_end_after_it_are_one_row() -> None:
    head = "三、本年度办理结果"
    doc = _cut_rows(
        [
            [head, "（四）无法提供", "1.本机关不掌握相关政府信息", "233", "3", "3", "1", "21", "2", "263"],
            [head, "（四）无法提供", "2.没", "6", "0", "0", "0", "0", "0", "6"],
        ],
        [
            ["", "", "有现成信息需要另行制作", "", "", "", "", "", "", ""],
            ["", "", "3.补正后申请内容仍不明确", "0", "0", "0", "0", "0", "0", "0"],
        ],
    )
    c = interpret(doc).cells
    assert c["requests.unable_needs_creation.natural"].value == 6
    assert c["requests.unable_needs_creation.total"].value == 6
    assert not c["requests.unable_needs_creation.total"].flagged
    assert c["requests.unable_needs_creation.total"].provenance["page"] == 1  # where the number is printed
    assert c["requests.unable_unclear.total"].value == 0


def test_a_cut_2021_sub_row_whose_group_label_repeats_after_the_break() -> None:
    doc = _cut_rows(
        [["三、本年度办理结果", "（六）", "1.申请人无正当理由逾期不补", "1", "0", "0", "0", "0", "0", "1"]],
        [
            ["", "其他处理", "正、行政机关不再处理其政府信息公开申请", "", "", "", "", "", "", ""],
            ["", "其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
             "0", "0", "0", "0", "0", "0", "0"],
            ["", "其他处理", "3.其他", "2", "0", "0", "0", "0", "0", "2"],
        ],
    )
    report = interpret(doc)
    c = report.cells
    assert report.table_formats["requests"] == "2021"
    assert c["requests.other_no_correction.total"].value == 1 and not c["requests.other_no_correction.total"].flagged
    assert c["requests.other_misc.total"].value == 2


def test_an_enumerated_blank_row_is_not_glued_to_stray_numbers_before_it() -> None:
    head = "三、本年度办理结果"
    doc = _cut_rows(
        [[head, "（四）无法提供", "2.没", "6", "0", "0", "0", "0", "0", "6"]],
        [["", "", "3.补正后申请内容仍不明确", "", "", "", "", "", "", ""]],
    )
    c = interpret(doc).cells
    assert c["requests.unable_unclear.total"].value is None  # its own (blank) reading, not the 6
    assert c["requests.unable_needs_creation.total"].flagged  # the 6 could not be placed: never guessed


def test_unfittable_continuation_numbers_flag_the_blank_row_above() -> None:
    head = "三、本年度办理结果"
    doc = _cut_rows(
        [[head, "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "", "", "", "", "", "", ""]],
        [["", "", "", "3", "3"]],  # two numbers for seven columns under an empty label
    )
    cell = interpret(doc).cells["requests.rejected_confirm.total"]
    assert cell.flagged and cell.value is None and cell.reason  # not stored as a silent blank


# --- page-break cuts found by tests/test_layout_variants.py -------------------------------------

_HEAD = "三、本年度办理结果"
_ZEROS = ["0"] * 7


def test_continuation_under_a_repeated_group_label_completes_the_blank_row_above() -> None:
    doc = _cut_rows(
        [[_HEAD, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", *[""] * 7]],
        [[_HEAD, "（六）其他处理", "", "1", "0", "0", "0", "0", "0", "1"],
         [_HEAD, "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用", *_ZEROS],
         [_HEAD, "（六）其他处理", "3.其他", *_ZEROS]],
    )
    cell = interpret(doc).cells["requests.other_no_correction.total"]
    assert cell.value == 1 and not cell.flagged  # not read as the 2019 single （六） row


def test_a_label_cut_mid_word_with_its_numbers_after_the_break() -> None:
    doc = _cut_rows(
        [[_HEAD, "（三）不予公开", "4.保护第三方合法权益", *[""] * 7],
         [_HEAD, "（三）不予公开", "5.属于三类内", *[""] * 7]],
        [["", "", "部事务信息", "5", "", "", "", "", "", "5"]],
    )
    c = interpret(doc).cells
    assert c["requests.denied_third_party.natural"].value is None  # not glued to the blank row above
    assert c["requests.denied_internal.natural"].value == 5


def test_an_enumerator_digit_left_before_the_break_is_part_of_the_label() -> None:
    doc = _cut_rows(
        [[_HEAD, "（三）不予公开", "1", "0", "", "", "", "", "", "0"]],
        [["", "", ".属于国家秘密", *[""] * 7]],
    )
    c = interpret(doc).cells
    assert c["requests.denied_state_secret.natural"].value == 0
    assert c["requests.denied_state_secret.total"].value == 0


def test_a_cut_enumerator_is_a_new_item_and_a_header_between_halves_does_not_lose_the_numbers() -> None:
    header = ["(本列数据的勾稽关系)", "", "", "申请人情况", "", "", "", "", "", ""]
    doc = _cut_rows(
        [[_HEAD, "（六）其他处理", "（六）其他处理", *[""] * 7],
         [_HEAD, "（七", "（七", "3", "0", "0", "0", "0", "0", "3"]],
        [header, ["", "）总计", "）总计", *[""] * 7]],
    )
    c = interpret(doc).cells
    assert c["requests.other.natural"].value is None
    assert c["requests.handled_total.natural"].value == 3


def test_group_label_cut_as_other_is_still_the_2019_row() -> None:
    doc = _cut_rows([[_HEAD, "（六）其他", "（六）其他", "2", "0", "0", "0", "0", "0", "2"]],
                    [["", "处理", "处理", *[""] * 7]])
    report = interpret(doc)
    assert report.table_formats["requests"] == "2019"
    assert report.cells["requests.other.total"].value == 2


# --- a header that says 元 where the amounts read as 万元 -----------------------------------------


def _yuan_header_report(amount: str) -> str:
    return CELLS_2019.replace(
        _cells_block(["信息内容", "采购项目数量", "采购总金额"], ["政府集中采购", "6", "251000元"]),
        _cells_block(["信息内容", "采购项目数量", "采购总金额（元）"], ["政府集中采购", "6", amount]),
    )


@pytest.mark.parametrize(
    ("amount", "value", "why"),
    [
        ("251000", 25.1, None),  # a believable 元 amount is converted
        ("59490886.67", 5949.088667, None),  # 分 are fine
        ("5949.088667", None, "6 位小数"),  # 元 never have six decimals: the header lost its 万
        ("17", None, "不足 100 元"),  # six procurements for 17 元
    ],
)
def test_amounts_under_a_yuan_header(amount: str, value: float | None, why: str | None) -> None:
    text = _yuan_header_report(amount)
    assert "采购总金额（元）" in text
    cell = interpret(read_text(text.encode("utf-8"))).cells["active.procurement.amount"]
    assert cell.raw == amount
    if why is None:
        assert not cell.flagged and cell.value == pytest.approx(value)
    else:
        assert cell.flagged and cell.value is None and why in cell.reason and "万元" in cell.reason
