"""HTML reports (government portal pages, Word "save as web page").

Portals serve UTF-8, GBK or GB2312, sometimes declaring one and sending another; cells hold
``<br>``-wrapped headers, nested ``<p>``/``<span>`` and ``&nbsp;`` for blanks; layout tables wrap
the whole page.  We decode defensively, read only leaf tables (those without a table inside)
and expand rowspan/colspan with the shared grid rules.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

from ingest import limits
from ingest.model import Document, IngestError, SourceRow
from ingest.readers import SpanCell, clean_cell_text, expand_grid, grid_rows, join_lines

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_BLOCKS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "section",
    "article", "header", "footer", "blockquote", "pre", "dd", "dt", "caption", "title",
}
_SKIP = {"script", "style", "noscript", "template", "head", "iframe", "object", "svg"}
_MAX_SPAN = 200
"""A report table is never wider or taller than this; larger spans are hostile or broken."""
_START_TAG = re.compile(r"<[A-Za-z]")
_CELL_TAG = re.compile(r"<t[dh][\s>/]", re.IGNORECASE)
_TABLE_TAG = re.compile(r"<table[\s>/]", re.IGNORECASE)


def read_html(data: bytes, name: str = "") -> Document:
    """Read an HTML report: tables as full grids, the page's readable text, its declared title."""
    markup = decode_html(data)
    check_markup(markup)
    soup = BeautifulSoup(markup, "lxml")
    del markup
    _check_depth(soup)
    title = _declared_title(soup)
    for junk in soup.find_all(list(_SKIP - {"head"})):
        junk.decompose()
    rows: list[SourceRow] = []
    cells = 0
    for t, table in enumerate(_leaf_tables(soup)):
        grid = expand_grid(_span_rows(table))
        cells += len(grid) * len(grid[0]) if grid else 0
        if cells > limits.MAX_DOCUMENT_CELLS:
            raise limits.exceeds(f"HTML 表格展开后超过 {limits.MAX_DOCUMENT_CELLS} 个单元格",
                                 f"more than {limits.MAX_DOCUMENT_CELLS} table cells once spans are expanded")
        rows.extend(grid_rows(grid, {"kind": "html", "table": t}))
    body = soup.body or soup
    text = join_lines(_flow_text(body).split("\n"))
    if title and title not in text:
        text = f"{title}\n{text}"
    return Document(kind="html", text=text, rows=rows, title=title)


def decode_html(data: bytes) -> str:
    """Bytes → str: the declared charset when it decodes cleanly, else UTF-8, else GB18030."""
    declared = _CHARSET.search(data[:4096])
    candidates: list[str] = []
    if declared:
        name = declared.group(1).decode("ascii", "ignore").lower()
        candidates.append("gb18030" if name in _GB_FAMILY else name)
    candidates += ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def check_markup(markup: str) -> None:
    """Count tags, cells and tables on the raw text, before BeautifulSoup spends ~1 KB per tag.

    The counts include tags inside scripts and comments: an upper bound, which is what a
    limit needs.
    """
    for pattern, limit, zh, en in (
        (_TABLE_TAG, limits.MAX_HTML_TABLES, "HTML 表格", "HTML tables"),
        (_CELL_TAG, limits.MAX_DOCUMENT_CELLS, "HTML 表格单元格", "HTML table cells"),
        (_START_TAG, limits.MAX_HTML_TAGS, "HTML 标签", "HTML tags"),
    ):
        found = limits.count_upto(pattern, markup, limit)
        if found > limit:
            raise limits.exceeds(f"{zh}超过 {limit} 个", f"more than {limit} {en}")


def _check_depth(soup: BeautifulSoup) -> None:
    """Refuse nesting deeper than :data:`ingest.limits.MAX_HTML_DEPTH`, without recursion."""
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.MAX_HTML_DEPTH:
            raise limits.exceeds(f"HTML 嵌套超过 {limits.MAX_HTML_DEPTH} 层", f"HTML nested deeper than "
                                 f"{limits.MAX_HTML_DEPTH} levels")
        stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))


def _declared_title(soup: BeautifulSoup) -> str:
    meta = soup.find("meta", attrs={"name": re.compile("^ArticleTitle$", re.IGNORECASE)})
    if isinstance(meta, Tag) and meta.get("content"):
        return clean_cell_text(str(meta["content"]))
    if soup.title and soup.title.string:
        return clean_cell_text(soup.title.string)
    return ""


def _leaf_tables(soup: BeautifulSoup) -> list[Tag]:
    """Tables with no table inside: layout tables around the page carry no statistics.

    One pass: every table marks the table it sits in as not a leaf.  (Asking each table
    whether it contains a table is quadratic in nesting.)
    """
    tables = soup.find_all("table")
    outer = {id(t.find_parent("table")) for t in tables}
    return [t for t in tables if id(t) not in outer]


def _span_rows(table: Tag) -> list[list[SpanCell]]:
    rows = []
    for tr in table.find_all("tr"):
        cells = [
            SpanCell(clean_cell_text(_flow_text(td)), _span(td, "rowspan"), _span(td, "colspan"))
            for td in tr.find_all(["td", "th"], recursive=False)
        ]
        rows.append(cells)
    return rows


def _span(td: Tag, attr: str) -> int:
    raw = str(td.get(attr) or "1")
    digits = re.match(r"\s*(\d+)", raw)
    value = int(digits.group(1)) if digits else 1
    if value > _MAX_SPAN:
        raise IngestError(f"HTML 表格合并单元格异常（{attr}={value}）/ malformed HTML table")
    return max(value, 1)


def _flow_text(node: Tag) -> str:
    """Text with line breaks at <br> and block boundaries, cells of a row separated by tabs.

    Inline elements (span, strong, font) join without separators, so "<span>12</span><span>3</span>"
    stays 123 and a header split by <br> can be re-joined by :func:`clean_cell_text`.
    """
    parts: list[str] = []
    _walk(node, parts)
    return "".join(parts)


def _walk(node: Tag, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, Comment | Doctype | ProcessingInstruction):
            continue
        if isinstance(child, NavigableString):
            parts.append(str(child).replace("\r", "").replace("\n", " "))
            continue
        if not isinstance(child, Tag) or child.name in _SKIP:
            continue
        if child.name == "br":
            parts.append("\n")
            continue
        block = child.name in _BLOCKS
        if block:
            parts.append("\n")
        _walk(child, parts)
        if child.name in ("td", "th"):
            parts.append("\t")
        elif block:
            parts.append("\n")
