"""Number parsing and label cores: the small rules every reader and the interpreter share."""

from __future__ import annotations

import pytest

from ingest.normalize import core, is_value_text, nfkc, parse_number, split_tokens, to_wan


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("0", 0.0),
        ("12", 12.0),
        ("-540", -540.0),
        ("+26", 26.0),
        ("减 90", -90.0),
        ("减90", -90.0),
        ("增 5", 5.0),
        ("1278848.63", 1278848.63),
        ("48359.899368万元", 48359.899368),
        ("1,054", 1054.0),
        ("１２３", 123.0),  # full-width digits
        (" 7 ", 7.0),
    ],
)
def test_numbers(raw: str, value: float) -> None:
    number = parse_number(raw)
    assert number.status == "number"
    assert number.value == pytest.approx(value)


@pytest.mark.parametrize("raw", ["", " ", "/", "—", "－", "-", "无", "\u00a0"])
def test_blank_marks_are_blank_not_zero(raw: str) -> None:
    number = parse_number(raw)
    assert number.status == "blank"
    assert number.value is None


@pytest.mark.parametrize("raw", ["见附件", "约10", "100%", "12a", "不详"])
def test_anything_else_is_invalid(raw: str) -> None:
    assert parse_number(raw).status == "invalid"
    assert not is_value_text(raw)


def test_units_are_reported_and_converted_to_wan() -> None:
    assert parse_number("251000元").unit == "元"
    assert parse_number("17万元").unit == "万元"
    assert to_wan(251000, "元") == pytest.approx(25.1)
    assert to_wan(17, "万元") == 17
    assert to_wan(4092.66, "", "万元") == 4092.66
    assert to_wan(50000, "", "元") == pytest.approx(5.0)
    assert to_wan(3.5, "万元", "元") == 3.5  # the cell's own unit wins


def test_core_strips_whitespace_and_folds_forms() -> None:
    assert core("社 会 公 益\n组 织") == "社会公益组织"
    assert core("（三）不予公开") == "(三)不予公开"
    assert nfkc("⼀、⾏政许可") == "一、行政许可"  # Kangxi radicals


def test_split_tokens_rejoins_signs_and_units() -> None:
    assert split_tokens("行政处罚 90 减 90") == ["行政处罚", "90", "减90"]
    assert split_tokens("政府集中采购 8 4092.66 万元") == ["政府集中采购", "8", "4092.66万元"]
    assert split_tokens("  规章   1 1 1 ") == ["规章", "1", "1", "1"]
