"""Perturbed copies of a report, in every form ingest reads, with the cells each must read back.

The readers' round-trip test proves clean generated files read exactly.  Real reports are not
clean (see ``/work/shared/field-notes.md``): labels wrap and lose characters, digits come
full-width, blanks print as "/" or "—", tables break across pages mid-row.  This module makes
such variants from a figures dict, either by changing what a cell prints (a figure given as a
string prints verbatim), by post-processing the text/HTML a renderer wrote, by rendering PDFs
with other break points, or by editing a reader's rows the way a page break cuts them.

Each :class:`Variant` carries the cells it should give: the figures, changed only where the
perturbation itself changed a printed value (a 0 printed as "/" must read None).
:func:`judge` applies the project's promise — every cell exact or flagged, never silently wrong.
Run ``python -m tests.variants`` for the per-kind table of exact and flagged reads.
"""

from __future__ import annotations

import copy
import json
import random
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.interpret import interpret
from ingest.model import Document, ParsedReport, SourceCell, SourceRow
from ingest.normalize import is_value_text
from ingest.pipeline import parse_bytes
from ingest.readers import read_document
from ingest.render import pdf as pdf_render
from ingest.render import render_docx
from ingest.render.html import html_report
from ingest.render.layout import tables
from ingest.render.text import text_report

ROOT = Path(__file__).resolve().parents[1]
FIGURES_DIR = ROOT / "bot" / "samples" / "figures"
Figures = dict[str, Any]
Expected = dict[str, float | None]


@dataclass
class Variant:
    """One perturbed report: file bytes (read by extension) or reader rows, and its true cells."""

    kind: str
    detail: str
    figures: Figures
    expected: Expected
    name: str = ""
    data: bytes | None = None
    doc: Document | None = None

    def parse(self) -> ParsedReport:
        if self.doc is not None:
            return interpret(self.doc)
        assert self.data is not None
        return parse_bytes(self.data, self.name)


@dataclass
class Outcome:
    """How one variant read: counts of exact and flagged cells, and every silently wrong one."""

    exact: int = 0
    flagged: int = 0
    wrong: list[str] = field(default_factory=list)


def load_figures() -> list[Figures]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIGURES_DIR.glob("*.json"))]


