"""PDFs as agencies really make them: Word and web pages exported to PDF by LibreOffice.

reportlab fixtures are tidy; a Word export breaks rows across pages mid-label, repeats merged
labels and draws its own rules.  Every bundled figures file is rendered to .docx and to HTML,
converted by LibreOffice headless, ingested, and must give back exactly its figures.
Skipped when LibreOffice is not installed (scripts/test.sh installs it where it can).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ingest.pipeline import parse_bytes
from ingest.render import render_docx, render_html
from tests.conftest import ROOT, SOFFICE, needs_libreoffice

FIGURES = sorted((ROOT / "bot" / "samples" / "figures").glob("*.json"))

pytestmark = [needs_libreoffice, pytest.mark.slow]


def _convert(sources: list[Path], out: Path, *extra: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{out.parent / 'lo-profile'}", *extra,
         "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), *map(str, sources)],
        check=True, capture_output=True, timeout=600,
    )


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("lo")
    docx = [render_docx(json.loads(p.read_text(encoding="utf-8")), work / f"{p.stem}.docx") for p in FIGURES]
    html = [render_html(json.loads(p.read_text(encoding="utf-8")), work / f"{p.stem}.web.html") for p in FIGURES]
    _convert(docx, work / "pdf")
    _convert(html, work / "pdf", '--infilter=HTML (StarWriter)')
    return {p.name: p for p in (work / "pdf").glob("*.pdf")}


@pytest.mark.parametrize("figures_path", FIGURES, ids=lambda p: p.stem)
@pytest.mark.parametrize("via", ["docx", "web"])
def test_libreoffice_pdf_reads_back_exactly(figures_path: Path, via: str, pdfs: dict[str, Path]) -> None:
    figures = json.loads(figures_path.read_text(encoding="utf-8"))
    name = f"{figures_path.stem}.pdf" if via == "docx" else f"{figures_path.stem}.web.pdf"
    report = parse_bytes(pdfs[name].read_bytes(), name)
    assert (report.agency, report.year) == (figures["agency"], figures["year"])
    wrong = {
        key: (want, report.cells[key].value, report.cells[key].reason)
        for key, want in figures["cells"].items()
        if report.cells[key].flagged or report.cells[key].value != want
    }
    assert not wrong
