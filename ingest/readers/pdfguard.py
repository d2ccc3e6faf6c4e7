"""PDF checks that bound the work pdfminer will do, made before it does it.

pdfminer inflates a stream whole (a 1 MB FlateDecode stream can claim a gigabyte), builds an
object of about 2 KB for every glyph it lays out, and replays a form XObject every time a page
invokes it (a tiny file can draw millions of glyphs).  So, before any page is laid out:

* every compressed stream in the file is inflated into nothing, stopping at
  :data:`~ingest.limits.MAX_PDF_STREAM_BYTES` (a bomb is found at memory speed);
* each page is first replayed through a device that only counts glyphs and paths (no layout,
  no objects), stopping at :data:`~ingest.limits.MAX_PDF_PAGE_GLYPHS`.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from pdfminer.pdfdevice import PDFDevice
from pdfminer.pdfinterp import PDFPageInterpreter

from ingest import limits

_STREAM = re.compile(rb"stream\r?\n")
_CHUNK = 64 * 1024


def check_streams(data: bytes) -> None:
    """Refuse a file whose compressed streams inflate beyond the limits (counted, never kept)."""
    total = 0
    for match in _STREAM.finditer(data):
        size = _inflated_size(data, match.end(), limits.MAX_PDF_STREAM_BYTES + 1)
        if size > limits.MAX_PDF_STREAM_BYTES:
            raise limits.exceeds(f"PDF 数据流解压后超过 {limits.MAX_PDF_STREAM_BYTES // limits.MB} MB，疑似压缩炸弹",
                                 f"a PDF stream inflating beyond {limits.MAX_PDF_STREAM_BYTES // limits.MB} MB")
        total += size
        if total > limits.MAX_PDF_INFLATED_BYTES:
            raise limits.exceeds(f"PDF 数据流解压后共超过 {limits.MAX_PDF_INFLATED_BYTES // limits.MB} MB",
                                 f"PDF streams inflating beyond {limits.MAX_PDF_INFLATED_BYTES // limits.MB} MB")


def _inflated_size(data: bytes, start: int, limit: int) -> int:
    """Bytes the zlib stream at ``start`` inflates to, up to ``limit``; 0 when it is not zlib."""
    inflater = zlib.decompressobj()
    size, position = 0, start
    try:
        while size < limit and position < len(data) and not inflater.eof:
            chunk = inflater.unconsumed_tail or data[position:position + _CHUNK]
            if not inflater.unconsumed_tail:
                position += _CHUNK
            size += len(inflater.decompress(chunk, min(_CHUNK * 16, limit - size)))
    except zlib.error:
        return size
    return size


class _Tally(PDFDevice):
    """A device that draws nothing and counts what the page asks for."""

    def __init__(self, rsrcmgr: Any, number: int) -> None:
        super().__init__(rsrcmgr)
        self.number = number
        self.glyphs = 0
        self.paths = 0

    def render_string(self, textstate: Any, seq: Any, ncs: Any, graphicstate: Any) -> None:
        self.glyphs += sum(len(item) for item in seq if isinstance(item, bytes | str))
        if self.glyphs > limits.MAX_PDF_PAGE_GLYPHS:
            raise limits.exceeds(f"PDF 第 {self.number} 页文字超过 {limits.MAX_PDF_PAGE_GLYPHS} 个",
                                 f"page {self.number} draws more than {limits.MAX_PDF_PAGE_GLYPHS} glyphs")

    def paint_path(self, graphicstate: Any, stroke: bool, fill: bool, evenodd: bool, path: Any) -> None:
        self.paths += 1
        if self.paths > limits.MAX_PDF_PAGE_PATHS:
            raise limits.exceeds(f"PDF 第 {self.number} 页图形超过 {limits.MAX_PDF_PAGE_PATHS} 个",
                                 f"page {self.number} draws more than {limits.MAX_PDF_PAGE_PATHS} paths")


def check_page(pdf: Any, page: Any, number: int) -> None:
    """Replay one page through :class:`_Tally`: raises as soon as it draws too much."""
    device = _Tally(pdf.rsrcmgr, number)
    PDFPageInterpreter(pdf.rsrcmgr, device).process_page(page.page_obj)
