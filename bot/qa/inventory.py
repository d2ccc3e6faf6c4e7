"""What the database holds: "有哪些单位", "数据库里有哪些报告", "有哪些年份", and the same of one
agency or one place: "聊城市人民政府有哪些报告 / 有哪几年的年报", "聊城市有哪些单位".

A newcomer who has just loaded reports first asks what is there; without this the question was
read as a figure of an unnamed agency and answered "没有找到问题中的单位", and "聊城市有哪些单位"
as the overview of 聊城市人民政府.  The question must be *only* such an inventory question (an
optional year, "数据库里", "都有" …, or an agency or place before it), so "哪些单位缺2023年年报" or
"2023年哪些报告没通过校验" keep their own answers.  A scope the resolver does not read as one
agency or a place is left to the other answers (which say what they did not find).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from bot.answer import Answer

MAX_LINES = 30

_WHERE = r"(?:(?:数据库|资料库|库|系统|这里|你这)(?:里面|里|中|内)?)?"
_HAS = r"(?:现在|目前|已经)?(?:都|一共|总共|共)?(?:有|收录了?|存了?|存有|保存了?|包含|包括)?"
_WHAT = r"(?:哪些|什么|哪几个|哪几|几个|多少|几)(?:个|份|家)?"
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
_SCOPED = {
    kind: re.compile(rf"^{_year('before')}(?P<scope>[^\d]{{2,40}}?)(?:的)?{_year('after')}{_HAS}{_WHAT}{words}{_TAIL}$")
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


def holdings(db: sqlite_utils.Database, year: int | None = None,
             agency_ids: list[int] | None = None) -> list[Held]:
    """Agencies with their current reports' years, by name (grouped queries, any size); only
    ``agency_ids`` when given (asked in chunks SQLite's parameter limit allows)."""
    if agency_ids is None:
        return _holdings(db, year, None)
    held = [h for at in range(0, len(agency_ids), 900) for h in _holdings(db, year, agency_ids[at:at + 900])]
    return sorted(held, key=lambda h: h.agency)


def _holdings(db: sqlite_utils.Database, year: int | None, agency_ids: list[int] | None) -> list[Held]:
    where = "r.status = 'current'" + (" and r.year = ?" if year is not None else "")
    params: list[object] = [year] if year is not None else []
    if agency_ids is not None:
        where += f" and a.id in ({','.join('?' * len(agency_ids))})"
        params += agency_ids
    rows = db.execute(
        "select a.name, group_concat(r.year) from reports r join agencies a on a.id = r.agency_id "
        f"where {where} group by a.name order by a.name", params).fetchall()
    return [Held(name, tuple(sorted(int(y) for y in str(years).split(",")))) for name, years in rows]


def scoped_question(text: str) -> tuple[str, str, int | None] | None:
    """``(kind, scope, year)`` when ``text`` asks what is held of an agency or a place."""
    bare = _PUNCT.sub("", text)
    for kind, pattern in _SCOPED.items():
        match = pattern.fullmatch(bare)
        if match:
            year = match.group("before") or match.group("after")
            return kind, match.group("scope"), int(year) if year else None
    return None


def answer(db: sqlite_utils.Database, text: str) -> Answer | None:
    """The inventory answer to ``text``, or None when it is another kind of question."""
    asked = inventory_question(text)
    if asked is None:
        return _scoped(db, text)
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


def _scoped(db: sqlite_utils.Database, text: str) -> Answer | None:
    """What one agency (its reports, by year, with their files) or one place (its agencies and
    their years) holds; None when the scope is neither, exactly."""
    from store.identity.resolver import index_for

    asked = scoped_question(text)
    if asked is None:
        return None
    kind, scope, year = asked
    index = index_for(db)
    mentions = index.mentions(scope)
    if len(mentions) > 1:
        return None
    if mentions and index.names_a_place_only(mentions[0]) and mentions[0].places:
        place = mentions[0]
        found = _place(db, "".join(place.places), [index.entries[i].id for i in index.region_of(place)], year)
        if place.notes:  # a place written one character wrong, read as the one held
            found.text = f"（{'；'.join(place.notes)}）\n{found.text}"
        return found
    if kind == "agencies":
        return None
    # one agency, as questions read it: exactly, or one name clearly meant (said in the answer)
    resolution = index.resolve_name(scope)
    entry = index.named(resolution.agency) if resolution.agency else None
    if entry is None:  # several agencies, or none: the other answers list them or say so
        return None
    found = _agency(db, resolution.agency, entry.id, year)
    if resolution.note:  # how a name written wrong was read
        found.text = f"（{resolution.note}）\n{found.text}"
    return found


def _agency(db: sqlite_utils.Database, name: str, agency_id: int, year: int | None) -> Answer:
    rows = db.execute(
        "select year, source_name, format, failed_checks from reports where agency_id = ? and status = 'current'"
        + (" and year = ?" if year is not None else "") + " order by year",
        [agency_id, year] if year is not None else [agency_id]).fetchall()
    if not rows:
        scope = f"{year}年的" if year else ""
        return Answer(status="no_data", kind="inventory", agency=name, year=year,
                      text=f"数据库里没有{name}{scope}报告。")
    lines = [f"{name}在数据库里有报告 {len(rows)} 份：{_year_list(tuple(r[0] for r in rows))}"]
    for y, source, fmt, failed in rows[:MAX_LINES]:
        note = "，有未通过的校验" if failed else ""
        lines.append(f"• {y}年：{source or '（无文件名）'}（{fmt}版表格{note}）")
    lines += _more(len(rows), "份")
    lines.append(f"问其中一年的数字，例如：{name}{rows[-1][0]}年收到多少申请")
    series = [{"label": f"{r[0]}年", "value": 1, "source": r[1]} for r in rows]
    return Answer(status="answer", kind="inventory", agency=name, year=year, text="\n".join(lines), series=series)


def _place(db: sqlite_utils.Database, place: str, agency_ids: list[int], year: int | None) -> Answer:
    held = holdings(db, year, agency_ids)
    scope = f"{year}年" if year else ""
    if not held:
        return Answer(status="no_data", kind="inventory", year=year,
                      text=f"数据库里没有{place}的单位的{scope}报告。")
    lines = [f"{place}在数据库里有{scope}报告的单位共 {len(held)} 个："]
    lines += [f"• {h.agency}（{_year_list(h.years)}）" for h in held[:MAX_LINES]]
    lines += _more(len(held), "个单位")
    series = [{"label": h.agency, "value": len(h.years), "years": list(h.years)} for h in held]
    return Answer(status="answer", kind="inventory", year=year, text="\n".join(lines), series=series)


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
