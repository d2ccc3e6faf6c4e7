"""Messy real-world layouts read exactly or flagged — never silently wrong.

Every variant made by :mod:`tests.variants` (printed blanks, full-width digits, signed changes,
amounts in 元, broken/lossy labels, extra columns, other text layouts, tables cut by page breaks
in every way, real PDFs broken at random rows) must give, for every figure, either the figure
or a flagged cell; agency and year right.  Perturbations real reports show and a human reads
without doubt must also read exactly (nothing flagged).  The per-kind table of exact and
flagged reads prints at the end (``-s``); ``python -m tests.variants`` prints the full sweep.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import variants as V

FIGURES = V.load_figures()
IDS = [f"{f['agency']}{f['year']}" for f in FIGURES]
TALLIES: dict[str, V.Tally] = {}

EXACT_KINDS = {
    "blank-marks", "fullwidth-digits", "total-column-blank", "signed-change", "amount-yuan-in-cell",
    "amount-wan-in-cell", "amount-yuan-header", "label-stray-space", "label-kangxi", "label-fullwidth",
    "html-br-in-labels", "extra-empty-column", "layout-cells", "hybrid-2021-single-other", "break-clean",
    "appeals-value-row-next-page", "pdf-split",
}
"""Perturbations a human reads without doubt: every cell must come out exact, none flagged."""


@pytest.fixture(scope="module", autouse=True)
def _print_tallies():
    yield
    print("\nexact / flagged reads per perturbation kind:")
    for kind, tally in sorted(TALLIES.items()):
        print(" ", tally.line(kind))


def _lost_wan(v: V.Variant, wrong: str) -> bool:
    """The one known open case (test_a_header_that_lost_wan): a dropped character that happens
    to be the 万 of "采购总金额（万元）" leaves a header that says 元 over 万元 figures.

    Only a damaged label can do this — the renderer prints 万元 — so it is excused for the
    label-lost-char kind alone, and only for an amount.  A header that truly says 元
    (amount-yuan-header) must read exactly: its amounts are converted to 万元."""
    text = v.data.decode("utf-8", "replace") if v.data else ""
    return (v.kind == "label-lost-char" and wrong.startswith("active.") and ".amount:" in wrong
            and "金额（元）" in text)


def _check(variants) -> None:
    """Judge every variant; at least one must have been made, or the test would check nothing."""
    wrong: list[str] = []
    judged = 0
    for v in variants:
        judged += 1
        out = V.judge(v.parse(), v)
        TALLIES.setdefault(v.kind, V.Tally()).add(v, out)
        wrong += [f"{v.kind} {v.detail}: {w}" for w in out.wrong if not _lost_wan(v, w)]
        if v.kind in EXACT_KINDS:
            assert out.flagged == 0, f"{v.kind} {v.detail}: {out.flagged} cells flagged on an unambiguous layout"
    assert judged, "no variant was made: the filter or the generator matched nothing"
    assert not wrong, f"{len(wrong)} silently wrong cells: {wrong[:10]}"


@pytest.mark.parametrize("figures", FIGURES, ids=IDS)
def test_printed_values_labels_and_layouts(figures) -> None:
    _check(V.all_fast_variants(figures, seed=FIGURES.index(figures)))


@pytest.mark.parametrize("figures", FIGURES, ids=IDS)
def test_table_2_broken_before_every_row_clean_or_cut(figures) -> None:
    """Whole rows either side, and the row cut (label before, numbers after), at every row."""
    base = V.html_rows(figures)
    exp = V.expected_of(figures)
    _check(V.Variant(kind, detail, figures, exp, doc=doc) for kind, detail, doc in V.split_variants(figures, base)
           if kind in ("break-clean", "break-cut-row"))
    _check([V.Variant("appeals-value-row-next-page", "", figures, exp, doc=V.appeals_on_next_page(base))])


_CUTS = {i: [(k, d, doc) for k, d, doc in V.split_variants(f, V.html_rows(f))
             if k in ("break-label-cut", "break-numbers-first")] for i, f in enumerate(FIGURES)}


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_labels_cut_at_a_page_break_at_any_character(data) -> None:
    """A label cut at character k, its numbers before or after the break (hypothesis samples
    the ~15,000 combinations; ``python -m tests.variants`` runs them all)."""
    i = data.draw(st.integers(0, len(FIGURES) - 1))
    kind, detail, doc = data.draw(st.sampled_from(_CUTS[i]))
    _check([V.Variant(kind, detail, FIGURES[i], V.expected_of(FIGURES[i]), doc=doc)])


@pytest.mark.parametrize("figures", FIGURES, ids=IDS)
def test_real_pdfs_broken_after_random_rows(figures) -> None:
    _check(V.pdf_variants(figures, seed=FIGURES.index(figures), count=1))


def test_docx_with_printed_marks_reads_exactly() -> None:
    figures = FIGURES[0]
    changed, exp = V.printed_blanks(figures, random.Random(1))
    _check([V.Variant("docx-marks", "", figures, exp, "v.docx", V.render_docx_bytes(changed))])


def test_the_judge_catches_a_wrong_cell() -> None:
    """The invariant is not vacuous: a shifted value is reported as wrong, a flag is not."""
    figures = FIGURES[0]
    v = V.Variant("self", "", figures, V.expected_of(figures), "v.txt", V.text_report(figures).encode())
    report = v.parse()
    key = next(k for k, x in figures["cells"].items() if x is not None)
    report.cells[key].value = (report.cells[key].value or 0) + 1
    assert V.judge(report, v).wrong
    report.cells[key].flagged = True
    assert not V.judge(report, v).wrong


@pytest.mark.xfail(strict=True, reason="open: a header that lost its 万 reads as 元")
def test_a_header_that_lost_wan() -> None:
    """"采购总金额（元）" over 4092.66: a believable 元 amount, read ten-thousandfold too small.
    Nothing in the cell or the header gives it away; it should at least be flagged."""
    figures = next(f for f in FIGURES if f["cells"].get("active.procurement.amount") == 4092.66)
    text = V.text_report(figures).replace("采购总金额（万元）", "采购总金额（元）")
    report = V.Variant("unit-lost", "", figures, V.expected_of(figures), "v.txt", text.encode()).parse()
    cell = report.cells["active.procurement.amount"]
    assert cell.flagged or cell.value == 4092.66


@pytest.mark.parametrize("figures", FIGURES, ids=IDS)
def test_labels_cut_after_their_first_character(figures) -> None:
    """"2" | ".没有现成信息…" and "（" | "七）总计": the lone enumerator left before the break is
    label, not a value of the (blank) row above, with the numbers on either side of the break."""
    _check(V.Variant(k, d, figures, V.expected_of(figures), doc=doc)
           for k, d, doc in V.split_variants(figures, V.html_rows(figures))
           if k in ("break-label-cut", "break-numbers-first") and d.endswith("-k1"))


@pytest.mark.parametrize("figures", FIGURES, ids=IDS)
def test_labels_that_lost_a_character(figures) -> None:
    """Every label with one character dropped ("3要求…", "（）总计", "七）总计"), several seeds:
    each cell is exact or flagged, never taken by a neighbouring row."""
    for seed in range(12):
        _check(v for v in V.all_fast_variants(figures, seed=seed) if v.kind == "label-lost-char")


@pytest.mark.parametrize("figures", FIGURES, ids=IDS)
def test_a_cell_inserted_into_one_row(figures) -> None:
    """A value printed twice (a merged cell read twice): 8 numbers for 7 columns in some rows of
    a tab table.  The row is flagged, or read exactly when the duplicate changes nothing."""
    for seed in range(12):
        _check(v for v in V.all_fast_variants(figures, seed=seed) if v.kind == "eight-numbers")
