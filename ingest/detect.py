"""Decide what kind of file a report is from its bytes, never from its name.

Users upload files named ``report.pdf`` that are really Word documents, HTML pages saved as
``.doc``, and text pasted into ``.txt`` in GBK.  The extension lies often enough that the
content is the only thing we trust.
"""

from __future__ import annotations

import io
import re
import zipfile

from ingest.model import IngestError
from ingest.readers.archive import check_entry_count
from ingest.readers.office import is_legacy_office

KINDS = ("pdf", "docx", "doc", "html", "markdown", "text")

_HTML_SNIFF = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|meta|title|table|tr|td|p|div|span|br)\b", re.IGNORECASE
)
_PRINTABLE_SHARE = 0.95
"""Share of characters that must be printable (or whitespace) for bytes to count as text."""


def detect_kind(data: bytes) -> str:
    """Return ``pdf``, ``docx``, ``doc``, ``html``, ``markdown`` or ``text``; raise :class:`IngestError` otherwise."""
    if not data or not data.strip():
        raise IngestError("空文件 / empty file")
    if _is_pdf(data):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if is_legacy_office(data):  # .doc, .wps (and .xls/.ppt, which the conversion refuses)
        return "doc"
    text = decode_text(data)
    if text is None:
        raise IngestError("无法识别的文件类型 / not a report (binary data)")
    if _starts_like_html(data):
        return "html"
    if looks_like_markdown(text):  # before counting tags: converters write <br> inside pipe cells
        return "markdown"
    if _looks_like_html(data):
        return "html"
    return "text"


def _is_pdf(data: bytes) -> bool:
    """``%PDF`` must appear near the start (some generators put junk before it)."""
    return b"%PDF-" in data[:1024]


def _zip_kind(data: bytes) -> str:
    check_entry_count(data)  # before zipfile lists a million entries
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError("压缩文件损坏（.docx 不完整？）/ corrupt zip (truncated .docx?)") from exc
    if "word/document.xml" in names:
        return "docx"
    raise IngestError("不是 Word 文档的压缩文件 / a zip archive that is not a .docx report")


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$|^[^|]*\|[^|]*\|")  # outer pipes, or two bars without them
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
MARKDOWN_MIN_ROWS = 3
"""Pipe rows (``| a | 1 |``) a file needs, one rule line (``|---|---|``) among them, to be Markdown."""


def looks_like_markdown(text: str) -> bool:
    """Markdown tables, as PDF-to-Markdown converters write them: pipe rows and a rule line.

    Prose with a stray "|" has no rule line; a tab-separated export has no pipes."""
    rows = rules = 0
    for line in text.splitlines():
        if _PIPE_RULE.match(line):
            rules += 1
        elif _PIPE_ROW.match(line):
            rows += 1
        if rules and rows >= MARKDOWN_MIN_ROWS:
            return True
    return False


def _starts_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] == b"<" and bool(_HTML_SNIFF.search(head[:200]))


def _looks_like_html(data: bytes) -> bool:
    return _starts_like_html(data) or len(_HTML_SNIFF.findall(data[:65536])) >= 3


def decode_text(data: bytes) -> str | None:
    """Decode as UTF-8 (BOM allowed) or GB18030; None when the bytes are not mostly printable text."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_printable(text):
            return text
    return None


_ALLOWED_CONTROLS = re.compile(r"[\t\r\n\f]+")


def _mostly_printable(text: str) -> bool:
    if not text:
        return False
    sample = text[:20000]
    if all(piece.isprintable() for piece in _ALLOWED_CONTROLS.split(sample)):
        return True  # every character counts (a text file's usual case): no need to count them
    good = sum(1 for ch in sample if ch.isprintable() or ch in "\t\r\n\f")
    return good / len(sample) >= _PRINTABLE_SHARE
