"""Hostile files, made on the spot, and a jail to ingest them in.

Each generator writes one file meant to hurt a reader: decompression bombs, entity expansion,
endless pages, deep nesting, giant lines, garbage.  :func:`ingest_jailed` ingests a file in a
child process with an address-space limit and reports what happened, so a reader that blows up
shows as a failed assertion instead of taking the test run down with it.
"""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

MEMORY_BUDGET = 768 * 1024 * 1024
"""Address space a child may add beyond what its imports took (a report needs a few MB)."""
TIME_BOUND = 10.0
"""Seconds a child may spend on one hostile file."""

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_CHILD = r"""
import json, resource, sys, time
import ingest.pipeline, ingest.interpret, ingest.checks, ingest.alerts
import ingest.readers.pdf, ingest.readers.docx, ingest.readers.html, ingest.readers.text
from store.db import open_db
from ingest.pipeline import ingest_file

def status_kb(field):
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'):
            return int(line.split()[1])
    return 0

db = open_db(sys.argv[1])
limit = status_kb('VmSize') * 1024 + int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
# VmHWM is this process's own resident high-water mark; ru_maxrss is not: Linux carries the
# parent's peak (pytest's) across fork and exec into it
hwm0 = status_kb('VmHWM')
start = time.monotonic()
outcome = ingest_file(db, sys.argv[2], origin="hostile")
print(json.dumps({
    "ok": outcome.ok, "outcome": outcome.outcome, "error": outcome.error, "cells": outcome.cells,
    "seconds": time.monotonic() - start,
    "rss_growth_mb": (status_kb('VmHWM') - hwm0) / 1024,
    "peak_rss_mb": status_kb('VmHWM') / 1024,
}, ensure_ascii=False))
"""


@dataclass
class Jailed:
    """What happened to one file in the child."""

    returncode: int
    result: dict
    stderr: str

    @property
    def crashed(self) -> bool:
        return self.returncode != 0 or not self.result


def ingest_jailed(db_path: Path, path: Path, *, budget: int = MEMORY_BUDGET, timeout: float = 60) -> Jailed:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(db_path), str(path), str(budget)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout,
    )
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if done.returncode == 0 and lines else {}
    return Jailed(done.returncode, result, done.stderr[-3000:])


# --------------------------------------------------------------------------------------------
# Word


def _docx_with(path: Path, document_xml: Callable[[zipfile.ZipFile], None]) -> Path:
    """A real .docx (typeset by the project) whose document.xml is replaced."""
    from ingest.render import render_docx
    from tests.ops_corpus import figures

    template = render_docx(figures(0), path.with_suffix(".template.docx"))
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item.filename))
        document_xml(dst)
    template.unlink()
    return path


