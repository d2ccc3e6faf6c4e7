"""The digit-run solver (ingest/splitting.py): rows split by their own digits and sums, rows
left open decided only by the relations between rows, real errors of a report kept visible."""

from __future__ import annotations

import dataclasses

import pytest

from ingest import splitting
from ingest.splitting import AMOUNT, APPEALS_ROW, COUNT, REQUESTS_ROW, SIGNED, split_row
from store import settings

SEVEN = [COUNT] * 7


def test_a_row_splits_one_way_by_its_own_sum() -> None:
    split = split_row(["640020470"], SEVEN, REQUESTS_ROW)
    assert split.cells == ("64", "0", "0", "2", "0", "4", "70")
    assert split.how.startswith("按表内勾稽关系拆分")


def test_a_row_with_as_many_digits_as_columns_is_cut_digit_by_digit() -> None:
    split = split_row(["0000000"], SEVEN, REQUESTS_ROW)
    assert split.cells == ("0",) * 7 and "逐位" in split.how


def test_leading_zeros_are_no_numbers() -> None:
    # "023" cannot be 23 printed in one cell: 0 | 23 (or 0 | 2 | 3) is forced
    split = split_row(["23", "0", "00", "0", "023"], SEVEN, REQUESTS_ROW)
    assert split.cells == ("23", "0", "0", "0", "0", "0", "23")
    assert splitting.needs_split(["07", "1"], 2) and not splitting.needs_split(["7", "1"], 2)


def test_a_row_with_two_sum_splits_stays_open_with_both_candidates() -> None:
    split = split_row(["270020130"], SEVEN, REQUESTS_ROW)
    assert split.cells is None
    assert split.options == [("2", "7", "0", "0", "20", "1", "30"), ("27", "0", "0", "2", "0", "1", "30")]
    reason = splitting.ambiguity(split)
    assert "2|7|0|0|20|1|30" in reason and "27|0|0|2|0|1|30" in reason


def test_a_row_printed_wrong_is_read_as_printed() -> None:
    """Zeros cannot merge, so "0000000" under a row sum that fails reads as printed, and the
    check reports the published error; "1000002" could be 10|0|0|0|0|2 and a blank: flagged."""
    split = split_row(["0000000"], SEVEN, splitting.sum_check([(0, 5)]))  # a sum nobody printed wrong
    assert split.cells == ("0",) * 7
    split = split_row(["0000000"], [COUNT] * 3 + [COUNT] * 4, lambda n, p, c: n < 7 or p[6] == "1")
    assert split.cells == ("0",) * 7 and split.how == splitting.HOW_PRINTED
    split = split_row(["1000002"], SEVEN, REQUESTS_ROW)
    assert split.cells is None and split.doubt
    assert ("1", "0", "0", "0", "0", "0", "2") in split.options


def test_a_row_wrong_as_printed_but_right_with_a_blank_cell_is_flagged() -> None:
    split = split_row(["1000010"], SEVEN, REQUESTS_ROW)
    assert split.cells is None and split.doubt
    assert ("1", "0", "0", "0", "0", "1", "0") in split.options
    assert ("10", "0", "0", "0", "0", "0", "10") in [splitting.distinct([c])[0] for c in split.options]


def test_fewer_numbers_than_columns_all_placements_equal() -> None:
    split = split_row(["0"] * 6, SEVEN, REQUESTS_ROW, spaced=True)
    assert split.cells is not None and all(splitting.value_of(p) == 0 for p in split.cells)
    assert "空白" in split.how


def test_spaced_numbers_stay_whole() -> None:
    """In space-separated text "12 3" is two cells and one blank, not 1 | 2 | 3."""
    split = split_row(["12", "3"], [COUNT] * 3, spaced=True)
    assert split.cells is None and len(split.options) == 3
    assert split_row(["123"], [COUNT] * 3).cells == ("1", "2", "3")


@pytest.mark.parametrize(("run", "kinds", "count"), [
    ("693665", [COUNT] * 3, 10),
    ("898989", [COUNT] * 3, 10),
    ("3960181", [COUNT, SIGNED, COUNT], 11),
    ("350", [COUNT, SIGNED], 2),
    ("13575394432.52元", [COUNT, AMOUNT], 10),
])
def test_rows_without_sums_split_only_when_one_way_fits(run: str, kinds: list[str], count: int) -> None:
    split = split_row([run], kinds)
    assert split.cells is None and len(split.options) == count