def _same(got: float | None, want: float | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return abs(got - want) <= 1e-9 * max(1.0, abs(want))


def judge(report: ParsedReport, v: Variant) -> Outcome:
    """Every expected cell is flagged or equal to its figure; agency and year are right."""
    out = Outcome()
    if report.agency != v.figures["agency"] or report.year != v.figures["year"]:
        out.wrong.append(f"identity {report.agency!r} {report.year} != {v.figures['agency']!r} {v.figures['year']}")
    for key, want in v.expected.items():
        cell = report.cells.get(key)
        if cell is None:
            out.wrong.append(f"{key}: missing (want {want})")
        elif cell.flagged:
            out.flagged += 1
        elif _same(cell.value, want):
            out.exact += 1
        else:
            out.wrong.append(f"{key}: got {cell.value!r} raw={cell.raw!r}, want {want!r}")
    return out


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def expected_of(figures: Figures) -> Expected:
    return {k: _number(v) for k, v in figures["cells"].items()}


# --- printed-value perturbations (a figure given as a string prints verbatim) --------------------

BLANK_MARKS = ("", "/", "／", "—", "——", "－", "-", "无")
FULLWIDTH = str.maketrans("0123456789.-+", "０１２３４５６７８９．－＋")


def printed_blanks(figures: Figures, rng: random.Random) -> tuple[Figures, Expected]:
    """Some zeros printed as a blank mark: they must read None, not 0 and not a guess."""
    f, exp = copy.deepcopy(figures), expected_of(figures)
    for key, value in figures["cells"].items():
        if value == 0 and rng.random() < 0.5:
            f["cells"][key] = rng.choice(BLANK_MARKS)
            exp[key] = None
    return f, exp


def printed_fullwidth(figures: Figures, rng: random.Random) -> tuple[Figures, Expected]:
    """Numbers printed with full-width digits (NFKC folds them)."""
    f, exp = copy.deepcopy(figures), expected_of(figures)
    for key, value in figures["cells"].items():
        if value is not None and rng.random() < 0.6:
            f["cells"][key] = _plain(value).translate(FULLWIDTH)
    return f, exp


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def printed_totals_blank(figures: Figures, rng: random.Random) -> tuple[Figures, Expected]:
    """The 总计 column of table 2 (and table 3's totals) left blank by the agency."""
    f, exp = copy.deepcopy(figures), expected_of(figures)
    for key in figures["cells"]:
        if key.endswith(".total") and not key.startswith("active."):
            f["cells"][key] = None
            exp[key] = None
    return f, exp


SIGNED = (
    lambda n: f"减 {abs(n)}" if n < 0 else f"增 {n}",
    lambda n: f"减{abs(n)}" if n < 0 else f"+{n}",
    lambda n: f"-{abs(n)}" if n < 0 else f"+{n}",
    lambda n: f"减少{abs(n)}" if n < 0 else f"增加{n}",
    lambda n: f"－{abs(n)}" if n < 0 else f"＋{n}",
)


def printed_signs(figures: Figures, rng: random.Random) -> tuple[Figures, Expected]:
    """本年增/减 printed with signs and sign words ("减 90", "-540", "+26", "增加3")."""
    f, exp = copy.deepcopy(figures), expected_of(figures)
    for key in figures["cells"]:
        if key.endswith(".change"):
            n = rng.choice((-1, 1)) * rng.randint(1, 3000)
            f["cells"][key] = rng.choice(SIGNED)(n)
            exp[key] = float(n)
    return f, exp


def printed_yuan_cells(figures: Figures, rng: random.Random) -> tuple[Figures, Expected]:
    """Amounts printed in 元 with the unit in the cell ("251000元"): read as 万元."""
    f, exp = copy.deepcopy(figures), expected_of(figures)
    for key, value in figures["cells"].items():
        if key.endswith(".amount") and value is not None:
            yuan = round(float(value) * 10000, 6)
            f["cells"][key] = (_plain(yuan) if rng.random() < 0.7 else f"{yuan:,.2f}".rstrip("0").rstrip(".")) + "元"
    return f, exp


def printed_wan_cells(figures: Figures, rng: random.Random) -> tuple[Figures, Expected]:
    """Amounts printed with "万元" in the cell, and an optional space before the unit."""
    f, exp = copy.deepcopy(figures), expected_of(figures)
    for key, value in figures["cells"].items():
        if key.endswith(".amount") and value is not None:
            f["cells"][key] = _plain(value) + rng.choice(("万元", " 万元"))
    return f, exp


VALUE_PERTURBATIONS: dict[str, Callable[[Figures, random.Random], tuple[Figures, Expected]]] = {
    "blank-marks": printed_blanks,
    "fullwidth-digits": printed_fullwidth,
    "total-column-blank": printed_totals_blank,
    "signed-change": printed_signs,
    "amount-yuan-in-cell": printed_yuan_cells,
    "amount-wan-in-cell": printed_wan_cells,
}


def yuan_header(figures: Figures, text: str) -> tuple[str, Expected]:
    """The amount header says 元 and the cells print 元 without a unit."""
    exp = expected_of(figures)
    for key, value in figures["cells"].items():
        if key.endswith(".amount") and value is not None:
            yuan = _plain(round(float(value) * 10000, 2))  # 元 go down to 分
            text = re.sub(rf"(?<![\d.]){re.escape(_plain(value))}(?![\d.])", yuan, text, count=1)
    text = text.replace("采购总金额（万元）", "采购总金额（元）").replace("（单位：万元）", "（单位：元）")
    return text, exp


# --- label perturbations -------------------------------------------------------------------------

KANGXI = {unicodedata.normalize("NFKC", chr(cp)): chr(cp) for cp in range(0x2F00, 0x2FD6)}


def label_texts(figures: Figures) -> set[str]:
    """Every label the layout prints (line breaks removed, as in the text form)."""
    return {c.text.replace("\n", "") for t in tables(figures).values() for c in t.cells if c.header and c.text}


def stray_space(label: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(label)) if len(label) > 1 else 0
    return label[:i] + " " + label[i:]


def kangxi(label: str, rng: random.Random) -> str:
    return "".join(KANGXI.get(ch, ch) for ch in label)


def fullwidth_label(label: str, rng: random.Random) -> str:
    return label.translate(str.maketrans("0123456789.()", "０１２３４５６７８９．（）"))


def lost_char(label: str, rng: random.Random) -> str:
    if len(label) < 3:
        return label
    i = rng.randrange(len(label))
    return label[:i] + label[i + 1 :]


LABEL_PERTURBATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "label-stray-space": stray_space,
    "label-kangxi": kangxi,
    "label-fullwidth": fullwidth_label,
    "label-lost-char": lost_char,
}


