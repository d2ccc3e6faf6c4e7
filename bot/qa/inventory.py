"""What the database holds: "有哪些单位", "数据库里有哪些报告", "有哪些年份".

A newcomer who has just loaded reports first asks what is there; without this the question was
read as a figure of an unnamed agency and answered "没有找到问题中的单位".  The question must be
*only* such an inventory question (an optional year, "数据库里", "都有" …), so "哪些单位缺2023年
年报", "2023年哪些报告没通过校验" or "聊城市城市管理局有哪些报告" keep their own answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from bot.answer import Answer

MAX_LINES = 30

_WHERE = r"(?:(?:数据库|资料库|库|系统|这里|你这)(?:里面|里|中|内)?)?"
_HAS = r"(?:现在|目前|已经)?(?:都|一共|总共|共)?(?:有|收录了?|存了?|存有|保存了?|包含|包括)?"
_WHAT = r"(?:哪些|什么|哪几个|哪几|几个|多少)(?:个|份|家)?"
_KINDS = {
    "agencies": r"(?:单位|机关|部门|政府部门)",
    "reports": r"(?:报告|年报|年度报告|数据)",
    "years": r"(?:年份|年度|年)",
}
_TAIL = r"(?:的(?:报告|年报|数据))?(?:呢|啊|吗|呀)?"


def _year(group: str) -> str:
    """An optional "2023年" ("2023年度的"), before or after "数据库里"."""
    return rf"(?:(?P<{group}>(?:19|20)\d\d)年度?的?)?"


_PATTERNS = {
    kind: re.compile(rf"^{_year('before')}{_WHERE}{_year('after')}{_HAS}{_WHAT}{words}{_TAIL}$")
    for kind, words in _KINDS.items()
}
_PUNCT = re.compile(r"[\s?？!！。.,，:：~～]+")


@dataclass(frozen=True)
class Held:
    """One agency's current reports: its name and the years held."""

    agency: str
    years: tuple[int, ...]


def inventory_question(text: str) -> tuple[str, int | None] | None:
    """``(kind, year)`` when ``text`` asks only what the database holds, else None."""
    bare = _PUNCT.sub("", text)
    for kind, pattern in _PATTERNS.items():
        match = pattern.fullmatch(bare)
        if match:
            year = match.group("before") or match.group("after")
            return kind, int(year) if year else None
    return None


def holdings(db: sqlite_utils.Database, year: int | None = None) -> list[Held]:
    """Agencies with their current reports' years, by name (one grouped query, any size)."""
    where = "r.status = 'current'" + (" and r.year = ?" if year is not None else "")
    rows = db.execute(
        "select a.name, group_concat(r.year) from reports r join agencies a on a.id = r.agency_id "
        f"where {where} group by a.name order by a.name",
        [year] if year is not None else [],
    ).fetchall()
    return [Held(name, tuple(sorted(int(y) for y in str(years).split(",")))) for name, years in rows]


def answer(db: sqlite_utils.Database, text: str) -> Answer | None:
    """The inventory answer to ``text``, or None when it is another kind of question."""
    asked = inventory_question(text)
    if asked is None:
        return None
    kind, year = asked
    held = holdings(db, year)
    if not held:
        scope = f"{year}年的" if year else ""
        return Answer(status="no_data", kind="inventory", year=year, text=(
            f"数据库里还没有{scope}报告。读入报告：xxgk ingest 文件夹（或 xxgk demo 文件夹，读入演示库）。"))
    render = {"agencies": _agencies, "reports": _reports, "years": _years}[kind]
    body, series = render(held, year)
    return Answer(status="answer", kind="inventory", year=year, text=body, series=series)


def _agencies(held: list[Held], year: int | None) -> tuple[str, list[dict]]:
    scope = f"{year}年" if year else ""
    lines = [f"数据库里有{scope}报告的单位共 {len(held)} 个："]
    lines += [f"• {h.agency}（{_year_list(h.years)}）" for h in held[:MAX_LINES]]
    lines += _more(len(held), "个单位")
    return "\n".join(lines), [{"label": h.agency, "value": len(h.years), "years": list(h.years)} for h in held]


def _reports(held: list[Held], year: int | None) -> tuple[str, list[dict]]:
    by_year = _by_year(held)
    total = sum(len(names) for names in by_year.values())
    scope = f"{year}年的" if year else ""
    lines = [f"数据库里共有{scope}报告 {total} 份（{len(held)} 个单位）："]
    shown = 0
    for y, names in sorted(by_year.items()):
        if shown >= MAX_LINES:
            break
        lines.append(f"• {y}年 {len(names)} 份：" + "、".join(names[:10]) + ("等" if len(names) > 10 else ""))
        shown += 1
    lines += _more(len(by_year), "个年份")
    lines.append("问某单位某年的报告，例如：" + f"{held[0].agency}{held[0].years[-1]}年")
    series = [{"label": f"{y}年", "value": len(names)} for y, names in sorted(by_year.items())]
    return "\n".join(lines), series


def _years(held: list[Held], year: int | None) -> tuple[str, list[dict]]:
    by_year = _by_year(held)
    lines = [f"数据库里有 {_year_list(tuple(sorted(by_year)))} 的报告："]
    lines += [f"• {y}年：{len(names)} 份" for y, names in sorted(by_year.items())]
    return "\n".join(lines), [{"label": f"{y}年", "value": len(names)} for y, names in sorted(by_year.items())]


def _by_year(held: list[Held]) -> dict[int, list[str]]:
    years: dict[int, list[str]] = {}
    for h in held:
        for y in h.years:
            years.setdefault(y, []).append(h.agency)
    return years


def _year_list(years: tuple[int, ...]) -> str:
    return "、".join(f"{y}年" for y in years)


def _more(count: int, what: str) -> list[str]:
    if count <= MAX_LINES:
        return []
    return [f"……另有 {count - MAX_LINES} {what}（全部：xxgk status --reports）"]
