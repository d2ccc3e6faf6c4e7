"""Legacy Word and WPS files (.doc, .wps): converted to .docx by LibreOffice, then read as .docx.

Many agencies still publish the binary Word format, an OLE2 compound file; Kingsoft WPS saves
its documents in the same container.  No well-kept Python library reads their tables, and
LibreOffice does it well.  So when ``soffice`` is installed, the file is converted headless in a
private, temporary profile (conversions never share or lock one) under a time limit, and the
.docx reader does the rest.  Without LibreOffice the user is told what to do instead.

``XXGK_SOFFICE`` names the program (a path or a name on PATH); ``XXGK_SOFFICE=off`` refuses
these files even where LibreOffice is installed (a host that must not run it on uploads).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from ingest import limits
from ingest.model import Document, IngestError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an OLE2 compound file (.doc, .wps, and also .xls, .ppt)."""
_OFF = {"off", "0", "false", "no", "none"}


def is_legacy_office(data: bytes) -> bool:
    return data.startswith(OLE_MAGIC)


def soffice() -> str | None:
    """The LibreOffice program to convert with, or None (not installed, or switched off)."""
    configured = os.environ.get("XXGK_SOFFICE", "").strip()
    if configured.lower() in _OFF:
        return None
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy_word(data: bytes, name: str = "") -> Document:
    """Read a .doc or .wps report through a LibreOffice conversion to .docx."""
    from ingest.readers.docx import read_docx

    program = soffice()
    if program is None:
        raise IngestError(
            "旧版 Word/WPS 文件（.doc/.wps）需要 LibreOffice 转换，本机未启用；请另存为 .docx 或 PDF 后再上传"
            " / a legacy .doc/.wps file needs LibreOffice, which is not available here: save it as .docx or PDF"
        )
    document = read_docx(convert_to_docx(program, data), name)
    return replace(document, kind="doc")


def convert_to_docx(program: str, data: bytes, timeout: float | None = None) -> bytes:
    """The .docx LibreOffice makes of ``data``; IngestError when it cannot, or takes too long."""
    seconds = limits.OFFICE_SECONDS if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="xxgk-office-") as work:
        source, out = Path(work, "report.doc"), Path(work, "out")
        source.write_bytes(data)
        command = [
            program, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            f"-env:UserInstallation={Path(work, 'profile').as_uri()}",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source),
        ]
        _run(command, seconds, work)
        converted = out / "report.docx"
        if not converted.is_file() or converted.stat().st_size == 0:
            raise IngestError(
                "LibreOffice 无法转换此文件（不是 Word/WPS 文档，或文件已损坏）"
                " / LibreOffice could not convert it (not a Word/WPS document, or damaged)"
            )
        return converted.read_bytes()


def _run(command: list[str], seconds: float, home: str) -> None:
    """Run LibreOffice in its own process group, so a hung conversion is killed whole."""
    env = {**os.environ, "HOME": home}  # LibreOffice writes under $HOME even with a profile given
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as exc:
        raise IngestError(f"无法启动 LibreOffice / cannot start LibreOffice: {exc.strerror or exc}") from exc
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        raise IngestError(
            f"LibreOffice 转换超过 {seconds:g} 秒，已中止 / LibreOffice conversion took over {seconds:g} s, stopped"
        ) from None
    finally:
        try:  # the launcher may leave soffice.bin behind; nothing of the group outlives the call
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