def perturb_text_labels(text: str, labels: set[str], fn: Callable[[str, random.Random], str],
                        rng: random.Random) -> str:
    """Apply ``fn`` to label cells of tab-separated table lines."""
    out = []
    for line in text.split("\n"):
        if "\t" in line:
            line = "\t".join(fn(c, rng) if c in labels else c for c in line.split("\t"))
        out.append(line)
    return "\n".join(out)


_SPAN = re.compile(r"<span>(.*?)</span>")


def perturb_html_labels(page: str, fn: Callable[[str, random.Random], str], rng: random.Random) -> str:
    """Apply ``fn`` to the text of label cells (the renderer wraps cell text in <span>)."""

    def one(m: re.Match[str]) -> str:
        inner = m.group(1)
        if is_value_text(inner.replace("<br/>", "")):
            return m.group(0)
        return "<span>" + "<br/>".join(fn(p, rng) for p in inner.split("<br/>")) + "</span>"

    return _SPAN.sub(one, page)


def html_br_in_labels(label: str, rng: random.Random) -> str:
    """A label broken by <br> at a random point (Word's "save as web page" does this)."""
    if len(label) < 2:
        return label
    i = rng.randrange(1, len(label))
    return label[:i] + "<br/>" + label[i:]


# --- structure perturbations of the text form ---------------------------------------------------


def _table_lines(text: str) -> list[bool]:
    return ["\t" in line for line in text.split("\n")]


def extra_tab_column(text: str, where: str) -> str:
    """An empty column before or after every table row (CMS exports, Word's end-of-row cell)."""
    lines = text.split("\n")
    return "\n".join((("\t" + ln) if where == "start" else (ln + "\t")) if "\t" in ln else ln for ln in lines)


def eight_numbers(text: str, rng: random.Random) -> str:
    """A value of table 2 printed twice (a merged cell read twice): 8 numbers for 7 columns."""
    out = []
    for line in text.split("\n"):
        cells = line.split("\t")
        if len(cells) == 10 and all(is_value_text(c) for c in cells[3:]) and any(c.strip() for c in cells[3:]):
            if rng.random() < 0.5:
                i = rng.randrange(3, 10)
                cells.insert(i, cells[i])
        out.append("\t".join(cells))
    return "\n".join(out)


def page_number_lines(text: str, rng: random.Random) -> str:
    """A page footer ("- 3 -", "第 3 页", "3") extracted between two table rows."""
    lines = text.split("\n")
    spots = [i for i in range(1, len(lines)) if "\t" in lines[i - 1] and "\t" in lines[i]]
    for i in sorted(rng.sample(spots, min(2, len(spots))), reverse=True):
        lines.insert(i, rng.choice(("- {n} -", "第 {n} 页", "{n}", "— {n} —")).format(n=rng.randint(2, 9)))
    return "\n".join(lines)


def one_cell_per_line(text: str, rng: random.Random, wrap: bool) -> str:
    """Layout 3: each cell on its own tab-indented line, an empty line between rows; labels may
    wrap onto a following unindented line."""
    out: list[str] = []
    for line in text.split("\n"):
        if "\t" not in line:
            out.append(line)
            continue
        for cell in line.split("\t"):
            if wrap and len(cell) > 3 and not is_value_text(cell) and rng.random() < 0.5:
                i = rng.randrange(2, len(cell) - 1)
                if not cell[i:][:1].isdigit():  # an unindented line must not read as a heading
                    out += ["\t" + cell[:i], cell[i:]]
                    continue
            out.append("\t" + cell)
        out.append("")
    return "\n".join(out)


def space_separated(text: str, rng: random.Random, wrap: bool) -> tuple[str, set[int]]:
    """Layout 1: tokens joined by spaces, blank cells invisible; labels may wrap over lines.

    Returns the text and the line numbers (0-based in the table lines) whose blanks vanished.
    """
    out: list[str] = []
    for line in text.split("\n"):
        if "\t" not in line:
            out.append(line)
            continue
        cells = [c for c in line.split("\t") if c]
        labels = [c for c in cells if not is_value_text(c)]
        values = [c for c in cells if is_value_text(c)]
        label = " ".join(labels)
        if wrap and len(label) > 4 and values and rng.random() < 0.5:
            i = rng.randrange(2, len(label) - 1)
            out.append(label[:i])
            label = label[i:]
        out.append(" ".join([label, *values]).strip())
    return "\n".join(out), set()