def test_signs_and_decimal_points_decide() -> None:
    assert split_row(["24252.311082"], [AMOUNT]).cells == ("24252.311082",)
    assert split_row(["12-3"], [COUNT, SIGNED]).cells == ("12", "-3")
    assert split_row(["5.5"], [COUNT, AMOUNT]).cells is None  # 5 | .5 is no number
    assert split_row(["35.5"], [COUNT, AMOUNT]).cells == ("3", "5.5")


def test_appeals_groups_decide_seventeen_digits_for_fifteen_cells() -> None:
    split = split_row(["10203120001200000"], [COUNT] * 15, APPEALS_ROW)
    assert split.cells == ("1", "0", "2", "0", "3", "12", "0", "0", "0", "12", "0", "0", "0", "0", "0")


def test_column_relations_choose_between_candidates() -> None:
    """pingtan 2021: 予以公开 and 不掌握 split two ways each; only one combination balances."""
    rows = {"granted": split_row(["270020130"], SEVEN, REQUESTS_ROW),
            "unable_not_held": split_row(["220000325"], SEVEN, REQUESTS_ROW)}
    known = {rid: tuple(float(x) for x in values) for rid, values in {
        "new": (64, 0, 0, 2, 0, 4, 70), "carried_over": (0,) * 7, "handled_total": (63, 0, 0, 2, 0, 4, 69),
        "carried_forward": (1, 0, 0, 0, 0, 0, 1), "partial": (5, 0, 0, 0, 0, 0, 5),
        "denied_internal": (1, 0, 0, 0, 0, 0, 1), "denied_enforcement_file": (6, 0, 0, 0, 0, 0, 6),
        "denied_admin_query": (1, 0, 0, 0, 0, 0, 1), "other_misc": (1, 0, 0, 0, 0, 0, 1),
    }.items()}
    zero = (0.0,) * 7
    for rid in ("denied_state_secret", "denied_law_forbidden", "denied_three_safety", "denied_third_party",
                "denied_process", "unable_needs_creation", "unable_unclear", "rejected_complaint",
                "rejected_duplicate", "rejected_publication", "rejected_excessive", "rejected_confirm",
                "other_no_correction", "other_no_fee"):
        known[rid] = zero
    decided = splitting.decide(rows, known, splitting.requests_equations("2021"))
    assert decided["granted"].cells == ("27", "0", "0", "2", "0", "1", "30")
    assert decided["unable_not_held"].cells == ("22", "0", "0", "0", "0", "3", "25")
    assert decided["granted"].how == splitting.HOW_TABLE


def test_relations_that_no_combination_satisfies_leave_rows_flagged() -> None:
    rows = {"granted": split_row(["270020130"], SEVEN, REQUESTS_ROW)}
    known = {"handled_total": (99.0,) * 7, "new": (0.0,) * 7, "carried_over": (0.0,) * 7,
             "carried_forward": (0.0,) * 7}
    decided = splitting.decide(rows, known, splitting.requests_equations("2019"))
    # the outcome relation names rows not read here: it is left out; the balance names no open row
    assert decided["granted"].cells is None and not decided["granted"].conflict
    eq = splitting.Equation(((("granted", 6), 1.0), (("handled_total", 6), -1.0)))
    decided = splitting.decide(rows, known, [eq])
    assert decided["granted"].cells is None and decided["granted"].conflict
    assert "没有一种" in splitting.ambiguity(decided["granted"])


def test_the_bound_is_reported_not_half_decided(monkeypatch) -> None:
    monkeypatch.setattr(settings, "SPLITTING", dataclasses.replace(settings.SPLITTING, max_nodes=50))
    split = split_row(["1923243216294377212624"], [COUNT] * 7)
    assert split.capped and split.cells is None
    assert "上限" in splitting.ambiguity(split)


def test_the_narrative_chooses_when_the_table_cannot() -> None:
    """Table 4 "00011110020201012" adds up two ways (行政复议 1 or 11 cases); the report says 11."""
    split = split_row(["00011110020201012"], [COUNT] * 15, APPEALS_ROW)
    assert split.cells is None and len(split.options) == 2
    facts = splitting.narrative_facts("本年度共发生行政复议11件。")
    decided = splitting.decide({"all": split}, {}, [], facts)["all"]
    assert decided.cells == ("0", "0", "0", "11", "11", "0", "0", "2", "0", "2", "0", "1", "0", "1", "2")
    assert decided.how == splitting.HOW_NARRATIVE
    unrelated = splitting.decide({"all": split}, {}, [], splitting.narrative_facts("行政复议5件。"))["all"]
    assert unrelated.cells is None  # a narrative that fits no candidate decides nothing
