"""Audit questions: which reports failed their checks, which agencies lack a year's report."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

import sqlite_utils

from bot.answer import Answer
from store import queries

if TYPE_CHECKING:
    from bot.qa.agencies import AgencyIndex
    from bot.qa.parse import Question

MAX_LINES = 30


def _region_filter(q: Question, index: AgencyIndex) -> tuple[set[str] | None, str]:
    placed = [m for m in q.mentions if m.places]
    if not placed:
        return None, ""
    return {index.entries[i].name for i in index.region_of(placed[0])}, "".join(placed[0].places)


def _scope(q: Question, index: AgencyIndex) -> tuple[set[str] | None, str, Answer | None]:
    """The agencies an audit question names: a named agency (or the candidates of a short name
    such as 城管局) narrows the list to them, a bare place to the agencies there.  A name that
    matches nothing gets a not_found answer rather than the whole database's list."""
    if not q.mentions:
        return _named_only_loosely(q, index)
    names: set[str] = set()
    labels: list[str] = []
    for m in q.mentions:
        if index.names_a_place_only(m):  # "聊城": a region, not 聊城市人民政府
            names |= {index.entries[i].name for i in index.region_of(m)} if m.places else set()
            labels.append("".join(m.places))
            continue
        r = index.resolve(m)
        if not r.matches:
            return None, "", _unknown(r.note or "没有找到问题中的单位", r.suggestions)
        names |= set(r.matches)
        labels.append(r.agency or m.token or m.phrase)
    return names, "、".join(label for label in labels if label), None


_AGENCY_LIKE = re.compile(r"[\u4e00-\u9fff]{1,12}(局|委|办|厅|院|署|府|中心|委员会|办公室)$")


def _named_only_loosely(q: Question, index: AgencyIndex) -> tuple[set[str] | None, str, Answer | None]:
    """No agency recognised: a stretch shaped like a name ("统理局") is still looked up fuzzily,
    so a typo is answered "not found" instead of with every report in the database."""
    phrase = index.fuzzy_phrase(q.text)
    if not _AGENCY_LIKE.fullmatch(phrase):
        return None, "", None
    r = index.fuzzy(phrase, ())
    if r.matches:
        return set(r.matches), r.agency or phrase, None
    return None, "", _unknown(f"没有找到“{phrase}”", r.suggestions)


def _unknown(what: str, suggestions: list[str]) -> Answer:
    near = f"相近的单位：{'、'.join(suggestions)}。" if suggestions else ""
    return Answer(status="not_found", kind="help", text=f"{what}。{near}请写出单位全称。")


def failed_checks(db: sqlite_utils.Database, q: Question, index: AgencyIndex) -> Answer:
    year = q.years[0] if q.years else None
    names, scope, refusal = _scope(q, index)
    if refusal is not None:
        return refusal
    reports = [r for r in queries.failed_reports(db, year) if names is None or r["agency"] in names]
    when = f"{year}年" if year else ""
    if not reports:
        return Answer(status="answer", kind="checks", value=0, unit="份", year=year,
                      text=f"{scope}{when}的报告全部通过校验（没有失败的校验项）。")
    lines = []
    for r in reports[:MAX_LINES]:
        lines.append(f"• {r['agency']} {r['year']}年（{r['source_name']}）：")
        lines.extend(f"    - [{c['severity']}] {c['message']}" for c in r["checks"][:5])
    more = f"\n……另有{len(reports) - MAX_LINES}份" if len(reports) > MAX_LINES else ""
    series = [{"label": f"{r['agency']} {r['year']}年", "agency": r["agency"], "year": r["year"],
               "report_id": r["report_id"], "value": len(r["checks"]), "checks": r["checks"]} for r in reports]
    text = f"{scope}{when}共{len(reports)}份报告有未通过的校验：\n" + "\n".join(lines) + more
    return Answer(status="answer", kind="checks", value=len(reports), unit="份", year=year, text=text, series=series)


def missing(db: sqlite_utils.Database, q: Question, index: AgencyIndex, today: datetime.date) -> Answer:
    year = q.years[0] if q.years else queries.latest_year(db)
    if year is None:
        return Answer(status="no_data", kind="missing", text="数据库里还没有年度报告。")
    names, scope = _region_filter(q, index)
    rows = [r for r in queries.agencies_missing_year(db, year) if names is None or r["agency"] in names]
    if not rows:
        return Answer(status="answer", kind="missing", value=0, unit="个", year=year,
                      text=f"{scope}有报告的单位都有{year}年年报。")
    lines = [f"• {r['agency']}（已有：{'、'.join(map(str, r['years']))}年）" for r in rows[:MAX_LINES]]
    more = f"\n……另有{len(rows) - MAX_LINES}个" if len(rows) > MAX_LINES else ""
    text = f"{scope}共{len(rows)}个单位缺{year}年年报（在其他年份有报告）：\n" + "\n".join(lines) + more
    series = [{"label": r["agency"], "agency": r["agency"], "years": r["years"]} for r in rows]
    return Answer(status="answer", kind="missing", value=len(rows), unit="个", year=year, text=text, series=series)
