"""Character dicts built directly (:mod:`ingest.readers.pdfobjects`) equal pdfplumber's own.

Every object of every page we can make — the bundled sample PDFs and fresh renders — is read
once through the reader's page and once through a plain pdfplumber page: the same objects, the
same keys in the same order, the same values.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pdfplumber

from ingest.readers.pdfguard import guarded
from ingest.readers.pdfobjects import char_object
from ingest.render import render_pdf
from tests.conftest import ROOT


def _pdfs(tmp: Path) -> list[Path]:
    samples = sorted((ROOT / "bot" / "samples" / "reports").glob("*.pdf"))
    rendered = [render_pdf(json.loads(p.read_text(encoding="utf-8")), tmp / f"{p.stem}.pdf")
                for p in sorted((ROOT / "bot" / "samples" / "figures").glob("*.json"))]
    return samples + rendered


def test_every_object_of_every_page_is_pdfplumbers(tmp_path: Path) -> None:
    chars = 0
    for path in _pdfs(tmp_path):
        with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
            for page in pdf.pages:
                ours = guarded(pdf, page).objects
                theirs = page.objects
                assert ours.keys() == theirs.keys()
                for kind, objects in theirs.items():
                    assert ours[kind] == objects, (path, page.page_number, kind)
                    assert [list(o) for o in ours[kind]] == [list(o) for o in objects]  # key order too
                chars += len(theirs.get("char", []))
    assert chars > 10_000


def test_anything_unusual_is_left_to_pdfplumber(tmp_path: Path) -> None:
    """A byte-string font name or Unicode normalisation: not built here (pdfplumber does it)."""
    path = _pdfs(tmp_path)[0]
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        page = pdf.pages[0]
        char = next(o for o in page.layout._objs if type(o).__name__ == "LTChar")
        assert char_object(page, char) == page.process_object(char)
        char.fontname = char.fontname.encode()
        assert char_object(page, char) is None
    with pdfplumber.open(io.BytesIO(path.read_bytes()), unicode_norm="NFKC") as pdf:
        page = pdf.pages[0]
        assert char_object(page, next(o for o in page.layout._objs if type(o).__name__ == "LTChar")) is None
