"""Reports as web-page text dumps (tests/flat_forms.py): cells glued to labels, whole pages on
one line, cells space-separated — read back exactly where the split is unique, flagged where not,
and never silently wrong; a real error of the published report still fails its check."""

from __future__ import annotations

import copy
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.checks import run_checks
from ingest.pipeline import parse_bytes
from ingest.render.flat import FORMS, flat_report
from tests.conftest import needs_shared
from tests.flat_forms import SAMPLES, judge, random_figures, sample_figures, shared_figures


def _wrong(counts) -> list[str]:
    return sorted(k for k in counts if k.startswith("wrong:"))


@pytest.mark.parametrize("form", FORMS)
def test_samples_read_back_exact_or_flagged(form: str) -> None:
    total = sum((judge(f, form) for f in sample_figures()), start=__import__("collections").Counter())
    assert total["wrong"] == 0, _wrong(total)
    assert total["unique"] > 0.7 * (total["unique"] + total["flagged"])  # most rows split one way


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), blanks=st.sampled_from([0.0, 0.5]), form=st.sampled_from(FORMS))
def test_random_tables_never_read_silently_wrong(seed: int, blanks: float, form: str) -> None:
    figures = random_figures(random.Random(seed), blanks=blanks)
    counts = judge(figures, form)
    assert counts["wrong"] == 0, (seed, blanks, form, _wrong(counts))


@needs_shared
@pytest.mark.slow
@pytest.mark.parametrize("form", FORMS)
def test_shared_truths_read_back_exact_or_flagged(form: str) -> None:
    for figures in shared_figures():
        counts = judge(figures, form)
        assert counts["wrong"] == 0, (figures["agency"], figures["year"], _wrong(counts))


def _zero_total_row() -> dict:
    """pingtan-2023's figures with its （七）总计 row printed as zeros (as 平潭综合实验区经济发展局
    did in 2024): a real error of the published table."""
    figures = json.loads((SAMPLES / "pingtan-2023.json").read_text(encoding="utf-8"))
    figures = copy.deepcopy(figures)
    for key in figures["cells"]:
        if key.startswith("requests.handled_total."):
            figures["cells"][key] = 0
    return figures


@pytest.mark.parametrize("form", FORMS)
def test_a_total_row_printed_as_zeros_still_fails_as_a_source_error(form: str) -> None:
    figures = _zero_total_row()
    report = parse_bytes(flat_report(figures, form).encode("utf-8"), f"zero-total-{form}.txt")
    total = report.cells["requests.handled_total.total"]
    assert total.value in (0, None) and not total.flagged
    assert report.cells["requests.new.total"].value == 81
    failed = {c.rule: c for c in run_checks(report) if not c.passed and c.severity == "error"}
    assert "requests.balance.total" in failed and failed["requests.balance.total"].origin == "source"
    assert "requests.outcomes.total" in failed


def test_split_cells_say_how_they_were_split() -> None:
    figures = json.loads((SAMPLES / "pingtan-2023.json").read_text(encoding="utf-8"))
    report = parse_bytes(flat_report(figures, "oneline").encode("utf-8"), "oneline.txt")
    reading = report.cells["requests.new.natural"]
    assert reading.value == 80 and not reading.flagged
    assert reading.provenance["split"].startswith("按表内勾稽关系拆分")
    assert reading.provenance["printed"] == "801000081"
    assert report.agency == "平潭综合实验区" and report.year == 2023
