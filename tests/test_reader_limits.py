"""Every limit of :mod:`ingest.limits`, proved on a tiny input just over a lowered limit.

The readers read the limits at call time, so ``monkeypatch`` makes a ten-cell table "too big"
and each refusal runs in milliseconds; the jailed full-size hostile files are in
``tests/test_hostile_inputs.py``.  Each test also shows the same input passes at the limit,
so a limit cannot refuse everything and still pass.
"""

from __future__ import annotations

import base64
import io
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from typing import TypeVar

import pytest
from docx import Document as new_docx
from docx.oxml import parse_xml
from lxml import etree

from ingest import limits
from ingest.detect import detect_kind
from ingest.model import IngestError
from ingest.readers import SpanCell, expand_grid
from ingest.readers.archive import read_capped
from ingest.readers.docx import read_docx, table_grid
from ingest.readers.html import read_html
from ingest.readers.pdf import read_pdf
from ingest.readers.text import read_text
from tests.hostile import false_header_bomb_docx

T = TypeVar("T")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _refused(exc: pytest.ExceptionInfo[IngestError], *words: str) -> None:
    message = str(exc.value)
    assert message.startswith("文件超出合理范围：") and " / file exceeds limits: " in message
    assert "\n" not in message and len(message) <= 300
    assert all(w in message for w in words), message


def _holds_exactly_at(monkeypatch: pytest.MonkeyPatch, limit: str, value: int | float,
                      read: Callable[[], T], *words: str) -> T:
    """``read()`` succeeds with ``limits.<limit>`` at ``value`` and is refused one below it, in
    one line naming ``words``; returns what it read at the limit, for the caller's checks."""
    monkeypatch.setattr(limits, limit, value)
    result = read()
    monkeypatch.setattr(limits, limit, value - 1)
    with pytest.raises(IngestError) as exc:
        read()
    _refused(exc, *words)
    return result


