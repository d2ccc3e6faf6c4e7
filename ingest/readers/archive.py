"""Zip containers (.docx): every part inflated through a capped stream, before any parser sees it.

python-docx reads every part of the package into memory and parses the XML ones whole, so a
small file can claim a gigabyte.  The sizes in the zip headers are the sender's word: a part
may declare 4 KB and inflate to 300 MB, and ``ZipFile.read`` inflates the whole stream in one
call before it compares.  So no part is ever read whole: :func:`capped_package` reads each one
in chunks through ``ZipFile.open`` and stops one byte past its limit (zipfile also stops at the
declared size, and a part longer than declared then ends in a CRC error after that many bytes).
The parts that passed are written into a fresh in-memory zip whose headers are true, and only
that package is given to python-docx.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from ingest import limits
from ingest.model import IngestError

_CENTRAL_ENTRY = b"PK\x01\x02"
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_TABLE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?tc[\s/>]")
_CHUNK = 64 * 1024
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
"""What Word writes.  bzip2 and LZMA inflate a whole input chunk at once, so they are refused."""

CORRUPT = "Word 文件损坏或不完整 / corrupt or truncated .docx"


def check_entry_count(data: bytes) -> None:
    """Refuse an archive with absurdly many parts before zipfile lists them all.

    Counting central-directory signatures is an upper bound found at memory speed (the bytes
    may also occur inside compressed data, about once per 4 GB).
    """
    entries = data.count(_CENTRAL_ENTRY)
    if entries > limits.MAX_ZIP_ENTRIES:
        raise limits.exceeds(
            f"压缩包含 {entries} 个部件（上限 {limits.MAX_ZIP_ENTRIES}）",
            f"{entries} zip entries (limit {limits.MAX_ZIP_ENTRIES})",
        )


def capped_package(data: bytes) -> bytes:
    """The package rebuilt from parts read within the limits; refuses a bomb or a corrupt zip.

    Raises :class:`IngestError`: a limit (declared or real size, compression ratio, XML
    elements, table cells) or :data:`CORRUPT` (bad zip, CRC error: a part longer than declared).
    """
    check_entry_count(data)
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as fresh:
            parts = archive.infolist()
            _check_declared(parts)
            _copy_parts(archive, parts, fresh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, KeyError, RuntimeError,
            NotImplementedError, ValueError) as exc:  # RuntimeError: an encrypted part
        raise IngestError(CORRUPT) from exc
    return out.getvalue()


def _check_declared(parts: list[zipfile.ZipInfo]) -> None:
    """Refuse at once what the headers admit to (cheap, before inflating anything)."""
    total = 0
    for part in parts:
        _check_part(part.filename, part.file_size, part.compress_size)
        total += part.file_size
    _check_total(total)


def _copy_parts(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], fresh: zipfile.ZipFile) -> None:
    """Inflate each part within its cap, check what it really holds, and keep it."""
    total = 0
    cells = 0
    elements = 0
    for part in parts:
        if part.is_dir():
            continue
        if part.compress_type not in _COMPRESSIONS:
            raise IngestError(f"{CORRUPT}（压缩方式 {part.compress_type}）")
        cap = min(limits.MAX_ZIP_PART_BYTES, limits.MAX_ZIP_TOTAL_BYTES - total)
        body = read_capped(archive, part, cap)  # one byte past ``cap`` when the part is too large
        total += len(body)
        _check_part(part.filename, len(body), part.compress_size)
        _check_total(total)
        if part.filename == "word/document.xml":
            cells = limits.count_upto(_TABLE_CELL, body, limits.MAX_DOCUMENT_CELLS)
        if part.filename.endswith((".xml", ".rels")):
            elements += limits.count_upto(_ELEMENT, body, limits.MAX_XML_ELEMENTS - elements)
        _check_xml(cells, elements)
        fresh.writestr(part.filename, body)


def read_capped(archive: zipfile.ZipFile, part: zipfile.ZipInfo, cap: int) -> bytes:
    """The inflated part, read in chunks; at most ``cap + 1`` bytes are ever inflated (one byte
    past the cap proves the part too large without inflating the rest; the caller refuses it)."""
    chunks: list[bytes] = []
    size = 0
    with archive.open(part) as stream:
        while size <= cap:
            chunk = stream.read(min(_CHUNK, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks)


def _check_total(total: int) -> None:
    if total > limits.MAX_ZIP_TOTAL_BYTES:
        raise limits.exceeds(
            f"解压后共 {total // limits.MB} MB（上限 {limits.MAX_ZIP_TOTAL_BYTES // limits.MB} MB）",
            f"{total // limits.MB} MB uncompressed in all",
        )


def _check_xml(cells: int, elements: int) -> None:
    """Table cells of the main document and elements of all XML parts, counted before parsing."""
    if cells > limits.MAX_DOCUMENT_CELLS:
        raise limits.exceeds(f"Word 表格超过 {limits.MAX_DOCUMENT_CELLS} 个单元格",
                             f"more than {limits.MAX_DOCUMENT_CELLS} table cells")
    if elements > limits.MAX_XML_ELEMENTS:
        raise limits.exceeds(f"Word 文件超过 {limits.MAX_XML_ELEMENTS} 个 XML 元素",
                             f"more than {limits.MAX_XML_ELEMENTS} XML elements")


def _check_part(name: str, size: int, compressed: int) -> None:
    if size > limits.MAX_ZIP_PART_BYTES:
        raise limits.exceeds(
            f"{name[:60]} 解压后 {size // limits.MB} MB（上限 {limits.MAX_ZIP_PART_BYTES // limits.MB} MB）",
            f"{size // limits.MB} MB uncompressed part",
        )
    ratio = size / max(compressed, 1)
    if size >= limits.RATIO_MIN_BYTES and ratio > limits.MAX_COMPRESSION_RATIO:
        raise limits.exceeds(
            f"{name[:60]} 压缩比 {ratio:.0f}:1（上限 {limits.MAX_COMPRESSION_RATIO}:1），疑似压缩炸弹",
            f"compression ratio {ratio:.0f}:1 (zip bomb?)",
        )
