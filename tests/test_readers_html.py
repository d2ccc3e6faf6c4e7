"""HTML reader: spans expanded into a full grid, encodings, blanks, <br>, scripts ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.model import IngestError
from ingest.readers import read_document
from ingest.readers.html import read_html
from ingest.render import render_html
from tests.conftest import ROOT

PAGE = """<html><head><meta charset="{charset}"><title>站点标题_门户</title>
<meta name="ArticleTitle" content="某某市统计局2021年政府信息公开工作年度报告"/>
<script>document.write('<table><tr><td>99</td></tr></table>')</script>
<style>td {{ color: red }}</style></head>
<body><table width="100%"><tr><td>
<p>某某市统计局2021年政府信息公开工作年度报告</p>
<p>本年度共收到申请<span>2</span>件。</p>
<table border="1">
<tr><td rowspan="2" colspan="2">项目</td><td colspan="2">法人或其他组织</td><td>&nbsp;</td></tr>
<tr><td><p><span>商业</span></p><p><span>企业</span></p></td><td>科研<br/>机构</td><td></td></tr>
<tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td><td>1<span>2</span></td><td>&nbsp;</td><td></td></tr>
<tr><td>2.其他法律行政法规禁止公开</td><td colspan="2">7</td><td></td></tr>
</table>
</td></tr></table></body></html>"""


def _read(charset: str = "utf-8", encoding: str | None = None) -> object:
    return read_html(PAGE.format(charset=charset).encode(encoding or charset), "t.html")


def test_grid_expands_spans_labels_repeat_values_once() -> None:
    doc = _read()
    assert [r.texts for r in doc.rows] == [
        ["项目", "项目", "法人或其他组织", "法人或其他组织", ""],
        ["项目", "项目", "商业企业", "科研机构", ""],
        ["（三）不予公开", "1.属于国家秘密", "12", "", ""],
        ["（三）不予公开", "2.其他法律行政法规禁止公开", "7", "", ""],
    ]
    assert all(r.grid for r in doc.rows)


def test_provenance_per_cell() -> None:
    doc = _read()
    cell = doc.rows[3].cells[2]
    assert cell.provenance == {"kind": "html", "table": 0, "row": 3, "col": 2}
    assert doc.rows[3].provenance == {"kind": "html", "table": 0, "row": 3}


def test_title_text_and_scripts() -> None:
    doc = _read()
    assert doc.title == "某某市统计局2021年政府信息公开工作年度报告"
    assert "本年度共收到申请2件。" in doc.text
    assert "99" not in doc.text and "color" not in doc.text
    assert all("99" not in r.texts for r in doc.rows)  # the table written by the script is not read


@pytest.mark.parametrize(("charset", "encoding"), [("gbk", "gbk"), ("gb2312", "gb2312"), ("utf-8", "gbk")])
def test_encodings(charset: str, encoding: str) -> None:
    """Declared GBK/GB2312, and a page that declares UTF-8 but is really GBK."""
    doc = _read(charset, encoding)
    assert doc.rows[2].texts[:3] == ["（三）不予公开", "1.属于国家秘密", "12"]
    assert doc.title.startswith("某某市统计局")


def test_extra_empty_column_and_generated_gbk(tmp_path: Path) -> None:
    figures = json.loads((ROOT / "bot/samples/figures/pingtan-2023.json").read_text(encoding="utf-8"))
    path = render_html(figures, tmp_path / "p.html", encoding="gbk", extra_empty_column=True)
    doc = read_document(path.read_bytes(), "p.html")
    requests = [r for r in doc.rows if r.provenance["table"] == 1]
    assert {len(r.cells) for r in requests} == {11}  # 10 columns + the CMS's empty one
    row = next(r for r in requests if r.texts[2] == "8.属于行政查询事项")
    assert row.texts == ["三、本年度办理结果", "（三）不予公开", "8.属于行政查询事项", "2", "0", "0", "0", "0", "0", "2", ""]


def test_hostile_span_refused() -> None:
    page = "<html><body><table><tr><td rowspan='100000'>x</td></tr></table></body></html>"
    with pytest.raises(IngestError):
        read_html(page.encode(), "x.html")