# --- page breaks in a reader's rows -------------------------------------------------------------

_HEADER_WORDS = ("申请人情况", "自然人", "商业企业", "行政复议", "结果维持", "信息内容")


def html_rows(figures: Figures) -> Document:
    """The HTML reader's rows for a clean page: merged labels repeated in every covered cell."""
    page = html_report(figures)
    return read_document(page.encode("utf-8"), "clean.html")


def _is_value(cell: str) -> bool:
    return is_value_text(cell)


def _requests_rows(doc: Document) -> tuple[int, int]:
    """Index range of table 2's data rows (after its header) in the document's rows."""
    idx = [i for i, r in enumerate(doc.rows) if len(r.cells) == 10]
    first = next(i for i in idx if "本年新收" in r_text(doc.rows[i]))
    return first, idx[-1]


def r_text(row: SourceRow) -> str:
    return "".join(row.texts)


def _row(texts: list[str], page: int, base: SourceRow) -> SourceRow:
    prov = {**base.provenance, "page": page}
    return SourceRow([SourceCell(t, {**prov, "col": c}) for c, t in enumerate(texts)], grid=True, provenance=prov)


def _paged(rows: list[SourceRow], page: int) -> list[SourceRow]:
    return [_row(r.texts, page, r) for r in rows]


def _blank_continued(texts: list[str], above: list[str], blank: bool) -> list[str]:
    """The first row after a break: merged label cells that continue from above print empty
    (Word/pdfplumber) — or repeated (``blank=False``, some converters)."""
    if not blank:
        return list(texts)
    return ["" if (not _is_value(t) and t == a and c < 2) else t for c, (t, a) in enumerate(zip(texts, above, strict=True))]


def split_variants(figures: Figures, base: Document) -> Iterator[tuple[str, str, Document]]:
    """Table 2 broken before every data row, in the ways a page break cuts a row.

    Modes: ``clean`` (whole rows each side), ``cut`` (label before the break, numbers after under
    empty labels), ``label-k`` (label cut at character k, the rest and the numbers after the
    break), ``numbers-first-k`` (numbers and the label's start before, the label's end after).
    Each with merged labels blank or repeated after the break, and the header repeated or not.
    """
    first, last = _requests_rows(base)
    header = [r for r in base.rows[first - 3 : first]]
    for i in range(first, last + 1):
        row = base.rows[i]
        texts = row.texts
        above = base.rows[i - 1].texts
        label_col = max(c for c, t in enumerate(texts[:3]) if t)
        label = texts[label_col]
        for blank in (True, False):
            for repeat in (False, True):
                tag = f"row{i - first}{'' if blank else '-repeated'}{'-header' if repeat else ''}"
                head2 = _paged(header, 2) if repeat else []
                before, after = base.rows[:i], base.rows[i + 1 :]

                def build(p1: list[list[str]], p2: list[list[str]], base_row: SourceRow = row,
                          head: list[SourceRow] = head2, pre: list[SourceRow] = before,
                          post: list[SourceRow] = after) -> Document:
                    rows = (pre + [_row(t, 1, base_row) for t in p1] + head + [_row(t, 2, base_row) for t in p2]
                            + _paged(post, 2))
                    return Document(kind="pdf", text=base.text, rows=rows, title=base.title)

                cont = _blank_continued(texts, above, blank)
                yield "break-clean", tag, build([], [cont])
                no_values = texts[:3] + [""] * 7
                no_labels = ["", "", ""] + texts[3:]
                if not blank:
                    no_labels = [t if c < label_col else "" for c, t in enumerate(texts[:3])] + texts[3:]
                yield "break-cut-row", tag, build([no_values], [no_labels])
                cols = [c for c in range(3) if texts[c] == label]  # a merged label repeats in its span
                if label_col == 0 and not blank:
                    continue
                for k in range(1, len(label)):
                    head_cells = [label[:k] if c in cols else texts[c] for c in range(3)]
                    tail = [label[k:] if c in cols else (texts[c] if not blank else "") for c in range(3)]
                    yield "break-label-cut", f"{tag}-k{k}", build([head_cells + [""] * 7], [tail + texts[3:]])
                    yield "break-numbers-first", f"{tag}-k{k}", build([head_cells + texts[3:]], [tail + [""] * 7])


def appeals_on_next_page(base: Document) -> Document:
    """Table 3's header on one page, its value row on the next."""
    rows = []
    for r in base.rows:
        page = 2 if (len(r.cells) == 15 and all(_is_value(t) for t in r.texts)) else 1
        rows.append(_row(r.texts, page, r))
    return Document(kind="pdf", text=base.text, rows=rows, title=base.title)


