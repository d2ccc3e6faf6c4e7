"""Zip containers (.docx) checked before anything inflates them.

python-docx reads every part of the package into memory and parses the XML ones whole, so a
small file can claim a gigabyte.  The central directory declares each part's sizes; Python's
zipfile never inflates past a part's declared size (a lie ends in a CRC error), so the
declared sizes are a safe bound and checking them costs microseconds.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from ingest import limits

_CENTRAL_ENTRY = b"PK\x01\x02"
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_TABLE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?tc[\s/>]")


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


def check_archive(data: bytes) -> None:
    """Refuse a zip whose parts would inflate beyond reason; a corrupt zip is left to the reader."""
    check_entry_count(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_sizes(archive.infolist())
            _check_xml(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
        return  # corrupt: python-docx will say so


def _check_sizes(parts: list[zipfile.ZipInfo]) -> None:
    total = 0
    for part in parts:
        _check_part(part)
        total += part.file_size
    if total > limits.MAX_ZIP_TOTAL_BYTES:
        raise limits.exceeds(
            f"解压后共 {total // limits.MB} MB（上限 {limits.MAX_ZIP_TOTAL_BYTES // limits.MB} MB）",
            f"{total // limits.MB} MB uncompressed in all",
        )


def _check_xml(archive: zipfile.ZipFile) -> None:
    """Count table cells of the main document and elements of every XML part, before parsing."""
    names = archive.namelist()
    if "word/document.xml" in names:
        cells = limits.count_upto(_TABLE_CELL, archive.read("word/document.xml"), limits.MAX_DOCUMENT_CELLS)
        if cells > limits.MAX_DOCUMENT_CELLS:
            raise limits.exceeds(f"Word 表格超过 {limits.MAX_DOCUMENT_CELLS} 个单元格",
                                 f"more than {limits.MAX_DOCUMENT_CELLS} table cells")
    budget = limits.MAX_XML_ELEMENTS
    for name in names:
        if name.endswith((".xml", ".rels")):
            budget -= limits.count_upto(_ELEMENT, archive.read(name), budget)
            if budget < 0:
                raise limits.exceeds(f"Word 文件超过 {limits.MAX_XML_ELEMENTS} 个 XML 元素",
                                     f"more than {limits.MAX_XML_ELEMENTS} XML elements")


def _check_part(part: zipfile.ZipInfo) -> None:
    size = part.file_size
    if size > limits.MAX_ZIP_PART_BYTES:
        raise limits.exceeds(
            f"{part.filename[:60]} 解压后 {size // limits.MB} MB（上限 {limits.MAX_ZIP_PART_BYTES // limits.MB} MB）",
            f"{size // limits.MB} MB uncompressed part",
        )
    ratio = size / max(part.compress_size, 1)
    if size >= limits.RATIO_MIN_BYTES and ratio > limits.MAX_COMPRESSION_RATIO:
        raise limits.exceeds(
            f"{part.filename[:60]} 压缩比 {ratio:.0f}:1（上限 {limits.MAX_COMPRESSION_RATIO}:1），疑似压缩炸弹",
            f"compression ratio {ratio:.0f}:1 (zip bomb?)",
        )
