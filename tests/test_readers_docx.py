"""DOCX reader: the grid comes from w:tc (gridSpan, vMerge), so merged values are not duplicated."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document as new_docx

from ingest.model import IngestError
from ingest.readers import read_document


def _make(path: Path) -> bytes:
    doc = new_docx()
    doc.core_properties.title = "某某县民政局2020年政府信息公开工作年度报告"
    doc.add_paragraph("某某县民政局2020年政府信息公开工作年度报告")
    doc.add_paragraph("本年度共收到申请 3 件。")
    table = doc.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(1, 1)).text = "项目"  # 2×2 label
    table.cell(0, 2).merge(table.cell(0, 3)).text = "法人或其他组织"  # colspan label
    table.cell(1, 2).text = "商业\n企业"  # a line break inside a header
    table.cell(1, 3).text = "科研机构"
    table.cell(2, 0).merge(table.cell(3, 0)).text = "（三）不予公开"  # rowspan label
    table.cell(2, 1).text = "1.属于国家秘密"
    table.cell(2, 2).merge(table.cell(2, 3)).text = "5"  # colspan value: once
    table.cell(3, 1).text = "2.其他法律行政法规禁止公开"
    table.cell(3, 2).text = ""
    table.cell(3, 3).text = "0"
    doc.add_paragraph("二、结尾")
    doc.save(str(path))
    return path.read_bytes()


def test_grid_from_xml(tmp_path: Path) -> None:
    doc = read_document(_make(tmp_path / "t.docx"), "t.docx")
    assert doc.kind == "docx"
    assert [r.texts for r in doc.rows] == [
        ["项目", "项目", "法人或其他组织", "法人或其他组织"],
        ["项目", "项目", "商业企业", "科研机构"],
        ["（三）不予公开", "1.属于国家秘密", "5", ""],
        ["（三）不予公开", "2.其他法律行政法规禁止公开", "", "0"],
    ]


def test_vertical_value_merge_appears_once(tmp_path: Path) -> None:
    doc = new_docx()
    table = doc.add_table(rows=3, cols=2)
    for r, label in enumerate(("一", "二", "三")):
        table.cell(r, 0).text = f"{label}、行"
    table.cell(0, 1).merge(table.cell(2, 1)).text = "42"
    doc.save(str(tmp_path / "v.docx"))
    rows = read_document((tmp_path / "v.docx").read_bytes()).rows
    assert [r.texts for r in rows] == [["一、行", "42"], ["二、行", ""], ["三、行", ""]]


def test_provenance_title_and_text(tmp_path: Path) -> None:
    doc = read_document(_make(tmp_path / "t.docx"), "t.docx")
    assert doc.rows[2].cells[2].provenance == {"kind": "docx", "table": 0, "row": 2, "col": 2}
    assert doc.title == "某某县民政局2020年政府信息公开工作年度报告"
    lines = doc.text.splitlines()
    assert lines[0] == doc.title
    assert lines.index("本年度共收到申请 3 件。") < lines.index("二、结尾")  # body order kept


def test_truncated_docx(tmp_path: Path) -> None:
    data = _make(tmp_path / "t.docx")
    with pytest.raises(IngestError) as info:
        read_document(data[: len(data) // 2], "t.docx")
    assert "\n" not in str(info.value) and "docx" in str(info.value)


def test_corrupt_document_xml(tmp_path: Path) -> None:
    """A complete zip whose document.xml is broken XML."""
    data = _make(tmp_path / "t.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info, body[: len(body) // 2] if info.filename == "word/document.xml" else body)
    with pytest.raises(IngestError) as info:
        read_document(out.getvalue(), "t.docx")
    assert "Word" in str(info.value)


def test_table_inside_content_control(tmp_path: Path) -> None:
    """Templates wrap tables in block content controls (w:sdt); they are still read."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    doc = new_docx()
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "规章", "3"
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtContent/></w:sdt>")
    table._tbl.addprevious(sdt)
    sdt[0].append(table._tbl)
    doc.save(str(tmp_path / "s.docx"))
    rows = read_document((tmp_path / "s.docx").read_bytes()).rows
    assert [r.texts for r in rows] == [["规章", "3"]]
