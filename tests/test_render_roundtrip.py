"""Figures → generated file of every form → read_document → interpret → the same figures.

This is the readers' main test: each form is typeset from the figures by ``ingest.render`` and
must read back exactly (blank stays None, no cell flagged).  The two real HTML pages in
../shared must give their truth cells too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.interpret import interpret
from ingest.readers import read_document
from ingest.render import render_docx, render_html, render_pdf, render_text
from tests.conftest import ROOT, SHARED, needs_shared

FIGURES = sorted((ROOT / "bot" / "samples" / "figures").glob("*.json"))


def _pdf_split(f: dict, p: Path) -> Path:
    return render_pdf(f, p, split_requests_across_pages=True)


def _pdf_split_header(f: dict, p: Path) -> Path:
    return render_pdf(f, p, split_requests_across_pages=True, repeat_header=True)


def _pdf_cut_row(f: dict, p: Path) -> Path:
    return render_pdf(f, p, split_requests_across_pages=True, cut_row=True)


def _pdf_whole(f: dict, p: Path) -> Path:
    return render_pdf(f, p, split_requests_across_pages=False)


FORMS: dict[str, tuple[str, Callable[[dict, Path], Path]]] = {
    "pdf-split": ("pdf", _pdf_split),
    "pdf-split-header": ("pdf", _pdf_split_header),
    "pdf-cut-row": ("pdf", _pdf_cut_row),
    "pdf-whole": ("pdf", _pdf_whole),
    "docx": ("docx", render_docx),
    "html-utf8": ("html", lambda f, p: render_html(f, p, encoding="utf-8")),
    "html-gbk": ("html", lambda f, p: render_html(f, p, encoding="gbk")),
    "txt": ("txt", render_text),
}


def assert_cells_equal(report, expected: dict[str, float | None]) -> None:
    """Every expected cell read exactly, None for blanks, and nothing flagged."""
    flagged = {k: (r.raw, r.reason) for k, r in report.cells.items() if r.flagged}
    assert not flagged, f"flagged cells: {flagged}"
    got = {k: (report.cells[k].value if k in report.cells else "MISSING") for k in expected}
    wrong = {k: (got[k], v) for k, v in expected.items() if got[k] != v}
    assert not wrong, f"{len(wrong)} cells differ (got, expected): {dict(list(wrong.items())[:12])}"


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("figures_path", FIGURES, ids=[p.stem for p in FIGURES])
def test_roundtrip(figures_path: Path, form: str, tmp_path: Path) -> None:
    figures = json.loads(figures_path.read_text(encoding="utf-8"))
    ext, render = FORMS[form]
    path = render(figures, tmp_path / f"{figures_path.stem}.{ext}")
    doc = read_document(path.read_bytes(), path.name)
    report = interpret(doc)
    assert (report.agency, report.year, report.format) == (figures["agency"], figures["year"], str(figures["format"]))
    assert_cells_equal(report, figures["cells"])


@needs_shared
@pytest.mark.parametrize("stem", ["pingtan-2023", "shanghai-bangongting-2019"])
def test_real_html_reports(stem: str) -> None:
    data = (SHARED / "reports" / f"{stem}.html").read_bytes()
    truth = json.loads((SHARED / "truth" / f"{stem}.json").read_text(encoding="utf-8"))
    doc = read_document(data, f"{stem}.html")
    assert doc.kind == "html"
    report = interpret(doc)
    assert (report.agency, report.year) == (truth["agency"], truth["year"])
    assert_cells_equal(report, truth["cells"])


SAMPLE_REPORTS = ROOT / "bot" / "samples" / "reports"


def test_bundled_samples_cover_every_form_and_are_current(tmp_path: Path) -> None:
    """The committed samples are exactly what ``python -m ingest.render.samples`` writes."""
    from ingest.render.samples import regenerate

    fresh = regenerate(out_dir=tmp_path)
    assert {p.suffix for p in fresh} >= {".pdf", ".docx", ".html", ".txt"}
    assert len(fresh) == len(FIGURES)
    for path in fresh:
        committed = SAMPLE_REPORTS / path.name
        assert committed.is_file(), f"missing sample {committed}; run python -m ingest.render.samples"
        assert committed.read_bytes() == path.read_bytes(), f"{committed.name} is stale; regenerate"


@pytest.mark.parametrize("figures_path", FIGURES, ids=[p.stem for p in FIGURES])
def test_bundled_sample_reads_back(figures_path: Path) -> None:
    figures = json.loads(figures_path.read_text(encoding="utf-8"))
    (sample,) = SAMPLE_REPORTS.glob(f"{figures_path.stem}.*")
    report = interpret(read_document(sample.read_bytes(), sample.name))
    assert (report.agency, report.year) == (figures["agency"], figures["year"])
    assert_cells_equal(report, figures["cells"])
