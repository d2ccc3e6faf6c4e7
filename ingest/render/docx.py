"""Word documents with merged cells (gridSpan / vMerge), made with python-docx."""

from __future__ import annotations

from pathlib import Path

from docx import Document as new_docx
from docx.table import Table

from ingest.render.layout import Figures, TableLayout, narrative, tables, title_of


def render_docx(figures: Figures, path: Path | str) -> Path:
    """Write the report as .docx: title paragraph, prose, the three tables with real merges."""
    path = Path(path)
    doc = new_docx()
    title = title_of(figures)
    doc.core_properties.title = title
    doc.add_paragraph(title)
    layouts = tables(figures)
    for kind, text in narrative(figures):
        if kind in layouts:
            _table(doc, layouts[kind])
        else:
            doc.add_paragraph(text)
    doc.save(str(path))
    return path


def _table(doc, layout: TableLayout) -> Table:  # noqa: ANN001 - python-docx's Document is a factory
    table = doc.add_table(rows=layout.nrows, cols=layout.ncols)
    table.style = "Table Grid"
    for cell in layout.cells:
        target = table.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
        target.text = cell.text
    return table
