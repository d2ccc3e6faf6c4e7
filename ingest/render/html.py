"""HTML like a government portal page: declared charset, rowspan/colspan, <br> in headers."""

from __future__ import annotations

from html import escape
from pathlib import Path

from ingest.render.layout import Cell, Figures, TableLayout, narrative, tables, title_of


def html_report(figures: Figures, *, encoding: str = "utf-8", extra_empty_column: bool = False) -> str:
    """The page source.  ``extra_empty_column`` appends a blank cell to every row, as some CMSs do."""
    title = title_of(figures)
    layouts = tables(figures)
    body: list[str] = [f'<div class="article_title">{escape(title)}</div>', '<div class="TRS_Editor">']
    for kind, text in narrative(figures):
        if kind in layouts:
            body.append(_table(layouts[kind], extra_empty_column))
        elif kind == "heading":
            body.append(f"<p><strong>&nbsp;{escape(text)}</strong></p>")
        else:
            body.append(f"<p>{escape(text)}</p>")
    body.append("</div>")
    head = (
        f'<meta charset="{encoding}"><title>{escape(title)}_政府信息公开年报</title>\n'
        f'<meta name="ArticleTitle" content="{escape(title)}"/>'
    )
    return f"<!DOCTYPE html>\n<html><head>{head}\n<script>var x = '<td>9</td>';</script>" \
           f"<style>td {{ border: 1px solid; }}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"


def _table(layout: TableLayout, extra_empty_column: bool) -> str:
    out = ['<table border="1" cellspacing="0">', "<tbody>"]
    for row in layout.rows():
        cells = "".join(_td(c) for c in row)
        if extra_empty_column:
            cells += "<td>&nbsp;</td>"
        out.append(f"<tr>{cells}</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _td(cell: Cell) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if not cell.text:
        return f"<td{attrs}>&nbsp;</td>"
    inner = "<br/>".join(escape(part) for part in cell.text.split("\n"))
    if cell.header:
        return f'<td{attrs}><p style="text-align:center"><span>{inner}</span></p></td>'
    return f"<td{attrs}><p><span>{inner}</span></p></td>"


def render_html(figures: Figures, path: Path | str, *, encoding: str = "utf-8",
                extra_empty_column: bool = False) -> Path:
    """Write the page in ``encoding`` (utf-8, gbk, gb2312 …), declared in its meta charset."""
    path = Path(path)
    page = html_report(figures, encoding=encoding, extra_empty_column=extra_empty_column)
    path.write_bytes(page.encode(encoding))
    return path
