"""Tab-separated text, as Word's "save as plain text" writes a report: one line per table row."""

from __future__ import annotations

from pathlib import Path

from ingest.render.layout import Figures, narrative, tables, title_of


def text_report(figures: Figures) -> str:
    """The report as text: prose lines, then each table row with cells joined by tabs.

    Merged cells print at their origin only (covered positions are empty fields) and a label's
    line break becomes a space-free join, exactly like the real exports we receive.
    """
    layouts = tables(figures)
    lines = [title_of(figures)]
    for kind, text in narrative(figures):
        if kind in layouts:
            grid = layouts[kind].origin_grid()
            lines += ["\t".join(cell.replace("\n", "") for cell in row) for row in grid]
        else:
            lines.append(text)
    return "\n".join(lines) + "\n"


def render_text(figures: Figures, path: Path | str, *, encoding: str = "utf-8") -> Path:
    path = Path(path)
    path.write_bytes(text_report(figures).encode(encoding))
    return path
