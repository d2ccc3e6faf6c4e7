"""The text reader: encodings and the three layouts, with line provenance on every cell."""

from __future__ import annotations

import pytest

from ingest.model import IngestError
from ingest.readers.text import decode, detect_layout, read_text

SPACES = """聊城市测试局
2019 年度政府信息公开工作报告

二、主动公开政府信息情况

其他对外管理服务

事项

0 1 2

行政处罚 90 减 90

（四）无法提

供

1.本机关

不掌握相关

政府信息

2.没有现

成信息需要

另行制作

3 3
"""


def rows_of(text: str, encoding: str = "utf-8"):
    return read_text(text.encode(encoding)).rows


def test_decodes_utf8_bom_and_gbk() -> None:
    assert decode("\ufeff规章".encode()) == "规章"
    assert decode("行政许可 0".encode("gbk")) == "行政许可 0"
    assert decode("㐀 扩展".encode("gb18030")) == "㐀 扩展"


def test_undecodable_bytes_raise_a_chinese_error() -> None:
    with pytest.raises(IngestError, match="编码"):
        decode(b"\xff\xfe\xfa\x80\x81\xff" * 3)


def test_text_is_nfkc_normalised() -> None:
    doc = read_text("⼀、总体情况 １２３".encode())
    assert doc.text.startswith("一、总体情况 123")
    assert doc.kind == "text"


def test_space_layout_joins_wrapped_labels_and_keeps_numbers_last() -> None:
    rows = rows_of(SPACES)
    texts = [r.texts for r in rows]
    assert ["其他对外管理服务", "事项", "0", "1", "2"] in texts
    assert ["行政处罚", "90", "减90"] in texts
    assert all(not r.grid for r in rows)


def test_space_layout_emits_a_label_row_without_numbers_on_its_own() -> None:
    texts = [r.texts for r in rows_of(SPACES)]
    assert ["1.本机关", "不掌握相关", "政府信息"] in texts
    assert ["2.没有现", "成信息需要", "另行制作", "3", "3"] in texts
    assert ["(四)无法提", "供"] in texts


def test_space_layout_provenance_is_the_line_of_each_token() -> None:
    row = next(r for r in rows_of(SPACES) if r.texts[0] == "其他对外管理服务")
    assert [c.provenance["line"] for c in row.cells] == [6, 8, 10, 10, 10]
    assert row.cells[0].provenance["kind"] == "text"


TABS = (
    "标题\n三、收到和处理政府信息公开申请情况\n"
    "\t自然人\t法人或其他组织\t\t\t\t\t总计\n"
    "一、本年新收政府信息公开申请数量\t\t3\t0\t0\t0\t0\t0\t3\t\n"
    "\t3. 补正后申请\t0\t\t0\t0\t0\t0\t0\n"
    "\t内容 仍不 明确\t\t\t\t\t\t\t\n"
    "说明文字 共 5 件\n"
)


def test_tab_layout_keeps_every_cell_position() -> None:
    assert detect_layout(TABS.split("\n")) == "tabs"
    rows = rows_of(TABS)
    new = next(r for r in rows if r.texts and r.texts[0].startswith("一、"))
    assert new.grid
    assert new.texts == ["一、本年新收政府信息公开申请数量", "", "3", "0", "0", "0", "0", "0", "3", ""]
    assert new.provenance == {"kind": "text", "line": 4}
    unclear = next(r for r in rows if "3. 补正后申请" in r.texts)
    assert unclear.texts[3] == ""  # a blank stays in its column
    assert any(r.texts[1] == "内容 仍不 明确" for r in rows if r.grid)


def test_tab_layout_lines_without_tabs_are_plain_rows() -> None:
    rows = rows_of(TABS)
    plain = [r for r in rows if not r.grid]
    assert ["标题"] in [r.texts for r in plain]
    assert ["三、收到和处理政府信息公开申请情况"] in [r.texts for r in plain]


CELLS = "淄博市测试局\n2020年政府信息公开工作年度报告\n\n二、主动公开政府信息情况\n" + "\n".join(
    [
        "\t信息内容",
        "\t本年新",
        "公开数量",
        "\t对外公开总数量",
        "",
        "\t规章",
        "\t1",
        "\t",
        "\t3",
        "",
    ]
    + ["\t一、本年新收政府信息公开申请数量", "\t2"] + ["\t"] * 5 + ["\t2", ""]
    + ["\t第二十条", ""] * 6
) + "\n五、存在的主要问题\n"


def test_cell_per_line_layout() -> None:
    assert detect_layout(CELLS.split("\n")) == "cells"
    rows = rows_of(CELLS)
    grid = [r for r in rows if r.grid]
    assert grid[0].texts == ["信息内容", "本年新公开数量", "对外公开总数量"]
    assert grid[1].texts == ["规章", "1", "", "3"]
    assert grid[2].texts == ["一、本年新收政府信息公开申请数量", "2", "", "", "", "", "", "2"]
    assert grid[1].cells[3].provenance == {"kind": "text", "line": 13}
    headings = [r.texts for r in rows if not r.grid]
    assert ["二、主动公开政府信息情况"] in headings and ["五、存在的主要问题"] in headings
