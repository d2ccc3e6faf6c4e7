"""Typeset a report's figures into real files of every form ingest reads.

The project's fixtures and the bundled demo samples are generated, not hand-made: a figures
dict (agency, year, format, cells) goes in, a PDF / DOCX / HTML / text report comes out, and
reading it back must give the same figures.  That round trip is the readers' main test.
"""

from __future__ import annotations

from ingest.render.docx import render_docx
from ingest.render.html import render_html
from ingest.render.layout import Figures, title_of
from ingest.render.pdf import render_pdf
from ingest.render.text import render_text

__all__ = ["Figures", "render_docx", "render_html", "render_pdf", "render_text", "title_of"]
