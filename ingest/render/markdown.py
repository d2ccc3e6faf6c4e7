"""Markdown as PDF-to-Markdown converters write a report: clean, or broken the way real ones are.

``broken=False`` gives pipe tables with the merged cells at their origin (blank positions
elsewhere), one rule line under each table's first row.  ``broken=True`` imitates what a
converter makes of the published PDF (see ../shared/real-forms/shanghai-kewei-2024.md): the
header rows become ``| 数据1 | … |``, the section heading lands inside the table, every second
row of a group (（三）…（六）) loses its label to a prose line — printed after its numbers for the
first row of a group, before them for the others — a row ends with an extra ``|``, and the
last row loses its 总计 cell.
"""

from __future__ import annotations

from pathlib import Path

from ingest.render.layout import Figures, TableLayout, narrative, tables, title_of

WRAP = 11
"""Characters per prose line when a label is wrapped (a narrow PDF column)."""


def markdown_report(figures: Figures, *, broken: bool = False) -> str:
    layouts = tables(figures)
    lines = [f"# {title_of(figures)}", ""]
    for kind, text in narrative(figures):
        if kind in layouts:
            table = _broken_table(layouts[kind], text_heading(kind)) if broken else _table(layouts[kind])
            lines += [*table, ""]
        elif kind == "heading" and not broken:
            lines += [f"## {text}", ""]
        else:
            lines += [text, ""]
    return "\n".join(lines)


def text_heading(kind: str) -> str:
    names = {"active": "表二：主动公开政府信息情况", "requests": "表三：收到和处理政府信息公开申请情况",
             "appeals": "表四：政府信息公开行政复议、行政诉讼情况"}
    return names[kind]


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("\n", "") for c in cells) + " |"


def _rule(n: int) -> str:
    return "|" + "---|" * n


def _table(layout: TableLayout) -> list[str]:
    grid = layout.origin_grid()
    return [_pipe(grid[0]), _rule(layout.ncols), *(_pipe(row) for row in grid[1:])]


def _wrapped(label: str) -> list[str]:
    label = label.replace("\n", "")
    return [label[i:i + WRAP] for i in range(0, len(label), WRAP)]


def _broken_table(layout: TableLayout, heading: str) -> list[str]:
    grid = layout.origin_grid()
    body = grid[layout.header_rows:]
    if layout.name != "requests":
        header = [f"数据{i + 1}" for i in range(layout.ncols)]
        return [f"## {heading}", _pipe(header), _rule(layout.ncols), *(_pipe(r) for r in body)]
    values = 7
    out = [*(line for row in grid[:layout.header_rows] for line in _wrapped("".join(row))), f"## {heading}",
           _pipe([f"数据{i + 1}" for i in range(values)] + [""]), _rule(values + 1)]
    group_seen: dict[str, int] = {}
    current = ""
    for r, row in enumerate(body):
        labels, numbers = row[:-values], row[-values:]
        group = labels[1] if labels[2] else ""
        current = group or current if labels[2] else ""
        index = group_seen[current] = group_seen.get(current, -1) + 1 if current else 0
        if r == len(body) - 1:
            out.append(_pipe([next(t for t in labels if t), *numbers[:-1], ""]))
        elif current and index % 2 == 1:
            label_lines = _wrapped(labels[2])
            number_row = [_pipe(numbers), _rule(values)]
            out += ["", *number_row, "", *label_lines] if index == 1 else ["", *label_lines, *number_row]
        else:
            cells = [t for t in labels if t] + numbers
            out.append(_pipe(cells) + (" |" if r == 0 else ""))
    return out


def render_markdown(figures: Figures, path: Path | str, *, broken: bool = False) -> Path:
    path = Path(path)
    path.write_text(markdown_report(figures, broken=broken), encoding="utf-8")
    return path
