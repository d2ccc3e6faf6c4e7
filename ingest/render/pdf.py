"""PDFs like Word/WPS exports: CID font text layer, GRID-ruled tables, a table broken across pages.

reportlab's built-in ``STSong-Light`` CID font needs no font files and pdfplumber reads its
text; ``GRID`` rules give the lines pdfplumber's geometry strategy finds.  The requests table
has the merged vertical "三、本年度办理结果" column (one character per line in a narrow column),
merged group labels and wrapped long labels, and can be broken across two pages the way Word
breaks it: the merged label cells continue empty on the next page, the header repeated or not.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ingest.render.layout import Cell, Figures, TableLayout, narrative, tables, title_of

FONT = "STSong-Light"
_WIDTHS = {
    "active": [4.6 * cm] + [4.1 * cm] * 3,
    "requests": [0.75 * cm, 1.8 * cm, 4.2 * cm] + [1.45 * cm] * 7,
    "appeals": [1.13 * cm] * 15,
}
SPLIT_AFTER = "4.保护第三方合法权益"
"""The requests table breaks after this row: mid-group, so the next page starts with empty labels."""


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=TA_CENTER,
                                spaceAfter=12, wordWrap="CJK"),
        "heading": ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=18, spaceBefore=6,
                                  spaceAfter=4, wordWrap="CJK"),
        "para": ParagraphStyle("para", fontName=FONT, fontSize=10.5, leading=16, firstLineIndent=21,
                               wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, alignment=TA_CENTER,
                               wordWrap="CJK"),
    }


def render_pdf(figures: Figures, path: Path | str, *, split_requests_across_pages: bool = True,
               repeat_header: bool = False, cut_row: bool = False) -> Path:
    """Write the report as PDF.  With ``split_requests_across_pages`` table 2 continues on a new page.

    ``repeat_header`` repeats table 2's header rows on the new page; ``cut_row`` cuts the row at
    the break in two, as Word does with a tall row: its label stays on the first page, its
    numbers start the next page under empty label cells.
    """
    _font()
    path = Path(path)
    styles = _styles()
    story: list = [Paragraph(title_of(figures), styles["title"])]
    layouts = tables(figures)
    for kind, text in narrative(figures):
        if kind == "requests":
            story += _requests_flowables(layouts[kind], styles, split_requests_across_pages, repeat_header, cut_row)
        elif kind in layouts:
            story += [_table(layouts[kind], styles, range(layouts[kind].nrows)), Spacer(1, 6)]
        else:
            story.append(Paragraph(text, styles[kind]))
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=2 * cm, bottomMargin=2 * cm, invariant=1,
                            title=title_of(figures), author=str(figures["agency"]))
    doc.build(story)
    return path


def _requests_flowables(layout: TableLayout, styles: dict[str, ParagraphStyle], split: bool,
                        repeat_header: bool, cut_row: bool) -> list:
    if not split:
        return [PageBreak(), _table(layout, styles, range(layout.nrows)), Spacer(1, 6)]
    cut = 1 + next(c.row for c in layout.cells if c.text == SPLIT_AFTER)
    first_end = cut + 1 if cut_row else cut
    second = ([*range(layout.header_rows)] if repeat_header else []) + [*range(cut, layout.nrows)]
    cut_set = {cut} if cut_row else set()
    return [
        _table(layout, styles, range(first_end), blank_values=cut_set),
        PageBreak(),
        _table(layout, styles, second, blank_labels=cut_set),
        Spacer(1, 6),
    ]


def _table(layout: TableLayout, styles: dict[str, ParagraphStyle], rows: range | list[int], *,
           blank_values: set[int] | None = None, blank_labels: set[int] | None = None) -> Table:
    """Typeset the given layout rows (in order) as one ruled table; spans are clipped to those rows.

    A merged cell whose origin row is not shown continues as an empty merged cell, which is how
    Word prints the rest of a vertical merge on the next page.
    """
    rows = list(rows)
    where = {r: i for i, r in enumerate(rows)}
    data = [["" for _ in range(layout.ncols)] for _ in rows]
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for cell in layout.cells:
        shown = [where[r] for r in range(cell.row, cell.row + cell.rowspan) if r in where]
        if not shown:
            continue
        top, bottom = min(shown), max(shown)
        hidden = blank_labels if cell.header else blank_values
        if cell.row in where and cell.row not in (hidden or set()):
            data[top][cell.col] = _content(cell, styles)
        if bottom > top or cell.colspan > 1:
            commands.append(("SPAN", (cell.col, top), (cell.col + cell.colspan - 1, bottom)))
    return Table(data, colWidths=_WIDTHS[layout.name], style=TableStyle(commands))


def _content(cell: Cell, styles: dict[str, ParagraphStyle]) -> Paragraph | str:
    if not cell.text:
        return ""
    return Paragraph(cell.text.replace("\n", "<br/>"), styles["cell"])
