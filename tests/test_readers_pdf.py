"""PDF reader: ruled tables by geometry, merged and wrapped labels, tables split across pages,
and one-line refusals for PDFs that cannot be read (scanned, encrypted, corrupt, cid glyphs)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from ingest.model import IngestError
from ingest.readers import read_document
from ingest.render import render_pdf
from tests.conftest import ROOT

FIGURES = json.loads((ROOT / "bot/samples/figures/pingtan-2023.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def split_doc(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("pdf") / "split.pdf"
    render_pdf(FIGURES, path, split_requests_across_pages=True)
    return read_document(path.read_bytes(), "split.pdf")


def _table(doc, t: int):
    return [r for r in doc.rows if r.provenance["table"] == t]


def test_three_tables_and_text(split_doc) -> None:
    assert split_doc.kind == "pdf"
    assert sorted({r.provenance["table"] for r in split_doc.rows}) == [0, 1, 2]
    assert split_doc.title == "平潭综合实验区2023年政府信息公开工作年度报告"
    assert split_doc.text.splitlines()[0] == split_doc.title
    assert "全年共新收政府信息公开申请81件" in split_doc.text.replace("\n", "")


def test_split_table_joined_under_one_index(split_doc) -> None:
    requests = _table(split_doc, 1)
    assert {r.provenance["page"] for r in requests} == {1, 2}
    assert [r.provenance["row"] for r in requests] == list(range(len(requests)))
    first_on_2 = next(r for r in requests if r.provenance["page"] == 2)
    # the merged label cells continue empty on the new page; the row itself is kept
    assert first_on_2.texts[:3] == ["", "", "5.属于三类内部事务信息"]
    assert first_on_2.texts[3:] == ["0", "0", "0", "0", "0", "0", "0"]


def test_vertical_and_wrapped_labels_joined(split_doc) -> None:
    requests = _table(split_doc, 1)
    granted = next(r for r in requests if r.texts[1] == "（一）予以公开")
    assert granted.texts[0] == "三、本年度办理结果"  # one character per line in the PDF
    assert granted.texts[1] == granted.texts[2]  # colspan label repeated
    assert granted.texts[3:] == ["22", "0", "0", "0", "0", "0", "22"]
    labels = {t for r in requests for t in r.texts}
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in labels
    assert "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请" in labels
    assert "商业企业" in labels  # "商业\n企业" in a narrow header cell


def test_merged_values_once_and_provenance(split_doc) -> None:
    active = _table(split_doc, 0)
    licensing = next(r for r in active if r.texts[0] == "行政许可")
    assert licensing.texts == ["行政许可", "2629", "", ""]
    cell = licensing.cells[1]
    assert set(cell.provenance) == {"kind", "page", "bbox", "table", "row", "col"}
    x0, top, x1, bottom = cell.provenance["bbox"]
    assert x0 < x1 and top < bottom and cell.provenance["page"] == 1 and cell.provenance["col"] == 1


def test_repeated_header_kept_as_rows(tmp_path: Path) -> None:
    path = render_pdf(FIGURES, tmp_path / "h.pdf", repeat_header=True)
    requests = _table(read_document(path.read_bytes()), 1)
    page2 = [r for r in requests if r.provenance["page"] == 2]
    assert page2[0].texts[3] == "申请人情况" and page2[2].texts[4] == "商业企业"
    assert page2[3].texts[2] == "5.属于三类内部事务信息"


def _canvas(path: Path, **kwargs) -> canvas.Canvas:
    return canvas.Canvas(str(path), pagesize=A4, **kwargs)


def test_paragraph_only_pdf_reads_without_rows(tmp_path: Path) -> None:
    """Not a report, but a readable PDF: the verdict belongs to the interpreter."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = _canvas(tmp_path / "p.pdf")
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "关于召开会议的通知")
    c.save()
    doc = read_document((tmp_path / "p.pdf").read_bytes())
    assert doc.rows == [] and "关于召开会议的通知" in doc.text


def _error(data: bytes) -> str:
    with pytest.raises(IngestError) as info:
        read_document(data, "x.pdf")
    message = str(info.value)
    assert "\n" not in message
    return message


def test_scanned_pdf(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "s.pdf")
    c.rect(50, 50, 400, 600, fill=1)
    c.save()
    assert "无文字层" in _error((tmp_path / "s.pdf").read_bytes())


