"""From a report and a metric to a number with its source: the only place answers read cells.

Rules kept here: a blank cell counts as 0 and is said to be blank; a flagged cell without a
value makes the answer ``no_data``; a flagged cell with a value is used with a caveat; a cell the
report does not have at all is never invented.  A blank 总计 whose applicant columns are printed
(上海市人民政府办公厅 2019 leaves its whole 总计 column blank) is not 0: the figure is the sum of
those columns, and the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from bot.answer import Source
from bot.present import fmt_number
from bot.qa.metrics import Metric, Rate
from store import queries
from store.catalogue import spec

TABLE_LABELS = {"active": "主动公开政府信息情况", "requests": "收到和处理政府信息公开申请情况",
                "appeals": "政府信息公开行政复议、行政诉讼情况"}


@dataclass
class Evaluated:
    value: int | float | None = None
    keys: list[str] = field(default_factory=list)
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    problem: str = ""  # why there is no value (no_data)
    format: str = ""
    flagged_used: list[str] = field(default_factory=list)
    from_parts: list[str] = field(default_factory=list)  # blank 总计 cells replaced by their columns

    @property
    def parts_note(self) -> str:
        """``总计栏空白；按各申请人列相加为 272`` (empty when every 总计 was printed)."""
        sums = [(spec(t, self.format).row.rsplit("/", 1)[-1], self.parts_sum(t)) for t in self.from_parts]
        if len(sums) == 1:
            return f"总计栏空白；按各申请人列相加为 {fmt_number(sums[0][1])}"
        return "总计栏空白；按各申请人列相加：" + "，".join(f"{row} {fmt_number(v)}" for row, v in sums)

    def parts_sum(self, total: str) -> int | float | None:
        return queries.number(round(sum((self.cells.get(p) or {}).get("value") or 0 for p in part_keys([total])), 6))

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def blank(self) -> bool:
        """Every cell summed was printed blank (the value 0 is blank counted as 0)."""
        return bool(self.keys) and all(self.cells[k]["value"] is None for k in self.keys)


def joined(*parts: Evaluated) -> Evaluated:
    """Several readings of one report as one (their keys and cells), for a source and caveats."""
    return Evaluated(value=None, keys=list(dict.fromkeys(k for e in parts for k in e.keys)),
                     cells={k: v for e in parts for k, v in e.cells.items()},
                     format=parts[0].format if parts else "",
                     flagged_used=[k for e in parts for k in e.flagged_used],
                     from_parts=[k for e in parts for k in e.from_parts])


def evaluate_rate(db: sqlite_utils.Database, report: dict[str, Any], rate: Rate) -> tuple[Evaluated, Evaluated, float | None]:
    """Numerator, denominator and the rate in percent (None when either is missing or the
    denominator is 0)."""
    num = evaluate(db, report, rate.numerator, rate.numerator_columns)
    den = evaluate(db, report, rate.denominator, ("total",))
    value = round(num.value / den.value * 100, 2) if num.ok and den.ok and den.value else None  # type: ignore[operator]
    return num, den, value


def table_format(report: dict[str, Any], table: str) -> str:
    return (report.get("table_formats") or {}).get(table) or report["format"]


def evaluate(db: sqlite_utils.Database, report: dict[str, Any], metric: Metric, columns: tuple[str, ...]) -> Evaluated:
    fmt = table_format(report, metric.table)
    keys = metric.keys(fmt, columns)
    if keys is None:
        why = metric.missing or f"{fmt}版表格没有这一项"
        return Evaluated(problem=f"{report['year']}年报告使用{fmt}版表格：{why}。", format=fmt)
    cells = queries.cell_values(db, report["id"], keys)
    blank = [k for k in keys if k.endswith(".total") and k in cells and cells[k]["value"] is None]
    if blank and metric.by_column and columns == ("total",):  # the columns only when a 总计 is blank
        cells.update(queries.cell_values(db, report["id"], part_keys(blank)))
    blank_totals = [k for k in keys if blank_with_parts(k, cells)]
    keys = _blank_totals_as_parts(keys, cells)
    result = Evaluated(keys=list(keys), cells=cells, format=fmt, from_parts=blank_totals)
    absent = [k for k in keys if k not in cells]
    if absent:
        result.problem = f"报告中没有读到“{spec(absent[0], fmt).label}”这一格（表格缺失或未能识别）。"
        return result
    unreadable = [k for k in keys if cells[k]["flagged"] and cells[k]["value"] is None]
    if unreadable:
        raw = cells[unreadable[0]]["raw"]
        result.problem = f"“{spec(unreadable[0], fmt).label}”读取存疑（原文“{raw}”），不给出数字。"
        return result
    result.flagged_used = [k for k in keys if cells[k]["flagged"]]
    total = sum((cells[k]["value"] or 0) for k in keys)
    result.value = queries.number(round(total, 6))
    return result


APPLICANT_PARTS = ("natural", "commercial", "research", "social", "legal", "other_org")


def part_keys(keys: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The six applicant cells of every 总计 cell among ``keys`` (requests.granted.total → …natural …)."""
    return tuple(f"{k[: -len('total')]}{p}" for k in keys if k.endswith(".total") for p in APPLICANT_PARTS)


