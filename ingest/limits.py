"""How much work one source file may ask of the readers, and the one refusal when it asks more.

Every limit is set far above what a real annual report needs (a report is a few dozen pages,
a handful of tables of at most a few hundred cells each, lines of at most a few dozen cells)
and far below what would let a small hostile file take seconds or hundreds of MB: a zip that
inflates to a gigabyte, a 130 KB .docx declaring 360,000 cells, one line of two million tab
cells.  Each is checked as cheaply as possible *before* the expensive step (inflating,
BeautifulSoup, gridding), so a refusal costs milliseconds.

The readers read these names at call time (``limits.MAX_…``), so tests can lower a limit with
``monkeypatch`` and prove the refusal on a tiny input.
"""

from __future__ import annotations

import re
from typing import AnyStr

from ingest.model import IngestError

MB = 1024 * 1024

# --- zip containers (.docx) -------------------------------------------------------------------

MAX_ZIP_ENTRIES = 2_000
"""Parts in one archive.  A .docx has 10–40 (a few hundred with many images); a central
directory of a million tiny entries costs seconds and hundreds of MB just to list."""
MAX_ZIP_PART_BYTES = 50 * MB
"""Inflated size of any one part.  A report's word/document.xml is well under 5 MB; an image
may be tens of MB.  Python's zipfile never inflates more than a part's declared size, so
checking the declared sizes is enough."""
MAX_ZIP_TOTAL_BYTES = 150 * MB
"""Inflated size of all parts together: python-docx loads every part into memory."""
MAX_COMPRESSION_RATIO = 100
"""Inflated ÷ compressed size of a large part.  Word XML compresses 5–35×; a bomb 1,000×."""
RATIO_MIN_BYTES = 1 * MB
"""Parts smaller than this may compress as well as they like: they cannot hurt."""
MAX_XML_ELEMENTS = 500_000
"""Elements in all XML parts, counted on the raw bytes before python-docx parses them (lxml and
python-docx spend ~150 bytes each).  A report's package has under 100,000."""

# --- tables (docx, html) ----------------------------------------------------------------------

MAX_TABLE_CELLS = 10_000
"""Grid positions (rows × columns, merged cells expanded) of one table.  The largest statistics
table of a report has a few hundred."""
MAX_DOCUMENT_CELLS = 20_000
"""Grid positions of all tables of one document (and, for HTML, its <td>/<th> tags, counted
before parsing).  A report has under 2,000."""

# --- html -------------------------------------------------------------------------------------

MAX_HTML_TAGS = 100_000
"""Start tags in a page, counted on the raw text before parsing: BeautifulSoup spends about
1 KB per tag, so this keeps a page near 100 MB.  Real report pages have under 5,000."""
MAX_HTML_TABLES = 500
"""<table> tags in a page.  Portal pages wrap a report's 5–10 tables in a few layout tables."""
MAX_HTML_DEPTH = 200
"""Element nesting.  Real pages nest 20–40 deep; the text walk is recursive."""

# --- pdf (pages, characters and rules per page: ingest/readers/pdf.py) ---------------------------

MAX_PDF_STREAM_BYTES = 64 * MB
"""Inflated size of one stream.  Page contents are ~100 KB; a fully embedded CJK font ~20 MB."""
MAX_PDF_INFLATED_BYTES = 256 * MB
"""Inflated size of all streams together (counted, never held)."""
MAX_PDF_PAGE_GLYPHS = 10_000
"""Glyphs one page draws, form XObjects replayed included.  A dense A4 page has ~3,000;
pdfplumber reads ~12,000 a second and keeps ~2 KB each until the page is closed."""
MAX_PDF_PAGE_PATHS = 20_000
"""Paths one page draws (table rules are paths).  A ruled report page has a few hundred."""
MAX_PDF_CHARS = 250_000
"""Characters laid out in the whole file: ~20 s of pdfplumber at worst.  A report of 5–20 pages
has 5,000–30,000; a long provincial report of 60 dense pages ~100,000 — it must not be refused."""

# --- legacy Word / WPS (converted by LibreOffice: ingest/readers/office.py) -----------------------

OFFICE_SECONDS = 120.0
"""One LibreOffice conversion.  A report converts in 2–5 s, the first run of a new profile
included; a file that takes longer is hostile or broken, and the process group is killed."""

# --- text -------------------------------------------------------------------------------------

MAX_TEXT_BYTES = 10 * MB
"""A text report is 10–50 KB; decoding and normalising copy the text several times."""
MAX_TEXT_LINES = 200_000
"""Lines of a text file (real ones: a few hundred), checked before the text is split."""
MAX_LINE_CELLS = 500
"""Cells of one line: tab-separated parts, or the run of numbers ending a space-separated line.
A real table row has under 30."""
MAX_TEXT_CELLS = 200_000
"""Whitespace-separated tokens of a whole text file (real ones: under 10,000); each costs a
number parse and, as a cell, a few hundred bytes."""


def exceeds(zh: str, en: str) -> IngestError:
    """The one-line refusal for a file beyond a limit: Chinese first, then English."""
    return IngestError(f"文件超出合理范围：{zh} / file exceeds limits: {en}")


def count_upto(pattern: re.Pattern[AnyStr], data: AnyStr, limit: int) -> int:
    """Matches of ``pattern`` in ``data``, counting no further than ``limit + 1``: enough to
    tell "over the limit" without scanning the rest of a hostile file."""
    found = 0
    for _ in pattern.finditer(data):
        found += 1
        if found > limit:
            break
    return found