def test_encrypted_pdf(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "e.pdf", encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(72, 700, "secret report")
    c.save()
    assert "加密" in _error((tmp_path / "e.pdf").read_bytes())


def test_truncated_pdf(tmp_path: Path) -> None:
    data = render_pdf(FIGURES, tmp_path / "t.pdf").read_bytes()
    assert "损坏" in _error(data[: len(data) // 2])


def test_too_many_pages(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "long.pdf")
    for i in range(201):
        c.drawString(72, 700, f"page {i}")
        c.showPage()
    c.save()
    assert "200" in _error((tmp_path / "long.pdf").read_bytes())


def _raw_pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_cid_glyphs_unreadable() -> None:
    """A composite font without a ToUnicode map: pdfminer can only say "(cid:65)"."""
    content = b"BT /F1 12 Tf 72 700 Td <0041004200430044004500460047> Tj ET"
    data = _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Foo /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Foo"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
    ])
    assert "无法识别" in _error(data)


def test_row_cut_at_page_break_stays_two_rows(tmp_path: Path) -> None:
    """The rest of a cut row starts the next page with empty label cells: emitted as its own row."""
    path = render_pdf(FIGURES, tmp_path / "c.pdf", cut_row=True)
    requests = _table(read_document(path.read_bytes()), 1)
    last_on_1 = [r for r in requests if r.provenance["page"] == 1][-1]
    first_on_2 = next(r for r in requests if r.provenance["page"] == 2)
    assert last_on_1.texts[2] == "5.属于三类内部事务信息" and not any(last_on_1.texts[3:])
    assert first_on_2.texts[:3] == ["", "", ""] and first_on_2.texts[3:] == ["0"] * 7
    assert first_on_2.provenance["row"] == last_on_1.provenance["row"] + 1


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_pages_displayed_sideways_or_upside_down_are_turned(tmp_path: Path, rotate: int) -> None:
    """A /Rotate that does not match how the content was drawn shows the tables sideways (or
    upside down); they are read after turning the page back, every cell exact."""
    from ingest.interpret import interpret
    from tests import variants as V

    data = render_pdf(FIGURES, tmp_path / "r.pdf").read_bytes()
    assert data.count(b"/Rotate 0 ") == 2
    turned = data.replace(b"/Rotate 0 ", b"/Rotate %d " % rotate)
    import pdfplumber

    with pdfplumber.open(io.BytesIO(turned)) as pdf:  # the premise: as displayed, text does not run upright
        page = pdf.pages[0]
        assert page.rotation == rotate and all(c["matrix"][0] <= 0 for c in page.chars)
    doc = read_document(turned, "r.pdf")
    out = V.judge(interpret(doc), V.Variant("rotated", str(rotate), FIGURES, V.expected_of(FIGURES), doc=doc))
    assert out.wrong == [] and out.flagged == 0 and out.exact == len(FIGURES["cells"])


@pytest.mark.parametrize("rotate", [90, 270])
def test_a_sideways_page_read_unturned_gives_flags_not_blanks(tmp_path: Path, rotate: int,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the turning, the few rows matched by label used to read blank (7 cells silently 0):
    in a table mostly unreadable, a blank is not evidence, so every cell is flagged instead."""
    from ingest.interpret import interpret
    from ingest.readers import pdf as pdf_reader
    from tests import variants as V

    monkeypatch.setattr(pdf_reader, "_text_direction", lambda chars: 0)
    data = render_pdf(FIGURES, tmp_path / "r.pdf").read_bytes().replace(b"/Rotate 0 ", b"/Rotate %d " % rotate)
    doc = read_document(data, "r.pdf")
    out = V.judge(interpret(doc), V.Variant("unturned", str(rotate), FIGURES, V.expected_of(FIGURES), doc=doc))
    assert out.wrong == [] and out.flagged == len(FIGURES["cells"])


def test_a_landscape_page_stored_portrait_with_rotate_reads_upright(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual way a landscape table is stored: a portrait page, its content drawn turned, and
    /Rotate 90 so viewers show it upright.  pdfminer applies /Rotate; nothing is turned twice."""
    from reportlab.lib.pagesizes import landscape

    from ingest.interpret import interpret
    from ingest.render import pdf as pdf_render
    from tests import variants as V

    plain = pdf_render.SimpleDocTemplate
    width, height = A4

    class TurnedPages(plain):  # laid out landscape, drawn turned onto a portrait page
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **{**kwargs, "pagesize": landscape(A4)})

        def build(self, story, **kwargs):
            def turn(canv, doc):
                canv.setPageSize((width, height))
                canv.translate(width, 0)
                canv.rotate(90)
            return plain.build(self, story, onFirstPage=turn, onLaterPages=turn)

    monkeypatch.setattr(pdf_render, "SimpleDocTemplate", TurnedPages)
    data = render_pdf(FIGURES, tmp_path / "l.pdf").read_bytes().replace(b"/Rotate 0 ", b"/Rotate 90 ")
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:  # the premise: portrait media, shown landscape, text upright
        page = pdf.pages[0]
        assert page.rotation == 90 and page.width > page.height and page.chars[0]["upright"]
    doc = read_document(data, "l.pdf")
    out = V.judge(interpret(doc), V.Variant("landscape", "", FIGURES, V.expected_of(FIGURES), doc=doc))
    assert out.wrong == [] and out.exact == len(FIGURES["cells"])
