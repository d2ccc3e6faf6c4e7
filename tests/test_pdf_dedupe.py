"""Our linear-time duplicate-character removal keeps exactly what pdfplumber's own keeps.

pdfplumber's ``dedupe_chars`` is quadratic (it re-sorts the survivors with ``chars.index``), so
the PDF reader uses :func:`ingest.readers.pdfchars.dedupe_chars`.  Every cell we read was built
on pdfplumber's choice of survivors; these tests hold the two to the same characters, in the same
order, on random near-duplicate sets (runs that chain across the tolerance, exact copies, ties)
and on every page we can make: the bundled samples and fresh renders, as drawn and overprinted.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfplumber.utils import dedupe_chars as pdfplumber_dedupe

from ingest.readers.pdfchars import dedupe_chars, deduped
from ingest.render import render_pdf
from tests.conftest import ROOT

OFFSETS = (0.0, 0.25, 0.5, 0.999, 1.0, 1.001, 1.5, 2.0, 3.0)
"""Steps around a tolerance of 1, so runs chain, stop and tie."""


@st.composite
def chars(draw: st.DrawFn) -> list[dict]:
    anchors = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=4))
    out = []
    for _ in range(draw(st.integers(0, 40))):
        ay, ax = draw(st.sampled_from(anchors))
        char = {
            "text": draw(st.sampled_from("一二3")),
            "upright": draw(st.booleans()),
            "fontname": draw(st.sampled_from(("SimSun", "SimHei"))),
            "size": draw(st.sampled_from((10.5, 12.0))),
            "doctop": 20.0 * ay + draw(st.sampled_from(OFFSETS)),
            "x0": 20.0 * ax + draw(st.sampled_from(OFFSETS)),
        }
        out.append(char)
        if out and draw(st.booleans()):
            out.append(dict(draw(st.sampled_from(out))))  # an exact copy, anywhere
    return draw(st.permutations(out))


@settings(max_examples=400, deadline=None)
@given(chars(), st.sampled_from((0, 0.5, 1, 2)), st.sampled_from(((), ("fontname",), ("fontname", "size"))))
def test_keeps_what_pdfplumber_keeps_on_near_duplicates(found: list[dict], tolerance: float, extra: tuple) -> None:
    want = pdfplumber_dedupe(found, tolerance=tolerance, extra_attrs=extra)
    got = dedupe_chars(found, tolerance=tolerance, extra_attrs=extra)
    assert [id(c) for c in got] == [id(c) for c in want]


def _pdfs(tmp: Path) -> list[Path]:
    samples = sorted((ROOT / "bot" / "samples" / "reports").glob("*.pdf"))
    rendered = [render_pdf(json.loads(p.read_text(encoding="utf-8")), tmp / f"{p.stem}.pdf")
                for p in sorted((ROOT / "bot" / "samples" / "figures").glob("*.json"))]
    return samples + rendered


def _overprinted(chars: list[dict]) -> list[dict]:
    """Each character followed by a copy a fraction of a point away (bold faked by overprinting),
    and every fifth by a copy just beyond the tolerance: survivors must be chosen, not just kept."""
    out = []
    for n, c in enumerate(chars):
        out += [c, {**c, "x0": c["x0"] + 0.3, "doctop": c["doctop"] + 0.2}]
        if n % 5 == 0:
            out.append({**c, "x0": c["x0"] + 1.2})
    return out


def test_keeps_what_pdfplumber_keeps_on_every_real_page(tmp_path: Path) -> None:
    pages = 0
    for path in _pdfs(tmp_path):
        with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
            for page in pdf.pages:
                for found in (page.chars, _overprinted(page.chars)):
                    assert [id(c) for c in dedupe_chars(found)] == [id(c) for c in pdfplumber_dedupe(found)], path
                ours, theirs = deduped(page), page.dedupe_chars()
                assert ours.chars == theirs.chars and ours.extract_text() == theirs.extract_text()
                pages += 1
    assert pages >= 14


@pytest.mark.parametrize("count", [0, 1])
def test_empty_and_single(count: int) -> None:
    found = [{"text": "x", "upright": True, "fontname": "F", "size": 1.0, "doctop": 0.0, "x0": 0.0}][:count]
    assert dedupe_chars(found) == found