def zip_bomb_docx(path: Path, uncompressed: int = 1 << 30) -> Path:
    """document.xml of ``uncompressed`` bytes (1 GiB) that deflates to about a megabyte."""

    def write(dst: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as handle:
            handle.write(f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>'.encode())
            chunk = b"0" * (1 << 22)
            for _ in range(uncompressed // len(chunk)):
                handle.write(chunk)
            handle.write(b"</w:t></w:r></w:p></w:body></w:document>")

    return _docx_with(path, write)


def false_header_bomb_docx(path: Path, inflated: int = 300 << 20, claimed: int = 4096) -> Path:
    """document.xml that inflates to 300 MB while both zip headers claim it is 4 KB.

    Written as an honest zip, then the uncompressed-size fields of the part's local header and
    central-directory entry are patched: a reader that trusts the declared size and inflates the
    whole stream before checking it takes the full 300 MB.
    """

    def write(dst: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w") as handle:
            handle.write(f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>'.encode())
            chunk = b"0" * (1 << 22)
            for _ in range(inflated // len(chunk)):
                handle.write(chunk)
            handle.write(b"</w:t></w:r></w:p></w:body></w:document>")

    _docx_with(path, write)
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    local = _header_offset(data, b"PK\x03\x04", 30, 26, name)
    central = _header_offset(data, b"PK\x01\x02", 46, 28, name)
    data[local + 22 : local + 26] = claimed.to_bytes(4, "little")
    data[central + 24 : central + 28] = claimed.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def _header_offset(data: bytearray, signature: bytes, fixed: int, name_len_at: int, name: bytes) -> int:
    """Offset of the zip header with ``signature`` whose file name is ``name``."""
    at = data.find(signature)
    while at >= 0:
        length = int.from_bytes(data[at + name_len_at : at + name_len_at + 2], "little")
        if data[at + fixed : at + fixed + length] == name:
            return at
        at = data.find(signature, at + 4)
    raise ValueError(f"no {signature!r} header for {name!r}")


def entity_bomb_docx(path: Path) -> Path:
    """Billion laughs: ten levels of ten-fold entity expansion in document.xml."""
    entities = ['<!ENTITY lol0 "lollollollol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{"".join(entities)}]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    )
    return _docx_with(path, lambda dst: dst.writestr("word/document.xml", xml))


def many_cells_docx(path: Path, rows: int = 6000, cols: int = 60) -> Path:
    """A table of 360,000 cells (a ~130 KB file): a real structure, just absurdly large."""
    cell = "<w:tc><w:p><w:r><w:t>9</w:t></w:r></w:p></w:tc>"
    row = "<w:tr>" + cell * cols + "</w:tr>"
    xml = f'<w:document xmlns:w="{W_NS}"><w:body><w:tbl>{row * rows}</w:tbl></w:body></w:document>'
    return _docx_with(path, lambda dst: dst.writestr("word/document.xml", xml))


def not_xml_docx(path: Path) -> Path:
    return _docx_with(path, lambda dst: dst.writestr("word/document.xml", b"\x00\xff not xml <<<"))


def truncated_docx(path: Path) -> Path:
    from ingest.render import render_docx
    from tests.ops_corpus import figures

    data = render_docx(figures(1), path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_not_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("evil/../../../../tmp/owned.txt", "path traversal inside a zip")
        archive.writestr("readme.txt", "not a report")
    return path


# --------------------------------------------------------------------------------------------
# HTML


def huge_line_html(path: Path, size: int = 10 * 1024 * 1024) -> Path:
    body = ("政府信息公开" * (size // 18 + 1))[: size // 3]
    path.write_text(f"<html><head><title>年度报告</title></head><body><p>{body}</p></body></html>", encoding="utf-8")
    return path


def huge_table_line_html(path: Path, cells: int = 400_000) -> Path:
    """One 10 MB line of table cells with absurd spans."""
    row = '<td rowspan="100000" colspan="100000">1</td>' * 10
    path.write_text("<html><body><table>" + ("<tr>" + row + "</tr>") * (cells // 10) + "</table></body></html>",
                    encoding="utf-8")
    return path


def deep_html(path: Path, depth: int = 200_000) -> Path:
    path.write_text("<html><body>" + "<div><table><tr><td>" * depth + "1" + "</td></tr></table></div>" * depth,
                    encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# PDF (written by hand: the point is a structure no generator would make)


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF with a correct xref table from numbered object bodies (object i+1 = objects[i])."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def many_pages_pdf(path: Path, pages: int = 5000) -> Path:
    """Thousands of pages sharing one small content stream: a small file, a long read."""
    content = b"BT /F1 12 Tf 72 720 Td (2023 nian du bao gao) Tj ET"
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 3 0 R >> >> >>"] * pages
    path.write_bytes(_pdf(objects))
    return path


def deep_pdf(path: Path, depth: int = 100_000) -> Path:
    """A page whose resources hold an array nested 100,000 deep, and a dictionary as deep."""
    nested = b"[" * depth + b"1" + b"]" * depth
    deep_dict = b"<< /A " * depth + b"1" + b" >>" * depth
    content = b"BT /F1 12 Tf 72 720 Td (x) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Deep 5 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 6 0 R >> /Deep 5 0 R /Deeper 7 0 R >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        nested,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        deep_dict,
    ]
    path.write_bytes(_pdf(objects))
    return path


def self_referencing_pdf(path: Path) -> Path:
    """A page tree whose Kids point back at itself: a loop, not a tree."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
    ]
    path.write_bytes(_pdf(objects))
    return path


def wrapped_bomb_pdf(path: Path, inflated: int = 256 << 20) -> Path:
    """A content stream of 256 MB of zeros, deflated to ~250 KB and wrapped in ASCII85: the
    wrapper hides the zlib header from a scan that only tries raw Flate."""
    packer, zeros = zlib.compressobj(9), bytes(1 << 20)
    packed = b"".join(packer.compress(zeros) for _ in range(inflated >> 20)) + packer.flush()
    wrapped = base64.a85encode(packed) + b"~>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter [/ASCII85Decode /FlateDecode] >>\nstream\n" % len(wrapped) + wrapped + b"\nendstream",
    ]
    path.write_bytes(_pdf(objects))
    return path


def _replaying_pdf(path: Path, drawing: bytes, times: int) -> Path:
    """One page invoking a form XObject ``times`` times; the form draws ``drawing``.  A small
    file (the page's content is ``times`` short "Do"s, the form is drawn once) that asks for
    ``times`` × the form's work."""
    content = b"q /X1 Do Q\n" * times
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /X1 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 6 0 R >> >> "
        b"/Length %d >>\nstream\n" % len(drawing) + drawing + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    path.write_bytes(_pdf(objects))
    return path


def glyph_bomb_pdf(path: Path) -> Path:
    """A page drawing 10,000,000 glyphs: a 1,000-glyph form replayed 10,000 times."""
    return _replaying_pdf(path, b"BT /F1 8 Tf 10 700 Td (" + b"x" * 1000 + b") Tj ET", 10_000)


def path_bomb_pdf(path: Path) -> Path:
    """A page drawing 10,000,000 rectangles: a 1,000-rectangle form replayed 10,000 times."""
    return _replaying_pdf(path, b"".join(b"%d %d 5 5 re S\n" % (i % 100 * 6, i // 100 * 6) for i in range(1000)), 10_000)


def truncated_pdf(path: Path) -> Path:
    data = _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    path.write_bytes(data[: len(data) // 2])
    return path


# --------------------------------------------------------------------------------------------
# anything


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def whitespace_file(path: Path) -> Path:
    path.write_bytes(b" \r\n\t" * 1000)
    return path


def binary_garbage(path: Path) -> Path:
    path.write_bytes(random.Random(7).randbytes(1 << 20))
    return path


def nul_text(path: Path) -> Path:
    path.write_bytes("本年新收政府信息公开申请数量\t5\n".encode() * 10 + b"\x00" * 100_000)
    return path


def sparse_200mb(path: Path) -> Path:
    """200 MB that takes no disk: must be refused by its size, never read."""
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    return path


def long_text_line(path: Path) -> Path:
    path.write_text("本年新收政府信息公开申请数量" + "\t1" * 2_000_000 + "\n", encoding="utf-8")
    return path


HOSTILE_FILES: dict[str, Callable[[Path], Path]] = {
    "zip-bomb.docx": zip_bomb_docx,
    "false-header-bomb.docx": false_header_bomb_docx,
    "entity-bomb.docx": entity_bomb_docx,
    "many-cells.docx": many_cells_docx,
    "not-xml.docx": not_xml_docx,
    "truncated.docx": truncated_docx,
    "zip-traversal.docx": zip_not_docx,
    "huge-line.html": huge_line_html,
    "huge-table-line.html": huge_table_line_html,
    "deep.html": deep_html,
    "many-pages.pdf": many_pages_pdf,
    "deep.pdf": deep_pdf,
    "loop.pdf": self_referencing_pdf,
    "truncated.pdf": truncated_pdf,
    "wrapped-bomb.pdf": wrapped_bomb_pdf,
    "glyph-bomb.pdf": glyph_bomb_pdf,
    "path-bomb.pdf": path_bomb_pdf,
    "empty.txt": empty_file,
    "whitespace.txt": whitespace_file,
    "garbage.bin": binary_garbage,
    "nul.txt": nul_text,
    "sparse-200mb.pdf": sparse_200mb,
    "long-line.txt": long_text_line,
}
"""file name → generator.  Every one of them must be refused with one clear line."""
