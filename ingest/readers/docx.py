"""Word (.docx) reports.

python-docx's ``table.rows[i].cells`` repeats a merged cell's object in every position it
covers, which would count a merged value twice.  We read the underlying ``w:tc`` elements
instead — ``w:gridSpan`` for horizontal merges, ``w:vMerge`` for vertical ones, ``w:gridBefore``
for rows that start late — and apply the shared grid rules (labels repeat, values appear once).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from ingest import limits
from ingest.model import Document, IngestError, SourceRow
from ingest.readers import clean_cell_text, grid_rows, is_value_text, join_lines
from ingest.readers.archive import CORRUPT, capped_package

_MAX_COLS = 200


@dataclass
class _Origin:
    """The cell a merged position belongs to."""

    text: str

    @property
    def repeats(self) -> bool:
        return bool(self.text) and not is_value_text(self.text)


def read_docx(data: bytes, name: str = "") -> Document:
    """Read a .docx: every table as a full grid, paragraphs and tables as text in body order."""
    package = capped_package(data)  # python-docx only ever sees parts already read within the limits
    try:
        doc = open_docx(io.BytesIO(package))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, etree.XMLSyntaxError) as exc:
        raise IngestError(CORRUPT) from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and friends
        raise IngestError(f"Word 文件无法打开 / cannot open .docx ({type(exc).__name__})") from exc
    lines: list[str] = []
    rows: list[SourceRow] = []
    table_index, cells = 0, 0
    for element in _blocks(doc.element.body):
        if element.tag == qn("w:p"):
            lines.append(Paragraph(element, None).text)
        elif element.tag == qn("w:tbl"):
            grid = table_grid(element)
            cells += len(grid) * len(grid[0]) if grid else 0
            _check_document_cells(cells)
            rows.extend(grid_rows(grid, {"kind": "docx", "table": table_index}))
            lines.extend("\t".join(r) for r in grid)
            table_index += 1
    title = clean_cell_text(doc.core_properties.title or "")
    text = join_lines(lines)
    if title and title not in text:
        text = f"{title}\n{text}"
    return Document(kind="docx", text=text, rows=rows, title=title)


def _blocks(body: etree._Element) -> list[etree._Element]:
    """Paragraphs and tables in body order, including those inside block content controls (w:sdt)."""
    return body.xpath("./w:p | ./w:tbl | ./w:sdt/w:sdtContent/w:p | ./w:sdt/w:sdtContent/w:tbl")


def _check_document_cells(cells: int) -> None:
    if cells > limits.MAX_DOCUMENT_CELLS:
        raise limits.exceeds(
            f"Word 表格展开后超过 {limits.MAX_DOCUMENT_CELLS} 个单元格",
            f"more than {limits.MAX_DOCUMENT_CELLS} table cells once merged cells are expanded",
        )


def _check_table_cells(cells: int) -> None:
    if cells > limits.MAX_TABLE_CELLS:
        raise limits.exceeds(
            f"一个 Word 表格展开后超过 {limits.MAX_TABLE_CELLS} 个单元格",
            f"a table of more than {limits.MAX_TABLE_CELLS} cells once merged cells are expanded",
        )


def table_grid(tbl: etree._Element) -> list[list[str]]:
    """The table as text grid from its XML: merged positions resolved to their origin cell.

    Spans are clamped and positions counted as they are made, so a table declaring huge spans
    is refused (:data:`ingest.limits.MAX_TABLE_CELLS`) before it takes memory.
    """
    grid: list[list[str]] = []
    above: dict[int, _Origin] = {}
    made = 0
    for tr in tbl.iterchildren(qn("w:tr")):
        row: list[str] = [""] * min(max(_int_prop(tr, "w:trPr", "w:gridBefore", 0), 0), _MAX_COLS)
        current: dict[int, _Origin] = {}
        for tc in tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc"):
            col = len(row)
            span = min(max(_int_prop(tc, "w:tcPr", "w:gridSpan", 1), 1), _MAX_COLS)
            origin, fresh = _origin_of(tc, col, above)
            for offset in range(span):
                first = fresh and offset == 0
                row.append(origin.text if first or origin.repeats else "")
                current[col + offset] = origin
            _check_table_cells(made + len(row))
        made += len(row)
        grid.append(row)
        above = current
    width = max((len(r) for r in grid), default=0)
    _check_table_cells(width * len(grid))
    return [r + [""] * (width - len(r)) for r in grid]


def _origin_of(tc: etree._Element, col: int, above: dict[int, _Origin]) -> tuple[_Origin, bool]:
    """(origin, is_new): a ``vMerge`` continuation belongs to the cell above it."""
    merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    continues = merge is not None and merge.get(qn("w:val"), "continue") == "continue"
    if continues and col in above:
        return above[col], False
    return _Origin(_cell_text(tc)), True


def _cell_text(tc: etree._Element) -> str:
    paragraphs = [Paragraph(p, None).text for p in tc.iterchildren(qn("w:p"))]
    return clean_cell_text("\n".join(paragraphs))


def _int_prop(element: etree._Element, container: str, prop: str, default: int) -> int:
    node = element.find(f"{qn(container)}/{qn(prop)}")
    if node is None:
        return default
    try:
        return int(node.get(qn("w:val"), default))
    except ValueError:
        return default
