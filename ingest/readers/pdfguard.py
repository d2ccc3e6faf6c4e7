"""PDF checks that bound the work pdfminer will do, made before it does it.

pdfminer inflates a stream whole (a 1 MB FlateDecode stream can claim a gigabyte), builds an
object of about 2 KB for every glyph it lays out, and replays a form XObject every time a page
invokes it (a tiny file can draw millions of glyphs).  So, before any page is laid out:

* every compressed stream in the file is inflated into nothing, stopping at
  :data:`~ingest.limits.MAX_PDF_STREAM_BYTES` (a bomb is found at memory speed), through an
  ASCII85 or ASCIIHex wrapper too, and LZW as well as Flate;
* each page is laid out once, by pdfplumber's own layout device taught to count: the glyph
  after :data:`~ingest.limits.MAX_PDF_PAGE_GLYPHS` (or the path after
  :data:`~ingest.limits.MAX_PDF_PAGE_PATHS`) stops the page before it becomes an object, so a
  page that draws too much costs at most the limit's worth of layout and a page that does not is
  interpreted once, not replayed a second time only to be counted.  Measured on the hostile
  corpus (tests/hostile.py, a form replayed 10,000 times): the glyph bomb is refused after
  0.15 s and 7 MB, the path bomb (the worst) after 2.6 s and 35 MB — laying out 20,000 paths
  costs more than counting them did (0.9 s, 0.4 MB).  A page turned upright is laid out twice.
"""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

import pdfplumber.page
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.layout import LTPage
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from pdfplumber.utils.exceptions import PdfminerException

from ingest import limits
from ingest.model import IngestError
from ingest.readers.pdfobjects import char_object

_STREAM = re.compile(rb"stream\r?\n")
_CHUNK = 64 * 1024


def check_streams(data: bytes) -> None:
    """Refuse a file whose compressed streams inflate beyond the limits (counted, never kept)."""
    total = 0
    for match in _STREAM.finditer(data):
        size = _decoded_size(data, match.end(), limits.MAX_PDF_STREAM_BYTES + 1)
        if size > limits.MAX_PDF_STREAM_BYTES:
            raise limits.exceeds(f"PDF 数据流解压后超过 {limits.MAX_PDF_STREAM_BYTES // limits.MB} MB，疑似压缩炸弹",
                                 f"a PDF stream inflating beyond {limits.MAX_PDF_STREAM_BYTES // limits.MB} MB")
        total += size
        if total > limits.MAX_PDF_INFLATED_BYTES:
            raise limits.exceeds(f"PDF 数据流解压后共超过 {limits.MAX_PDF_INFLATED_BYTES // limits.MB} MB",
                                 f"PDF streams inflating beyond {limits.MAX_PDF_INFLATED_BYTES // limits.MB} MB")


_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_NAME = re.compile(rb"/([A-Za-z0-9]+)")
_ASCII = {b"ASCII85Decode": ascii85decode, b"A85": ascii85decode, b"ASCIIHexDecode": asciihexdecode,
          b"AHx": asciihexdecode}
_LZW = {b"LZWDecode", b"LZW"}
_HEAD = 4096
"""How far before a ``stream`` keyword its dictionary (and its /Filter) is looked for."""


def _filters(data: bytes, start: int) -> list[bytes]:
    """The filter names of the stream whose data begins at ``start`` (from its dictionary)."""
    head = data[max(0, start - _HEAD):start]
    head = head[head.rfind(b"obj") + 1:] if b"obj" in head else head
    found = list(_FILTER.finditer(head))
    return _NAME.findall(found[-1].group(1)) if found else []


