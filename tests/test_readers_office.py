"""Legacy Word reports (.doc): converted by LibreOffice, read exactly; refused clearly without it.

The .doc fixtures are made here from the bundled figures: rendered to .docx, saved as Word 97
by LibreOffice.  Tests that need LibreOffice skip without it (`scripts/test.sh --with-system-packages` installs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from ingest import limits
from ingest.detect import detect_kind
from ingest.model import IngestError
from ingest.pipeline import ingest_bytes, parse_bytes
from ingest.readers.office import OLE_MAGIC, convert_to_docx, soffice
from ingest.render import render_docx
from store.db import open_db
from tests.conftest import NO_LIBREOFFICE, ROOT, SOFFICE, needs_libreoffice

needs_office = needs_libreoffice
FIGURES = {p.stem: p for p in sorted((ROOT / "bot" / "samples" / "figures").glob("*.json"))}
CHOSEN = ("liaocheng-dashuju-2019", "pingtan-2023", "shanghai-bangongting-2019")
"""A 2019 report with an amount, a 2021 report, and one with blank 总计 cells."""


def _figures(stem: str) -> dict:
    return json.loads(FIGURES[stem].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each chosen figures file as a Word 97 .doc, made by LibreOffice from our .docx."""
    if SOFFICE is None:
        pytest.skip(NO_LIBREOFFICE)
    work = tmp_path_factory.mktemp("doc")
    sources = [render_docx(_figures(stem), work / f"{stem}.docx") for stem in CHOSEN]
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation={(work / 'profile').as_uri()}",
         "--convert-to", "doc:MS Word 97", "--outdir", str(work / "out"), *map(str, sources)],
        check=True, capture_output=True, timeout=600,
    )
    return {stem: (work / "out" / f"{stem}.doc").read_bytes() for stem in CHOSEN}


def test_ole_files_are_detected_as_legacy_word() -> None:
    assert detect_kind(OLE_MAGIC + bytes(600)) == "doc"


@needs_office
@pytest.mark.slow
@pytest.mark.parametrize("stem", CHOSEN)
def test_doc_reads_back_exactly(docs: dict[str, bytes], stem: str) -> None:
    data = docs[stem]
    assert data.startswith(OLE_MAGIC)  # the premise: a real binary Word file
    figures = _figures(stem)
    report = parse_bytes(data, f"{stem}.doc")
    assert report.source_kind == "doc"
    assert (report.agency, report.year) == (figures["agency"], figures["year"])
    wrong = {key: (want, report.cells[key].value, report.cells[key].reason)
             for key, want in figures["cells"].items()
             if report.cells[key].flagged or report.cells[key].value != want}
    assert not wrong


@needs_office
@pytest.mark.slow
def test_ole_file_that_is_not_word_is_refused_in_one_line(db_path: Path) -> None:
    """LibreOffice may refuse it or import it as text; either way one line, nothing stored."""
    db = open_db(db_path)
    outcome = ingest_bytes(db, OLE_MAGIC + os.urandom(4096), "表格.xls")
    assert not outcome.ok and outcome.error and "\n" not in outcome.error and " / " in outcome.error
    assert db.execute("select count(*) from reports").fetchone()[0] == 0


def test_without_libreoffice_the_user_is_told_what_to_do(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    monkeypatch.setenv("XXGK_SOFFICE", "off")
    assert soffice() is None
    db = open_db(db_path)
    outcome = ingest_bytes(db, OLE_MAGIC + bytes(4096), "2023年报告.doc")
    assert not outcome.ok
    assert "另存为 .docx 或 PDF" in outcome.error and "save it as .docx or PDF" in outcome.error
    assert db.execute("select count(*) from reports").fetchone()[0] == 0


def test_a_configured_program_that_is_missing_counts_as_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_SOFFICE", "/nonexistent/soffice")
    assert soffice() is None


def _hung_soffice(tmp_path: Path) -> tuple[Path, Path]:
    """A LibreOffice that never finishes (it waits on a child), and the file its pids go to."""
    marker = tmp_path / "pids"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! >> {marker}\necho $$ >> {marker}\nwait\n", encoding="utf-8")
    fake.chmod(0o755)
    return fake, marker


def test_a_hung_conversion_is_stopped_with_its_children(tmp_path: Path) -> None:
    """A LibreOffice that never finishes is killed whole (its process group) at the time limit."""
    fake, marker = _hung_soffice(tmp_path)
    start = time.monotonic()
    with pytest.raises(IngestError) as exc:
        convert_to_docx(str(fake), OLE_MAGIC + bytes(100), timeout=1)
    assert time.monotonic() - start < 10
    assert "超过 1 秒" in str(exc.value) and "took over 1 s" in str(exc.value)
    for pid in map(int, marker.read_text().split()):
        assert not _alive(pid), f"process {pid} outlived the conversion"


def test_the_time_limit_is_the_configured_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a .doc stops the conversion at ``limits.OFFICE_SECONDS`` (set to 1 s here), not
    at some other number; the limit shipped is a sane one."""
    assert 30 <= limits.OFFICE_SECONDS <= 600
    fake, marker = _hung_soffice(tmp_path)
    monkeypatch.setenv("XXGK_SOFFICE", str(fake))
    monkeypatch.setattr(limits, "OFFICE_SECONDS", 1.0)
    start = time.monotonic()
    with pytest.raises(IngestError) as exc:
        parse_bytes(OLE_MAGIC + bytes(100), "2023年报告.doc")
    assert time.monotonic() - start < 10 and "超过 1 秒" in str(exc.value)
    assert all(not _alive(pid) for pid in map(int, marker.read_text().split()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split()[2] != "Z"
