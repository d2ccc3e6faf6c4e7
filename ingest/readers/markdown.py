"""Reader for Markdown, as PDF-to-Markdown converters write a report.

Converters turn the PDF's ruled tables into pipe tables (``| 一、本年新收… | 705 | 3 | … |``) and
everything else into prose lines.  On real reports the tables come out broken: a label lands
on a prose line while its numbers stay in a pipe row without a label, the header becomes
``| 数据1 | 数据2 | …``, a heading (``## 表三：…``) sits between a table's header and its body,
and rows end with an extra ``|``.

The reader keeps what it sees and where: every pipe row is a grid row (one cell per pipe field,
blanks included) with its line; prose lines are rows of tokens (a line ending in numbers is a
label with its values); a line holding only numbers is kept apart from the label lines above
it, because in a broken conversion those numbers need not be theirs.  Which label a loose row
of numbers belongs to is the interpreter's question (it knows the tables' order and words).
"""

from __future__ import annotations

import re

from ingest import limits
from ingest.model import Document, SourceCell, SourceRow
from ingest.normalize import parse_number, split_tokens
from ingest.readers import clean_cell_text
from ingest.readers.text import bounded_lines, check_cells

KIND = "markdown"
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_TABLE_NUMBER = re.compile(r"^表[一二三四五六七八九十\d]+\s*[:：.．、]?\s*")
_EMPHASIS = re.compile(r"\*\*|__|`")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.．、])")


def read_markdown(data: bytes, name: str = "") -> Document:
    """Decode, NFKC-normalise and split a Markdown report into rows with line provenance."""
    lines = bounded_lines(data)
    check_cells([line.replace("|", " ") for line in lines])
    rows: list[SourceRow] = []
    prose: list[tuple[int, str]] = []
    bare = bare_pipe_rows(lines)
    for number, line in enumerate(lines, start=1):
        piped = is_pipe_row(line) or number in bare
        if piped or _RULE.match(line) or _HEADING.match(line) or not line.strip():
            rows += prose_rows(prose)
            prose = []
        if _RULE.match(line):
            continue
        if piped:
            rows.append(pipe_row(line, number))
        elif _HEADING.match(line):
            rows.append(_label_row([heading_text(line)], number))
        elif line.strip():
            prose.append((number, line))
    rows += prose_rows(prose)
    return Document(kind=KIND, text=_plain_text(lines), rows=rows)


def is_pipe_row(line: str) -> bool:
    """A table row: starts with "|" and holds at least one more."""
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2 and not _RULE.match(line)


def bare_pipe_rows(lines: list[str]) -> set[int]:
    """Line numbers (1-based) of table rows written without outer pipes (``a | 1 | 2``): the
    header just above a rule line and the rows below it, up to the first line without a bar."""
    rows: set[int] = set()
    for i, line in enumerate(lines):
        if not _RULE.match(line) or "|" not in line:
            continue
        if i > 0 and "|" in lines[i - 1] and not _RULE.match(lines[i - 1]):
            rows.add(i)
        j = i + 1
        while j < len(lines) and "|" in lines[j] and not _RULE.match(lines[j]):
            rows.add(j + 1)
            j += 1
    return rows


def split_pipes(line: str) -> list[str]:
    """The fields of a pipe row, outer pipes removed; ``\\|`` is a literal bar inside a field."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    fields = re.split(r"(?<!\\)\|", body)
    if len(fields) > limits.MAX_LINE_CELLS:
        raise limits.exceeds(f"一行有 {len(fields)} 个单元格（上限 {limits.MAX_LINE_CELLS}）",
                             f"a row of {len(fields)} cells")
    return [clean_cell_text(_BREAK.sub(" ", _EMPHASIS.sub("", f.replace("\\|", "|")))) for f in fields]


def pipe_row(line: str, number: int) -> SourceRow:
    prov = {"kind": KIND, "line": number}
    cells = [SourceCell(text, {**prov, "col": c}) for c, text in enumerate(split_pipes(line))]
    return SourceRow(cells=cells, grid=True, provenance=prov)


def heading_text(line: str) -> str:
    """``## 表三：收到和处理政府信息公开申请情况`` → the section name the interpreter knows."""
    text = _EMPHASIS.sub("", _HEADING.sub("", line)).strip().strip("#").strip()
    return _TABLE_NUMBER.sub("", text)


def _label_row(texts: list[str], number: int) -> SourceRow:
    prov = {"kind": KIND, "line": number}
    return SourceRow(cells=[SourceCell(t, dict(prov)) for t in texts], grid=False, provenance=prov)


def prose_rows(prose: list[tuple[int, str]]) -> list[SourceRow]:
    """Rows of a run of prose lines.

    A line ending in numbers is a label with its values ("行政许可 97"); label lines gather until
    an enumerator starts a new one; a line of numbers alone stays a row of its own, never the
    values of the label lines above it (in a broken conversion it is often not theirs)."""
    rows: list[SourceRow] = []
    pending: list[tuple[int, str]] = []

    def flush() -> None:
        if pending:
            row = _label_row([" ".join(t for _, t in pending)], pending[0][0])
            rows.append(row)
            pending.clear()

    for number, raw in prose:
        line = _EMPHASIS.sub("", raw).strip()
        tokens = split_tokens(line)
        cut = len(tokens)
        while cut > 0 and parse_number(tokens[cut - 1]).status == "number":
            cut -= 1
        labels, values = tokens[:cut], tokens[cut:]
        if not values:
            if _ENUMERATOR.match(line):
                flush()
            pending.append((number, line))
            continue
        flush()
        prov = {"kind": KIND, "line": number}
        cells = ([SourceCell(" ".join(labels), dict(prov))] if labels else [])
        cells += [SourceCell(v, dict(prov)) for v in values]
        rows.append(SourceRow(cells=cells, grid=False, provenance=prov))
    flush()
    return rows


def _plain_text(lines: list[str]) -> str:
    """The document text for titles and the narrative: no rule lines, no heading marks."""
    out = []
    for line in lines:
        if _RULE.match(line):
            continue
        out.append(heading_text(line) if _HEADING.match(line) else _EMPHASIS.sub("", line))
    return "\n".join(out)


__all__ = ["read_markdown", "is_pipe_row", "split_pipes"]