def blank_with_parts(total: str, cells: dict[str, dict[str, Any]]) -> bool:
    """A 总计 cell printed blank (not flagged) while a column of its row has a number."""
    cell = cells.get(total)
    if cell is None or cell["value"] is not None or cell["flagged"]:
        return False
    return any((cells.get(p) or {}).get("value") or (cells.get(p) or {}).get("flagged") for p in part_keys([total]))


def _blank_totals_as_parts(keys: tuple[str, ...], cells: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    out: list[str] = []
    for key in keys:
        if blank_with_parts(key, cells):
            out.extend(p for p in part_keys([key]) if p in cells)
        else:
            out.append(key)
    return tuple(out)


def source_of(report: dict[str, Any], ev: Evaluated, table: str) -> Source:
    """Report file, table, row and column labels, and each cell's location and raw text."""
    specs = [spec(k, ev.format) for k in ev.keys]
    locations = []
    for key, s in zip(ev.keys, specs, strict=True):
        cell = ev.cells.get(key, {})
        prov = cell.get("provenance") or {}
        where = {k: prov[k] for k in ("page", "line", "bbox") if k in prov}
        where.update({f"source_{k}": prov[k] for k in ("table", "row", "col") if k in prov})  # 0-based indexes
        locations.append({**where, "key": key, "row": s.row, "column": s.column, "raw": cell.get("raw", ""),
                          "blank": cell.get("value") is None, "flagged": bool(cell.get("flagged"))})
    return Source(
        report_id=report["id"], file=report.get("source_name", ""), kind=report.get("source_kind", ""),
        table=TABLE_LABELS.get(table, table), rows=list(dict.fromkeys(s.row for s in specs)),
        column=" + ".join(dict.fromkeys(s.column for s in specs)), locations=locations,
    )


def count_checks(failed: list[dict[str, Any]]) -> str:
    """``2 项校验未通过、1 项校验提示``: failed checks counted by severity."""
    errors = sum(1 for c in failed if c["severity"] == "error")
    return "、".join(filter(None, [f"{errors} 项校验未通过" if errors else "",
                                   f"{len(failed) - errors} 项校验提示" if len(failed) > errors else ""]))


def caveats_of(db: sqlite_utils.Database, report: dict[str, Any], ev: Evaluated | None = None) -> list[str]:
    """Failed checks of the report and flagged cells used.

    Checks that involve the cells of this answer are quoted in full; the others are counted in
    one line, so a report with a dozen failed rows does not bury the answer."""
    used = set(ev.keys) | set(ev.from_parts) if ev else set()
    touching: list[str] = [ev.parts_note + "。"] if ev and ev.from_parts else []
    others = []
    for check in queries.checks_of(db, report["id"], failed_only=True):
        level = "校验未通过" if check["severity"] == "error" else "校验提示"
        if not used or used & set(check["cells"]) or _same_table(check["rule"], used):
            touching.append(f"{level}{'（涉及本答案所用单元格）' if used else ''}：{_relation(check['message'])}")
        else:
            others.append(check)
    out = touching
    if others:
        out.append(f"该报告另有 {count_checks(others)}（不涉及本答案的单元格；用 xxgk check 或 /check 查看）。")
    if ev:
        for key in ev.flagged_used:
            cell = ev.cells[key]
            out.append(f"“{spec(key, ev.format).label}”读取存疑（原文“{cell['raw']}”），请核对原文。")
        for key in ev.keys:
            inferred = (ev.cells.get(key, {}).get("provenance") or {}).get("inferred")
            if inferred:
                out.append(f"“{spec(key, ev.format).label}”的位置或数值系推断：{inferred}。")
    return out


def _same_table(rule: str, used: set[str]) -> bool:
    """``rows.unplaced.<table>``: numbers of the answer's table that we could place nowhere."""
    return rule.startswith("rows.unplaced.") and any(k.split(".", 1)[0] == rule.rsplit(".", 1)[-1] for k in used)


def _relation(message: str) -> str:
    """A check message without its trailing list of cell keys (the answer lists its cells)."""
    return message.split("；涉及单元格：", 1)[0]
