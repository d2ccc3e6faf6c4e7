"""Every seed question of ../shared gets the expected status, agency, year and value.

The database is built from ../shared/truth (ParsedReport from the truth cells), so this tests
the answering core alone, compared the way ../shared/tools/score_answers.py compares.
"""

from __future__ import annotations

import csv

import pytest

from bot.qa import ask
from tests.conftest import SHARED, needs_shared
from tests.qa_db import build_from_dir

pytestmark = [needs_shared, pytest.mark.shared]


def _questions() -> list[dict[str, str]]:
    path = SHARED / "questions" / "seed-questions.tsv"
    if not path.exists():
        return []
    return list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))


@pytest.fixture(scope="module")
def truth_db(tmp_path_factory):
    return build_from_dir(tmp_path_factory.mktemp("truth") / "truth.db", SHARED / "truth")


@pytest.mark.parametrize("row", _questions(), ids=lambda r: r["question"])
def test_seed_question(truth_db, row):
    a = ask(truth_db, row["question"])
    assert a.status == row["status"], a.text
    if row["status"] == "answer":
        assert a.agency == row["agency"] and str(a.year) == row["year"], a.text
        assert isinstance(a.value, int | float) and abs(a.value - float(row["value"])) < 1e-6, a.text
        assert sorted(a.cells) == sorted(row["cells"].split("+"))
    if row["status"] == "no_data":
        assert (a.agency, str(a.year)) == (row["agency"], row["year"])