def hybrid_2021(figures: Figures) -> tuple[str, Expected] | None:
    """A 2021 report whose table 2 still prints a single （六）其他处理 row (the sum of the three)."""
    if str(figures["format"]) != "2021":
        return None
    text = text_report(figures)
    cells = figures["cells"]
    sums = []
    for a in ("natural", "commercial", "research", "social", "legal", "other_org", "total"):
        parts = [cells[f"requests.{s}.{a}"] for s in ("other_no_correction", "other_no_fee", "other_misc")]
        sums.append(None if all(p is None for p in parts) else sum(p or 0 for p in parts))
    lines = text.split("\n")
    idx = [i for i, ln in enumerate(lines) if "逾期不补正" in ln or "缴纳费用" in ln or "\t3.其他\t" in ln]
    row = "\t（六）其他处理\t\t" + "\t".join("" if s is None else _plain(s) for s in sums)
    lines[idx[0] : idx[-1] + 1] = [row]
    exp = {k: v for k, v in expected_of(figures).items()
           if not any(f".{s}." in k for s in ("other_no_correction", "other_no_fee", "other_misc"))}
    for a, s in zip(("natural", "commercial", "research", "social", "legal", "other_org", "total"), sums, strict=True):
        exp[f"requests.other.{a}"] = None if s is None else float(s)
    return "\n".join(lines), exp


# --- PDFs and DOCX rendered with other options --------------------------------------------------


def render_pdf_bytes(figures: Figures, split_after: str | None, repeat_header: bool, cut_row: bool) -> bytes:
    """render_pdf with the requests table broken after ``split_after`` (None: not broken)."""
    saved = pdf_render.SPLIT_AFTER
    try:
        if split_after is not None:
            pdf_render.SPLIT_AFTER = split_after
        with tempfile.TemporaryDirectory() as d:
            path = pdf_render.render_pdf(figures, Path(d) / "v.pdf", split_requests_across_pages=split_after is not None,
                                         repeat_header=repeat_header, cut_row=cut_row)
            return path.read_bytes()
    finally:
        pdf_render.SPLIT_AFTER = saved


def render_docx_bytes(figures: Figures) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        return render_docx(figures, Path(d) / "v.docx").read_bytes()


def split_labels(figures: Figures) -> list[str]:
    """Labels of table 2's result rows the PDF can break after (all but the last row)."""
    layout = tables(figures)["requests"]
    rows = sorted({c.row for c in layout.cells if c.col == 2 and c.header and c.row >= 3})
    by_row = {c.row: c.text for c in layout.cells if c.header and c.col <= 2 and c.row >= 3}
    return [by_row[r] for r in rows[:-1] if r in by_row]


# --- the catalogue of variants ------------------------------------------------------------------

FORMS = ("txt", "html", "html-gbk")


def _encode(figures: Figures, form: str, f: Figures | None = None) -> tuple[str, bytes]:
    f = f or figures
    if form == "txt":
        return "v.txt", text_report(f).encode("utf-8")
    encoding = "gbk" if form == "html-gbk" else "utf-8"
    return "v.html", html_report(f, encoding=encoding).encode(encoding)


def value_variants(figures: Figures, seed: int) -> Iterator[Variant]:
    rng = random.Random(seed)
    for kind, fn in VALUE_PERTURBATIONS.items():
        f, exp = fn(figures, rng)
        for form in FORMS:
            name, data = _encode(figures, form, f)
            yield Variant(kind, form, figures, exp, name, data)
    for form in ("txt", "html"):
        text = text_report(figures) if form == "txt" else html_report(figures)
        text, exp = yuan_header(figures, text)
        yield Variant("amount-yuan-header", form, figures, exp, f"v.{form}", text.encode("utf-8"))


def label_variants(figures: Figures, seed: int) -> Iterator[Variant]:
    rng = random.Random(seed)
    labels = label_texts(figures)
    exp = expected_of(figures)
    for kind, fn in LABEL_PERTURBATIONS.items():
        for rep in range(3):
            text = perturb_text_labels(text_report(figures), labels, fn, rng)
            yield Variant(kind, f"txt#{rep}", figures, exp, "v.txt", text.encode("utf-8"))
            page = perturb_html_labels(html_report(figures), fn, rng)
            yield Variant(kind, f"html#{rep}", figures, exp, "v.html", page.encode("utf-8"))
    for rep in range(3):
        page = perturb_html_labels(html_report(figures), html_br_in_labels, rng)
        yield Variant("html-br-in-labels", f"#{rep}", figures, exp, "v.html", page.encode("utf-8"))


