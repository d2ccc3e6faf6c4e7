"""The forms reports take once a web page is dumped as text: cells run together, tables on one line.

``flat_report(figures, form)`` writes a report's figures the way scrapers and copy-paste deliver
real pages (see ../shared/real-forms): ``glued`` puts each table row on its own line with its
numbers glued to its label ("一、本年新收政府信息公开申请数量640020470"); ``oneline`` runs the whole
page, tables included, into one line with no separator; ``spaced`` is one line too, every cell
separated by a space.  Blank cells print nothing, as on the real pages.  The reader must get
the figures back exactly where the tables' arithmetic decides the split, and flag the rest.
"""

from __future__ import annotations

from pathlib import Path

from ingest.render.layout import Figures, TableLayout, narrative, tables, title_of

FORMS = ("glued", "oneline", "spaced")


def _rows(layout: TableLayout) -> list[tuple[list[str], list[str]]]:
    """(labels, printed values) per grid row, in reading order; blank values print nothing."""
    out = []
    for row in layout.rows():
        labels = [c.text.replace("\n", "") for c in row if c.header and c.text]
        values = [c.text for c in row if not c.header and c.text]
        out.append((labels, values))
    return out


def flat_report(figures: Figures, form: str) -> str:
    """The report as text in one of :data:`FORMS` (see the module docstring)."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {FORMS}")
    layouts = tables(figures)
    pieces: list[str] = [title_of(figures)]
    for kind, text in narrative(figures):
        if kind not in layouts:
            pieces.append(text)
            continue
        for labels, values in _rows(layouts[kind]):
            if form == "spaced":
                pieces.append(" ".join(labels + values))
            else:
                pieces.append("".join(labels) + "".join(values))
    if form == "glued":
        return "\n".join(pieces) + "\n"
    if form == "spaced":
        return " ".join(p for p in pieces if p) + "\n"
    return pieces[0] + " " + "".join(pieces[1:]) + "\n"


def render_flat(figures: Figures, path: Path | str, form: str) -> Path:
    path = Path(path)
    path.write_text(flat_report(figures, form), encoding="utf-8")
    return path


__all__ = ["FORMS", "flat_report", "render_flat"]