def _decoded_size(data: bytes, start: int, limit: int) -> int:
    """Bytes the stream at ``start`` decodes to, up to ``limit``.

    An ASCII85 or ASCIIHex layer is undone first (it only shrinks: its output is bounded by the
    file), so a bomb cannot hide behind it; LZW, which can also expand thousandfold, is counted
    code by code.  Anything else is tried as zlib, as before."""
    filters = _filters(data, start)
    body: bytes | None = None  # the stream's bytes once an ASCII layer is undone
    if filters and filters[0] in _ASCII:
        try:
            body = _ASCII[filters.pop(0)](_stream_data(data, start))
        except Exception:  # malformed: pdfminer will refuse the stream itself
            return 0
    if filters and filters[0] in _LZW:
        return _lzw_size(_stream_data(data, start) if body is None else body, limit)
    if body is None:
        return _inflated_size(data, start, limit)
    return (_inflated_size(body, 0, limit) if filters else 0) or len(body)


def _stream_data(data: bytes, start: int) -> bytes:
    """The bytes from ``start`` to ``endstream``, without the end-of-line the format puts before it."""
    end = data.find(b"endstream", start)
    raw = data[start:end if end >= 0 else len(data)]
    return raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith((b"\n", b"\r")) else raw


def _lzw_size(data: bytes, limit: int) -> int:
    size = 0
    try:
        for piece in LZWDecoder(io.BytesIO(data)).run():
            size += len(piece)
            if size >= limit:
                break
    except Exception:  # corrupt LZW: pdfminer stops there too
        return size
    return size


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


class _CountingAggregator(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, refusing the page at the first glyph or path over the limits.

    The count is taken before the object is made, so a refused page has laid out at most the
    limit; form XObjects replayed many times are counted every time they draw."""

    def __init__(self, rsrcmgr: Any, *, pageno: int, laparams: Any) -> None:
        super().__init__(rsrcmgr, pageno=pageno, laparams=laparams)
        self.number = pageno  # pdfminer moves its own pageno on at the end of the page
        self.glyphs = 0
        self.paths = 0

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        self.glyphs += 1
        if self.glyphs > limits.MAX_PDF_PAGE_GLYPHS:
            raise limits.exceeds(f"PDF 第 {self.number} 页文字超过 {limits.MAX_PDF_PAGE_GLYPHS} 个",
                                 f"page {self.number} draws more than {limits.MAX_PDF_PAGE_GLYPHS} glyphs")
        return super().render_char(*args, **kwargs)

    def paint_path(self, *args: Any, **kwargs: Any) -> None:
        self.paths += 1
        if self.paths > limits.MAX_PDF_PAGE_PATHS:
            raise limits.exceeds(f"PDF 第 {self.number} 页图形超过 {limits.MAX_PDF_PAGE_PATHS} 个",
                                 f"page {self.number} draws more than {limits.MAX_PDF_PAGE_PATHS} paths")
        super().paint_path(*args, **kwargs)


class GuardedPage(pdfplumber.page.Page):
    """A pdfplumber page laid out by :class:`_CountingAggregator` (everything else unchanged).

    A refusal is raised as the :class:`IngestError` it is, not wrapped as a pdfminer failure."""

    @property
    def layout(self) -> LTPage:
        if hasattr(self, "_layout"):
            return self._layout
        device = _CountingAggregator(self.pdf.rsrcmgr, pageno=self.page_number, laparams=self.pdf.laparams)
        try:
            PDFPageInterpreter(self.pdf.rsrcmgr, device).process_page(self.page_obj)
        except IngestError:
            raise
        except Exception as exc:
            raise PdfminerException(exc) from exc
        self._layout: LTPage = device.get_result()
        return self._layout

    def process_object(self, obj: Any) -> dict[str, Any]:
        """A character through :func:`~ingest.readers.pdfobjects.char_object`, the same dict
        built directly; anything else as pdfplumber does it."""
        return char_object(self, obj) or super().process_object(obj)


def guarded(pdf: Any, page: Any) -> GuardedPage:
    """``page`` of ``pdf`` as a :class:`GuardedPage` (nothing is laid out yet)."""
    return GuardedPage(pdf, page.page_obj, page.page_number, page.initial_doctop)