def structure_variants(figures: Figures, seed: int) -> Iterator[Variant]:
    rng = random.Random(seed)
    exp = expected_of(figures)
    text = text_report(figures)
    for where in ("start", "end"):
        yield Variant("extra-empty-column", f"txt-{where}", figures, exp, "v.txt", extra_tab_column(text, where).encode())
    page = html_report(figures, extra_empty_column=True)
    yield Variant("extra-empty-column", "html-end", figures, exp, "v.html", page.encode())
    page = html_report(figures).replace("<tr>", "<tr><td>&nbsp;</td>")
    yield Variant("extra-empty-column", "html-start", figures, exp, "v.html", page.encode())
    for rep in range(3):
        yield Variant("eight-numbers", f"#{rep}", figures, exp, "v.txt", eight_numbers(text, rng).encode())
        yield Variant("page-number-line", f"#{rep}", figures, exp, "v.txt", page_number_lines(text, rng).encode())
    for wrap in (False, True):
        tag = "wrapped" if wrap else "plain"
        yield Variant("layout-cells", tag, figures, exp, "v.txt", one_cell_per_line(text, rng, wrap).encode())
        spaced, _ = space_separated(text, rng, wrap)
        yield Variant("layout-spaces", tag, figures, exp, "v.txt", spaced.encode())
    hybrid = hybrid_2021(figures)
    if hybrid is not None:
        yield Variant("hybrid-2021-single-other", "txt", figures, hybrid[1], "v.txt", hybrid[0].encode())


def break_variants(figures: Figures) -> Iterator[Variant]:
    base = html_rows(figures)
    exp = expected_of(figures)
    for kind, detail, doc in split_variants(figures, base):
        yield Variant(kind, detail, figures, exp, doc=doc)
    yield Variant("appeals-value-row-next-page", "", figures, exp, doc=appeals_on_next_page(base))


def pdf_variants(figures: Figures, seed: int, count: int) -> Iterator[Variant]:
    """Real PDFs broken after randomly chosen rows, header repeated or not, row cut or not."""
    rng = random.Random(seed)
    labels = split_labels(figures)
    exp = expected_of(figures)
    for _ in range(count):
        label = rng.choice(labels)
        repeat, cut = rng.random() < 0.5, rng.random() < 0.5
        data = render_pdf_bytes(figures, label, repeat, cut)
        detail = f"after {label[:8]}{' header' if repeat else ''}{' cut' if cut else ''}"
        yield Variant("pdf-split", detail, figures, exp, "v.pdf", data)


def all_fast_variants(figures: Figures, seed: int = 0) -> Iterator[Variant]:
    yield from value_variants(figures, seed)
    yield from label_variants(figures, seed)
    yield from structure_variants(figures, seed)


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Tally:
    variants: int = 0
    cells: int = 0
    exact: int = 0
    flagged: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, v: Variant, out: Outcome) -> None:
        self.variants += 1
        self.cells += out.exact + out.flagged + len(out.wrong)
        self.exact += out.exact
        self.flagged += out.flagged
        self.wrong += [f"{v.figures['agency']} {v.kind} {v.detail}: {w}" for w in out.wrong]

    def line(self, kind: str) -> str:
        rate = 100 * self.exact / self.cells if self.cells else 0.0
        return (f"{kind:30} {self.variants:5} variants {self.cells:7} cells  exact {rate:6.2f}%  "
                f"flagged {self.flagged:6}  wrong {len(self.wrong)}")


def measure(variants: Iterator[Variant], tallies: dict[str, Tally] | None = None) -> dict[str, Tally]:
    tallies = {} if tallies is None else tallies
    for v in variants:
        tallies.setdefault(v.kind, Tally()).add(v, judge(v.parse(), v))
    return tallies


def main() -> None:
    tallies: dict[str, Tally] = {}
    for i, figures in enumerate(load_figures()):
        measure(all_fast_variants(figures, i), tallies)
        measure(break_variants(figures), tallies)
        measure(pdf_variants(figures, i, 3), tallies)
    for kind, t in tallies.items():
        print(t.line(kind))
        for w in t.wrong[:5]:
            print("   ", w)


if __name__ == "__main__":
    main()
