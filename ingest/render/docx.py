"""Word documents with merged cells (gridSpan / vMerge), made with python-docx."""

from __future__ import annotations

import io
import zipfile
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
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(_fixed_timestamps(buffer.getvalue()))
    return path


def _fixed_timestamps(data: bytes) -> bytes:
    """Re-zip with a fixed entry date so regenerated samples are byte-identical."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _table(doc, layout: TableLayout) -> Table:  # noqa: ANN001 - python-docx's Document is a factory
    table = doc.add_table(rows=layout.nrows, cols=layout.ncols)
    table.style = "Table Grid"
    for cell in layout.cells:
        target = table.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
        target.text = cell.text
    return table
