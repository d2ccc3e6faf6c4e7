"""Cell text read through the page's sorted characters equals pdfplumber's ``Table.extract()``.

The reader takes each row's characters by bisection instead of testing every character of the
page against every row (:mod:`ingest.readers.pdfcells`); the cells must not change by a single
character, on every table of every page we can make, deduplicated as the reader sees it or not.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pdfplumber
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfplumber.table import Table

from ingest.readers.pdf import _TABLE_SETTINGS
from ingest.readers.pdfcells import PageChars, table_text
from ingest.readers.pdfchars import deduped
from ingest.render import render_pdf
from tests.conftest import ROOT


def _pdfs(tmp: Path) -> list[Path]:
    samples = sorted((ROOT / "bot" / "samples" / "reports").glob("*.pdf"))
    rendered = [render_pdf(json.loads(p.read_text(encoding="utf-8")), tmp / f"{p.stem}.pdf")
                for p in sorted((ROOT / "bot" / "samples" / "figures").glob("*.json"))]
    return samples + rendered


def test_cells_equal_pdfplumber_extract_on_every_table(tmp_path: Path) -> None:
    tables = cells = 0
    for path in _pdfs(tmp_path):
        with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
            for page in pdf.pages:
                for view in (page, deduped(page)):
                    chars = PageChars(view.chars)
                    for table in view.find_tables(_TABLE_SETTINGS):
                        want = table.extract()
                        assert table_text(table.rows, chars) == want, (path, page.page_number)
                        tables += 1
                        cells += sum(1 for row in want for text in row if text)
    assert tables >= 20 and cells >= 2000


class _Page:
    """What ``Table.extract`` asks of a page: its characters."""

    def __init__(self, chars: list[dict]) -> None:
        self.chars = chars


@st.composite
def _grid_and_chars(draw: st.DrawFn) -> tuple[list[tuple], list[dict]]:
    xs = sorted(set(draw(st.lists(st.integers(0, 8), min_size=2, max_size=5))))
    ys = sorted(set(draw(st.lists(st.integers(0, 8), min_size=2, max_size=5))))
    cells = [(10.0 * x0, 10.0 * y0, 10.0 * x1, 10.0 * y1)
             for x0, x1 in zip(xs, xs[1:], strict=False) for y0, y1 in zip(ys, ys[1:], strict=False)
             if draw(st.booleans()) or (x0, y0) == (xs[0], ys[0])]  # holes, as merged cells leave
    chars = []
    for _ in range(draw(st.integers(0, 30))):
        x_mid = draw(st.sampled_from([5.0 * k for k in range(18)] + [9.99, 10.01, 29.5]))
        y_mid = draw(st.sampled_from([5.0 * k for k in range(18)] + [19.99, 20.0, 40.01]))
        chars.append({"text": draw(st.sampled_from("12x")), "x0": x_mid - 1, "x1": x_mid + 1, "top": y_mid - 1,
                      "bottom": y_mid + 1, "doctop": y_mid - 1, "upright": True, "size": 2.0, "fontname": "F"})
    return cells, chars


@settings(max_examples=300, deadline=None)
@given(_grid_and_chars())
def test_characters_on_edges_fall_where_pdfplumber_puts_them(case: tuple[list[tuple], list[dict]]) -> None:
    """Left and top edges in, right and bottom out; a row takes only its own; holes stay None."""
    cells, chars = case
    table = Table(_Page(chars), cells)
    assert table_text(table.rows, PageChars(chars)) == table.extract()
