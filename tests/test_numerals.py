"""The one Chinese-numeral parser both the narrative checks and the question parser use."""

from __future__ import annotations

import datetime

import pytest

from bot.qa.years import find_years, recent_years
from ingest.narrative import narrative_statements
from store.numerals import cn_digits, cn_number


@pytest.mark.parametrize(("text", "value"), [
    ("12", 12), ("两", 2), ("〇", 0), ("十", 10), ("十三", 13), ("二十", 20), ("两十一", 21), ("九十九", 99),
])
def test_cn_number_reads_counts(text: str, value: int) -> None:
    assert cn_number(text) == value


@pytest.mark.parametrize("text", ["", "百", "一百", "十十", "二三", "3十", "十两"])
def test_cn_number_refuses_what_it_cannot_read(text: str) -> None:
    assert cn_number(text) is None


def test_cn_digits_reads_years_digit_by_digit() -> None:
    assert cn_digits("二〇一九") == 2019
    assert cn_digits("二○二三") == 2023
    assert cn_digits("二〇一x") is None
    assert cn_digits("") is None


def test_both_callers_share_it() -> None:
    today = datetime.date(2024, 5, 1)
    assert [y.year for y in find_years("二〇二一年收到多少申请", today)] == [2021]
    assert recent_years("近两年的申请") == 2
    assert recent_years("近十年") == 10
    assert narrative_statements("本年度共收到政府信息公开申请二十三件。") == [
        ("new", 23, "本年度共收到政府信息公开申请二十三件")]
