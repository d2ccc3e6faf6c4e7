"""The text of a pdfplumber table's cells, as ``Table.extract()`` gives it, without its scans.

``Table.extract()`` tests every character of the page against every row of the table (a page
of 2,000 characters and a table of 40 rows: 80,000 tests, redone for each table), then the
row's characters against each cell.  Here the page's characters are sorted once by their
vertical middle, so a row takes its characters by bisection; the tests that decide, the order
the characters are joined in and the text extraction are pdfplumber's own, so the cells come
out identical (tests/test_pdf_cells.py holds them to it).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from pdfplumber.utils import extract_text

Box = tuple[float, float, float, float]


class PageChars:
    """A page's characters indexed by vertical middle (what ``Table.extract`` tests rows on)."""

    def __init__(self, chars: list[dict[str, Any]]) -> None:
        self.chars = chars
        self.h_mid = [(c["x0"] + c["x1"]) / 2 for c in chars]
        middles = sorted(((c["top"] + c["bottom"]) / 2, i) for i, c in enumerate(chars)
                         if (c["top"] + c["bottom"]) / 2 == (c["top"] + c["bottom"]) / 2)  # NaN is in no box
        self.v_mid = [v for v, _ in middles]
        self.by_v_mid = [i for _, i in middles]

    def inside(self, box: Box) -> list[dict[str, Any]]:
        """The characters whose middle lies in ``box`` (left and top edges in, right and bottom
        out, as pdfplumber decides), in page order."""
        x0, top, x1, bottom = box
        lo, hi = bisect_left(self.v_mid, top), bisect_left(self.v_mid, bottom)
        h_mid = self.h_mid
        return [self.chars[i] for i in sorted(i for i in self.by_v_mid[lo:hi] if x0 <= h_mid[i] < x1)]


def table_text(rows: list[Any], chars: PageChars) -> list[list[str | None]]:
    """``Table.extract()`` of the table whose ``rows`` these are, over the page's ``chars``:
    None where a merged cell covers the position, "" for an empty cell."""
    out: list[list[str | None]] = []
    for row in rows:
        row_chars = chars.inside(row.bbox)
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            inside = [c for c in row_chars if _in_box(c, cell)]
            texts.append(extract_text(inside) if inside else "")
        out.append(texts)
    return out


def _in_box(char: dict[str, Any], box: Box) -> bool:
    v_mid = (char["top"] + char["bottom"]) / 2
    h_mid = (char["x0"] + char["x1"]) / 2
    return box[0] <= h_mid < box[2] and box[1] <= v_mid < box[3]