def _docx(tables: int = 1, rows: int = 3, cols: int = 3) -> bytes:
    doc = new_docx()
    doc.add_paragraph("某某县民政局2020年政府信息公开工作年度报告")
    for _ in range(tables):
        table = doc.add_table(rows=rows, cols=cols)
        for r in range(rows):
            for c in range(cols):
                table.cell(r, c).text = "项目" if c == 0 else str(r + c)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _part(data: bytes, name: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.getinfo(name)


# --- zip containers ---------------------------------------------------------------------------


def test_zip_with_too_many_entries_is_refused_before_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _docx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = len(archive.infolist())
    got = _holds_exactly_at(monkeypatch, "MAX_ZIP_ENTRIES", entries, lambda: detect_kind(data), f"{entries} 个部件", "zip entries")
    assert got == "docx"
    with pytest.raises(IngestError):
        read_docx(data)


def test_docx_part_inflating_beyond_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _docx()
    biggest = max(p.file_size for p in zipfile.ZipFile(io.BytesIO(data)).infolist())
    got = _holds_exactly_at(monkeypatch, "MAX_ZIP_PART_BYTES", biggest, lambda: read_docx(data), "解压后", "uncompressed part")
    assert got.rows


def test_docx_parts_inflating_beyond_the_total_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _docx()
    total = sum(p.file_size for p in zipfile.ZipFile(io.BytesIO(data)).infolist())
    got = _holds_exactly_at(monkeypatch, "MAX_ZIP_TOTAL_BYTES", total, lambda: read_docx(data), "解压后共", "uncompressed in all")
    assert got.rows


def test_docx_part_compressed_beyond_reason_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _docx()
    parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    ratio = max(p.file_size / p.compress_size for p in parts)  # styles.xml: about 30
    monkeypatch.setattr(limits, "RATIO_MIN_BYTES", 1)
    monkeypatch.setattr(limits, "MAX_COMPRESSION_RATIO", ratio)
    assert read_docx(data).rows
    monkeypatch.setattr(limits, "MAX_COMPRESSION_RATIO", ratio * 0.99)
    with pytest.raises(IngestError) as exc:
        read_docx(data)
    _refused(exc, "压缩比", "zip bomb")
    monkeypatch.setattr(limits, "RATIO_MIN_BYTES", max(p.file_size for p in parts) + 1)  # small parts compress freely
    assert read_docx(data).rows


def test_part_is_read_one_byte_past_its_cap_and_no_further() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.xml", b"0" * (8 << 20))
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        part = archive.getinfo("big.xml")
        assert len(read_capped(archive, part, 1000)) == 1001
        assert len(read_capped(archive, part, 8 << 20)) == 8 << 20


def test_part_longer_than_its_header_says_is_corrupt_and_never_inflated_whole(tmp_path) -> None:
    """The header claims 4 KB; the part inflates to 64 MB.  Reading stops at the claimed size
    (a CRC error), so the refusal costs kilobytes, not the 64 MB."""
    data = false_header_bomb_docx(tmp_path / "lie.docx", inflated=64 << 20).read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(IngestError) as exc:
            read_docx(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(exc.value).startswith("Word 文件损坏或不完整")
    assert peak < 8 << 20, f"{peak / 2**20:.1f} MB"


def test_docx_with_too_many_xml_elements_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _docx()
    monkeypatch.setattr(limits, "MAX_XML_ELEMENTS", 100)
    with pytest.raises(IngestError) as exc:
        read_docx(data)
    _refused(exc, "XML 元素", "XML elements")


def test_docx_declaring_too_many_cells_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _docx(rows=3, cols=4)  # 12 w:tc
    got = _holds_exactly_at(monkeypatch, "MAX_DOCUMENT_CELLS", 12, lambda: read_docx(data), "Word 表格超过 11 个单元格", "table cells")
    assert len(got.rows) == 3


def _tbl(*rows: str) -> etree._Element:
    return parse_xml(f'<w:tbl xmlns:w="{W_NS}">{"".join(rows)}</w:tbl>')


def _tc(text: str, span: int = 1) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
    return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_docx_table_whose_spans_expand_beyond_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    table = _tbl(f"<w:tr>{_tc('项目', 50)}{_tc('1')}</w:tr>", f"<w:tr>{_tc('项目', 50)}{_tc('2')}</w:tr>")
    got = _holds_exactly_at(monkeypatch, "MAX_TABLE_CELLS", 102, lambda: table_grid(table), "101 个单元格", "cells once merged cells are expanded")
    assert [len(r) for r in got] == [51, 51]


def test_docx_grid_before_is_clamped() -> None:
    table = _tbl(f'<w:tr><w:trPr><w:gridBefore w:val="100000000"/></w:trPr>{_tc("1")}</w:tr>')
    assert len(table_grid(table)[0]) == 201  # clamped to 200 columns, not a 100-million list


def test_docx_document_whose_tables_expand_beyond_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = new_docx()
    doc.add_paragraph("某某县民政局2020年政府信息公开工作年度报告")
    for _ in range(2):
        doc.add_table(rows=1, cols=1).cell(0, 0).text = "项目"
    body = doc.element.body
    for tc in body.iter(f"{{{W_NS}}}tc"):  # each table: one w:tc spanning 12 columns
        tc.insert(0, etree.fromstring(f'<w:tcPr xmlns:w="{W_NS}"><w:gridSpan w:val="12"/></w:tcPr>'))
    out = io.BytesIO()
    doc.save(out)
    got = _holds_exactly_at(monkeypatch, "MAX_DOCUMENT_CELLS", 24, lambda: read_docx(out.getvalue()), "Word 表格展开后超过 23", "once merged cells are expanded")
    assert [len(r.cells) for r in got.rows] == [12, 12]


# --- html -------------------------------------------------------------------------------------


def _page(body: str) -> bytes:
    return f"<html><head><title>某某县2020年年度报告</title></head><body>{body}</body></html>".encode()


TABLE = "<table><tr><td>项目</td><td>1</td></tr><tr><td>项目</td><td>2</td></tr></table>"


@pytest.mark.parametrize(
    ("limit", "count", "words"),
    [("MAX_HTML_TABLES", 3, ("HTML 表格超过 2 个", "HTML tables")),
     ("MAX_DOCUMENT_CELLS", 12, ("HTML 表格单元格超过 11 个", "HTML table cells")),
     ("MAX_HTML_TAGS", 25, ("HTML 标签超过 24 个", "HTML tags"))],
)
def test_html_counted_before_parsing(monkeypatch: pytest.MonkeyPatch, limit: str, count: int,
                                     words: tuple[str, ...]) -> None:
    data = _page(TABLE * 3)  # 3 tables, 12 cells, 25 start tags (html head title body, 3 × 7)
    monkeypatch.setattr(limits, limit, count)
    assert len(read_html(data).rows) == 6
    monkeypatch.setattr(limits, limit, count - 1)
    with pytest.raises(IngestError) as exc:
        read_html(data)
    _refused(exc, *words)


def test_html_cell_count_ignores_case_and_thead(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _page("<TABLE><THEAD><TR><TH>项目</TH><Td>1</Td></TR></THEAD></TABLE>")
    monkeypatch.setattr(limits, "MAX_DOCUMENT_CELLS", 2)
    assert len(read_html(data).rows) == 1
    monkeypatch.setattr(limits, "MAX_DOCUMENT_CELLS", 1)
    with pytest.raises(IngestError):
        read_html(data)


def test_html_nested_too_deep_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _page("<div>" * 20 + TABLE + "</div>" * 20)  # a td sits 25 deep: html body 20×div table tr td
    got = _holds_exactly_at(monkeypatch, "MAX_HTML_DEPTH", 25, lambda: read_html(data), "嵌套超过 24 层", "nested deeper")
    assert len(got.rows) == 2


def test_html_leaf_tables_in_one_pass() -> None:
    inner = "<table><tr><td>内</td><td>{}</td></tr></table>"
    data = _page(f"<table><tr><td>{inner.format(1)}</td><td>{inner.format(2)}</td></tr></table>"
                 f"<table><tr><td><div>{inner.format(3)}</div></td></tr></table>" + TABLE)
    doc = read_html(data)
    assert [r.texts for r in doc.rows] == [["内", "1"], ["内", "2"], ["内", "3"], ["项目", "1"], ["项目", "2"]]
    assert [r.provenance["table"] for r in doc.rows] == [0, 1, 2, 3, 3]


def test_grid_with_spans_beyond_the_table_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[SpanCell("项目", 1, 3), SpanCell("1")], [SpanCell("项目", 1, 3), SpanCell("2")]]
    got = _holds_exactly_at(monkeypatch, "MAX_TABLE_CELLS", 8, lambda: expand_grid(rows), "超过 7 个单元格", "more than 7 cells")
    assert got == [["项目", "项目", "项目", "1"], ["项目", "项目", "项目", "2"]]


def test_grid_of_empty_rows_under_a_wide_row_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Few positions declared, but rows × width would be a huge list: counted before it is made."""
    rows = [[SpanCell("项目", 1, 5)], [], [], []]
    got = _holds_exactly_at(monkeypatch, "MAX_TABLE_CELLS", 20, lambda: expand_grid(rows), "4 行 × 5 列", "4 × 5 cells")
    assert len(got) == 4


def test_rowspan_past_the_last_row_stops_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TABLE_CELLS", 4)
    assert expand_grid([[SpanCell("项目", 200, 1), SpanCell("1")], [SpanCell("2")]]) == [["项目", "1"], ["项目", "2"]]


def test_html_document_whose_tables_expand_beyond_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    spanned = '<table><tr><td colspan="6">项目</td></tr></table>'
    data = _page(spanned * 2)  # 2 declared cells, 12 positions
    got = _holds_exactly_at(monkeypatch, "MAX_DOCUMENT_CELLS", 12, lambda: read_html(data), "展开后超过 11", "once spans are expanded")
    assert len(got.rows) == 2


# --- text -------------------------------------------------------------------------------------

REPORT_LINE = "本年新收政府信息公开申请数量\t5\t3\t0\n"


def test_text_file_beyond_the_byte_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (REPORT_LINE * 4).encode()
    got = _holds_exactly_at(monkeypatch, "MAX_TEXT_BYTES", len(data), lambda: read_text(data), "文本文件", "a text file of")
    assert got.rows


def test_text_with_too_many_lines_is_refused_before_splitting(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (REPORT_LINE * 4).encode()  # 4 newlines: 5 lines, the last empty
    got = _holds_exactly_at(monkeypatch, "MAX_TEXT_LINES", 5, lambda: read_text(data), "超过 4 行", "more than 4 lines")
    assert len(got.rows) == 4


def test_text_line_with_too_many_tab_cells_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (REPORT_LINE * 3 + "项目" + "\t1" * 9 + "\n").encode()  # the last line: 10 cells
    got = _holds_exactly_at(monkeypatch, "MAX_LINE_CELLS", 10, lambda: read_text(data), "第 4 行有 10 个单元格", "line 4 has 10 cells")
    assert len(got.rows[-1].cells) == 10


def test_text_with_too_many_tokens_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = "一、总体情况 本机关 依法公开\n（一）主动公开 5 3 1\n".encode()  # 3 + 4 tokens
    got = _holds_exactly_at(monkeypatch, "MAX_TEXT_CELLS", 7, lambda: read_text(data), "超过 6 个词元", "more than 6 tokens")
    assert [r.texts for r in got.rows][-1] == ["(一)主动公开", "5", "3", "1"]  # NFKC


def test_space_separated_line_with_too_many_numbers_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = ("（一）主动公开" + " 7" * 6 + "\n").encode()
    got = _holds_exactly_at(monkeypatch, "MAX_LINE_CELLS", 6, lambda: read_text(data), "超过 5 个数字", "more than 5 numbers")
    assert got.rows[0].texts == ["(一)主动公开"] + ["7"] * 6


# --- pdf --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from ingest.render import render_pdf
    from tests.ops_corpus import figures

    return render_pdf(figures(0), tmp_path_factory.mktemp("pdf") / "r.pdf").read_bytes()


def _lzw9(data: bytes) -> bytes:
    """LZW as PDF writes it, for data short enough to stay with 9-bit codes."""
    table = {bytes([i]): i for i in range(256)}
    codes, w = [256], b""  # 256 = clear table, 257 = end of data
    for byte in data:
        if w + bytes([byte]) in table:
            w += bytes([byte])
            continue
        codes.append(table[w])
        table[w + bytes([byte])] = len(table) + 2
        w = bytes([byte])
    codes += [table[w], 257]
    assert len(table) + 2 < 511
    bits = "".join(f"{c:09b}" for c in codes)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


FILTERS = {
    "/FlateDecode": zlib.compress,
    "[/ASCII85Decode /FlateDecode]": lambda c: base64.a85encode(zlib.compress(c)) + b"~>",
    "[/ASCIIHexDecode /FlateDecode]": lambda c: zlib.compress(c).hex().encode() + b">",
    "/LZWDecode": _lzw9,
    "[/A85 /LZW]": lambda c: base64.a85encode(_lzw9(c)) + b"~>",
}
"""Ways a content stream can be packed; a bomb may hide behind any of them."""


def _flate_pdf(*contents: bytes, filters: str = "/FlateDecode") -> bytes:
    """One page per content stream, each stream packed with ``filters`` (default FlateDecode)."""
    from tests.hostile import _pdf

    pages = len(contents)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages)), pages),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, content in enumerate(contents):
        packed = FILTERS[filters](content)
        objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                    b"/Resources << /Font << /F1 3 0 R >> >> >>" % (5 + 2 * i),
                    b"<< /Length %d /Filter %s >>\nstream\n" % (len(packed), filters.encode()) + packed
                    + b"\nendstream"]
    return _pdf(objects)


SMALL = b"BT /F1 12 Tf 72 720 Td (2023 nian du bao gao) Tj ET"
LARGE = b"BT /F1 12 Tf 72 700 Td (" + b"x" * 60 + b") Tj ET" + b" " * 500


@pytest.mark.parametrize("filters", list(FILTERS))
def test_pdf_stream_inflating_beyond_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch, filters: str) -> None:
    """Behind an ASCII85 or hex wrapper, or packed with LZW, a bomb is found as surely as bare Flate."""
    data = _flate_pdf(SMALL, LARGE, filters=filters)
    got = _holds_exactly_at(monkeypatch, "MAX_PDF_STREAM_BYTES", len(LARGE), lambda: read_pdf(data), "PDF 数据流解压后超过", "a PDF stream inflating beyond")
    assert "2023 nian du bao gao" in got.text


def test_pdf_streams_inflating_beyond_the_total_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _flate_pdf(SMALL, LARGE)
    got = _holds_exactly_at(monkeypatch, "MAX_PDF_INFLATED_BYTES", len(SMALL) + len(LARGE), lambda: read_pdf(data), "PDF 数据流解压后共超过", "PDF streams inflating beyond")
    assert "2023 nian du bao gao" in got.text


@pytest.mark.parametrize(("limit", "made", "words"), [
    ("MAX_PDF_PAGE_GLYPHS", "LTChar", ("第 1 页文字超过 10 个", "glyphs")),
    ("MAX_PDF_PAGE_PATHS", "LTCurve", ("第 1 页图形超过 10 个", "paths")),
])
def test_pdf_page_drawing_too_much_is_refused_within_the_limit(monkeypatch: pytest.MonkeyPatch, report_pdf: bytes,
                                                               limit: str, made: str, words: tuple[str, ...]) -> None:
    """The one layout pass counts as it goes: the page is refused at the glyph (path) after the
    limit, before it becomes an object, so a page that draws millions lays out at most the limit."""
    import pdfminer.layout

    monkeypatch.setattr(limits, limit, 10)
    laid_out = []
    cls = getattr(pdfminer.layout, made)  # LTLine and LTRect are LTCurves too
    init = cls.__init__
    monkeypatch.setattr(cls, "__init__", lambda obj, *a, **k: laid_out.append(obj) or init(obj, *a, **k))
    with pytest.raises(IngestError) as exc:
        read_pdf(report_pdf)
    _refused(exc, *words)
    assert len(laid_out) == 10


def test_pdf_with_too_many_characters_is_refused(monkeypatch: pytest.MonkeyPatch, report_pdf: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(report_pdf)) as pdf:
        first = len(pdf.pages[0].chars)
    monkeypatch.setattr(limits, "MAX_PDF_CHARS", first - 1)
    with pytest.raises(IngestError) as exc:
        read_pdf(report_pdf)
    _refused(exc, f"PDF 文字超过 {first - 1} 个", "characters")
    monkeypatch.setattr(limits, "MAX_PDF_CHARS", first)  # the first page fits; the second does not
    with pytest.raises(IngestError):
        read_pdf(report_pdf)
