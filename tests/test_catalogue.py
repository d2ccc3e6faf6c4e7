"""The catalogue of canonical cells is the specification, not something that resembles it.

``store/cells.tsv`` ships inside the package so a fresh clone works without ``../shared``; it
must be byte-for-byte ``../shared/spec/cells.tsv``.  Without ``../shared`` the catalogue is
still checked on its own: every key is well formed and names one cell of one table per format.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources

import pytest

from store import catalogue
from store.formats import format_ids
from tests.conftest import SHARED

SPEC = SHARED / "spec" / "cells.tsv"
HEADER = "key\ttable\tformat\trow\tcolumn\tunit"
KEY = re.compile(r"^(active|requests|appeals)\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
UNITS = {"active": {"件", "个", "项", "万元"}, "requests": {"件"}, "appeals": {"件"}}
APPEAL_COLUMNS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                  "total": "总计"}


def _shipped() -> bytes:
    return resources.files("store").joinpath("cells.tsv").read_bytes()


@pytest.mark.skipif(not SPEC.is_file(), reason="../shared/spec/cells.tsv not present")
def test_catalogue_is_the_shared_spec_byte_for_byte() -> None:
    shipped, spec = _shipped(), SPEC.read_bytes()
    if shipped != spec:
        ours, theirs = shipped.decode().splitlines(), spec.decode().splitlines()
        line = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs)))
        pytest.fail(f"store/cells.tsv differs from {SPEC} first at line {line + 1}: "
                    f"{ours[line:line + 1]} != {theirs[line:line + 1]} ({len(ours)} vs {len(theirs)} lines)")


def test_catalogue_file_is_well_formed() -> None:
    """UTF-8, LF line ends, one header, six tab-separated fields on every row, no stray blanks."""
    text = _shipped().decode("utf-8")
    assert "\r" not in text and text.endswith("\n") and not text.endswith("\n\n")
    lines = text.removesuffix("\n").split("\n")
    assert lines[0] == HEADER
    bad = [(i + 1, ln) for i, ln in enumerate(lines) if len(ln.split("\t")) != 6
           or any(not f or f != f.strip() for f in ln.split("\t"))]
    assert not bad, f"malformed rows: {bad[:5]}"
    assert len(catalogue.all_specs()) == len(lines) - 1


def test_every_key_parses_and_agrees_with_its_row() -> None:
    """A key is table.row.column; its table is the table column; its unit fits the table."""
    wrong = []
    for s in catalogue.all_specs():
        table, _, column = s.key.split(".") if KEY.match(s.key) else ("", "", "")
        if table != s.table or s.format not in (*format_ids(), "both") or s.unit not in UNITS.get(s.table, ()):
            wrong.append(s)
        elif s.table == "requests" and s.column != _applicant_column(column):
            wrong.append(s)
        elif s.table == "appeals" and s.column != APPEAL_COLUMNS.get(column):
            wrong.append(s)
    assert not wrong, f"{len(wrong)} catalogue rows do not parse or disagree with their key: {wrong[:5]}"


def _applicant_column(column: str) -> str | None:
    label = catalogue.APPLICANT_LABELS.get(column)
    if label is None or column in ("natural", "total"):
        return label
    return "法人或其他组织/其他" if column == "other_org" else f"法人或其他组织/{label}"


@pytest.mark.parametrize("fmt", format_ids())
def test_each_key_and_each_cell_once_per_format(fmt: str) -> None:
    """Within one format no key appears twice and no two keys name the same table cell."""
    specs = [s for s in catalogue.all_specs() if s.in_format(fmt)]
    keys = Counter(s.key for s in specs)
    cells = Counter((s.table, s.row, s.column) for s in specs)
    assert [k for k, n in keys.items() if n > 1] == []
    assert [c for c, n in cells.items() if n > 1] == []
    assert catalogue.keys_for(fmt) == tuple(s.key for s in specs)


def test_formats_have_the_official_cell_counts() -> None:
    """198 cells in the 2019–2020 format and 200 in the 2021 one; keys shared across formats
    only where the row is the same idea (行政许可/处罚/强制 decisions)."""
    assert len(catalogue.keys_for("2019")) == 198
    assert len(catalogue.keys_for("2021")) == 200
    assert catalogue.spec("active.procurement.amount").unit == "万元"
    assert catalogue.spec("active.licensing.decisions", "2021").row == "行政许可"
    twice = {k for k, n in Counter(s.key for s in catalogue.all_specs()).items() if n > 1}
    assert twice == {"active.licensing.decisions", "active.penalty.decisions", "active.enforcement.decisions"}
