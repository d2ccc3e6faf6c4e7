"""Questions the way people type them in a chat (issue 12): 繁體 and English, words the parser
does not know, figures the reports do not hold, blank 总计 columns, audits, comparisons across
agencies and years, rates of any outcome, units, "why" questions, suggestions and clarify lists.

The database is the QA test database (tests/qa_db.py) plus two 2021-format reports of 淮安
(淮安市人民政府 2024 and 淮安市洪泽区人民政府 2024) built from the 平潭 figures."""

from __future__ import annotations

import pytest

from bot.qa import ask
from store.db import save_report
from tests.qa_db import FIGURES, TODAY_2024, build_qa_db, derived, load_json, report_from

TODAY = TODAY_2024.replace(year=2025)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = build_qa_db(tmp_path_factory.mktemp("qa12") / "qa.db")
    pingtan = load_json(FIGURES / "pingtan-2023.json")
    save_report(database, report_from(derived(pingtan, "淮安市人民政府", 2024, 40), "huaian-2024.txt"))
    save_report(database, report_from(derived(pingtan, "淮安市洪泽区人民政府", 2024, 3), "hongze-2024.txt"))
    return database


def q(db, text):
    return ask(db, text, today=TODAY)


# ------------------------------------------------------------------------------ 3. 繁體 and English


@pytest.mark.parametrize(
    ("question", "agency", "year", "value"),
    [
        ("大數據局2019年採購總金額多少萬元", "聊城市大数据局", 2019, 4092.66),
        ("聊城市人民政府2020年部分公開幾件", "聊城市人民政府", 2020, 84),
        ("聊城市人民政府2020年不予公開多少件", "聊城市人民政府", 2020, 33),
        ("洪泽区政府 2024 FOI requests", "淮安市洪泽区人民政府", 2024, 84),
        ("淮安市政府2024年 administrative review 多少件", "淮安市人民政府", 2024, 2),
        ("How many applications did 聊城市人民政府 receive in 2020?", "聊城市人民政府", 2020, 1054),
        ("How many requests were granted by 聊城市人民政府 in 2020", "聊城市人民政府", 2020, 632),
        ("聊城市人民政府 2020 refused", "聊城市人民政府", 2020, 33),
        ("聊城市人民政府 2020 lawsuits", "聊城市人民政府", 2020, 30),
        ("平潭 2023 administrative fees", "平潭综合实验区", 2023, 5949.088667),
        ("聊城城管局 2019 procurement", "聊城市城市管理局", 2019, 48359.899368),
    ],
)
def test_traditional_and_english_questions(db, question, agency, year, value):
    a = q(db, question)
    assert (a.status, a.agency, a.year) == ("answer", agency, year), a.text
    assert a.value == pytest.approx(value)
    assert "没有看懂" not in a.text, a.text  # every word was understood


def test_english_question_kinds(db):
    assert q(db, "聊城市大数据局 applications trend").kind == "trend"
    ranked = q(db, "rank 聊城 agencies by requests received in 2020")
    assert (ranked.kind, [s["agency"] for s in ranked.series][:1]) == ("ranking", ["聊城市人民政府"])
    both = q(db, "compare 聊城城管局 and 淄博城管局 applications 2020")
    assert (both.kind, [s["value"] for s in both.series]) == ("compare", [12, 2])
    rate = q(db, "聊城市人民政府 2020 disclosure rate")
    assert (rate.kind, rate.value) == ("rate", pytest.approx(68.13))
