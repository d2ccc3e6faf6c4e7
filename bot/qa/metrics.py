"""What a question asks for: words → canonical cells (or groups of cells summed).

A :class:`Metric` names the cells per report format, because the 2019 and 2021 tables differ
(采购 exists only in 2019, 收费金额 only in 2021, 其他处理 is one row in 2019 and three in 2021).
Entries are tried in order, most specific first (不掌握 before 无法提供, 行政复议 before 申请).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from store.catalogue import APPLICANT_LABELS, derived, keys_for
from store.formats import format_ids, formats_with, group_rows, groups, row, rows


@dataclass(frozen=True)
class Metric:
    name: str
    label: str  # Chinese, as printed in answers
    table: str  # active | requests | appeals
    rows: dict[str, tuple[str, ...]]  # format → keys (or requests row bases when by_column)
    by_column: bool = False
    missing: str = ""  # why a format lacks this metric (shown in no_data answers)

    def keys(self, fmt: str, columns: tuple[str, ...] = ("total",)) -> tuple[str, ...] | None:
        """The cells to sum in a report of table format ``fmt``; None when the format lacks them."""
        rows = self.rows.get(fmt)
        if not rows:
            return None
        if not self.by_column:
            return rows
        return tuple(f"{base}.{col}" for base in rows for col in columns)


@dataclass(frozen=True)
class Rate:
    name: str
    label: str
    numerator: Metric
    denominator: Metric
    formula: str
    numerator_columns: tuple[str, ...] = ("total",)  # applicant columns of the numerator (a share of 自然人 …)


def _both(*keys: str) -> dict[str, tuple[str, ...]]:
    return {fmt: keys for fmt in format_ids()}


def _req(rid: str) -> Metric:
    """A requests row as its catalogue entry names it, in the formats that have the row."""
    entry = row("requests", rid)
    keys = {fmt: (f"requests.{rid}",) for fmt in formats_with("requests", rid)}
    return Metric(rid, entry.ask_label, "requests", keys, by_column=True, missing=entry.absent)


def _group(gid: str) -> Metric:
    """A group of requests rows summed (不予公开 = its 8 reasons), per format its own rows."""
    keys = {fmt: tuple(f"requests.{r}" for r in group_rows(gid, fmt)) for fmt in format_ids()}
    return Metric(gid, groups()[gid].ask_label, "requests", {f: k for f, k in keys.items() if k}, by_column=True)


def _active(name: str, label: str, keys: tuple[str, ...], missing: str = "") -> Metric:
    """The cells among ``keys`` (``rules.issued`` …) each format has; a format with none lacks it."""
    rows = {}
    for fmt in format_ids():
        found = tuple(f"active.{k}" for k in keys if f"active.{k}" in keys_for(fmt))
        if found:
            rows[fmt] = found
    return Metric(name, label, "active", rows, missing=missing)


NEW = _req("new")
GRANTED = _req("granted")
PARTIAL = _req("partial")
HANDLED = _req("handled_total")
CARRIED_OVER = _req("carried_over")
CARRIED_FORWARD = _req("carried_forward")
_ONLY_2019 = "2021版年报格式不再统计这一项（只在2019版表格中）"
_ONLY_2021 = "2019版年报格式没有这一项（2021版表格才有）"


def _appeal(group: str, sub: str) -> Metric:
    labels = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
    if any(r.id == group for r in rows("appeals")):
        bases, name = (f"appeals.{group}",), row("appeals", group).ask_label
    else:
        bases, name = tuple(f"appeals.{r.id}" for r in rows("appeals") if r.group == group), groups()[group].ask_label
    return Metric(f"{group}.{sub}", f"{name}{labels[sub]}", "appeals", _both(*(f"{b}.{sub}" for b in bases)))


REVIEW_TOTAL = _appeal("review", "total")
SUIT_TOTAL = _appeal("suit", "total")


def _appeals(text: str) -> Metric | None:
    if re.search(r"诉讼|起诉|被告|告了|官司", text):
        if re.search(r"未经复议|直接起诉", text):
            group = "suit_direct"
        elif re.search(r"复议后", text):
            group = "suit_after_review"
        else:
            group = "suit"
    elif "复议" in text:
        group = "review"
    else:
        return None
    sub = "total"
    for pattern, name in ((r"维持", "upheld"), (r"纠正|纠错", "corrected"), (r"其他结果", "other"), (r"尚未审结|未审结|未结", "pending")):
        if re.search(pattern, text):
            sub = name
            break
    return _appeal(group, sub)


def _docs(kind: str, label: str, text: str) -> Metric:
    subs = (
        (r"新公开", "（本年新公开数量）", ("new_published",), _ONLY_2019),
        (r"对外公开总|公开总数", "（对外公开总数量）", ("total_published",), _ONLY_2019),
        (r"废止", "（本年废止件数）", ("repealed",), _ONLY_2021),
        (r"现行有效|有效", "（现行有效件数）", ("in_force",), _ONLY_2021),
    )
    for pattern, suffix, columns, missing in subs:
        if re.search(pattern, text):
            return _active(f"{kind}.{pattern}", label + suffix, tuple(f"{kind}.{k}" for k in columns), missing)
    return _active(f"{kind}.new", label + "（本年新制作/制发）", (f"{kind}.new_made", f"{kind}.issued"))


def _services(kind: str, label: str, text: str) -> Metric:
    if re.search(r"上一年项目|项目数", text):
        return _active(f"{kind}.prev", f"{label}上一年项目数量", (f"{kind}.prev_items",), _ONLY_2019)
    if re.search(r"增减|增/减|增加|减少", text):
        return _active(f"{kind}.change", f"{label}本年增/减", (f"{kind}.change",), _ONLY_2019)
    return _active(f"{kind}.decisions", f"{label}处理决定数量", (f"{kind}.decisions",), _ONLY_2019)


def _fees(kind: str, label: str, text: str) -> Metric:
    if re.search(r"收费项目|项目数", text):
        return _active(f"{kind}.prev", f"{label}上一年项目数量", (f"{kind}.prev_items",), _ONLY_2019)
    return _active(f"{kind}.amount", f"{label}本年收费金额", (f"{kind}.amount",),
                   "2019版年报格式没有收费金额（只有收费项目数量），2021版表格才有")


def _procurement(kind: str, label: str, text: str) -> Metric:
    if re.search(r"采购项目|项目数|几个|多少个|采购数量", text):
        return _active(f"{kind}.items", f"{label}项目数量", (f"{kind}.items",), _ONLY_2019)
    return _active(f"{kind}.amount", f"{label}总金额", (f"{kind}.amount",), _ONLY_2019)


_BUILDERS = {"documents": _docs, "services": _services, "fees": _fees, "procurement": _procurement}
"""How an active-table row's question is told apart by its columns (``ask_kind`` in formats.toml)."""

@derived
def _asked() -> tuple[tuple[int, str, Metric | str], ...]:
    """Every (rank, question words, metric) of the catalogue, in the order they are tried.

    A requests row or group is a metric; an active row names its builder's row id instead,
    the builder choosing the column from the rest of the question."""
    found: list[tuple[int, str, Metric | str]] = []
    for r in rows("requests"):
        if r.ask:
            found.append((r.ask_rank, r.ask, _req(r.id)))
    for gid, g in groups().items():
        if g.ask:
            found.append((g.ask_rank, g.ask, _group(gid)))
    for r in rows("active"):
        if r.ask:
            found.append((r.ask_rank, r.ask, r.id))
    return tuple(sorted(found, key=lambda entry: entry[0]))


def _asked_metric(text: str) -> Metric | None:
    for _, pattern, found in _asked():
        if re.search(pattern, text):
            if isinstance(found, str):
                entry = row("active", found)
                return _BUILDERS[entry.ask_kind](entry.id, entry.ask_label, text)
            return found
    return None



COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    (r"自然人|个人|公民", ("natural",)),
    (r"商业企业|企业", ("commercial",)),
    (r"科研机构", ("research",)),
    (r"社会公益组织|公益组织", ("social",)),
    (r"法律服务机构|律师", ("legal",)),
    (r"其他组织|其他法人", ("other_org",)),
    (r"法人或其他组织|法人", ("commercial", "research", "social", "legal", "other_org")),
]


def find_metric(text: str) -> Metric | None:
    """The metric a (canonical, agency-masked) question asks for, or None."""
    metric = _appeals(text)
    if metric:
        return metric
    return _asked_metric(text)


def find_columns(text: str) -> tuple[str, ...] | None:
    """Applicant columns named in the question (自然人 …), or None for the 总计 column."""
    for pattern, cols in COLUMNS:
        if re.search(pattern, text):
            if len(cols) > 1 or not re.search(r"法人或其他组织", text):
                return cols
    return None


_BREAKDOWN = re.compile(r"分别|各类申请人|申请人(?:构成|类型|分类|结构|情况)|按申请人|各类型|构成|明细")
_ORGS = ("commercial", "research", "social", "legal", "other_org")
EVERY_COLUMN: list[tuple[str, ...]] = [("natural",), *((c,) for c in _ORGS), ("total",)]


def column_groups(text: str) -> list[tuple[str, ...]]:
    """Every applicant column (or group) the question names, in the order of the table."""
    text = text.replace("法人或其他组织", "法人")
    named = []
    for pattern, cols in COLUMNS:
        match = re.search(pattern, text)
        if match:
            named.append(cols)
            text = text[: match.start()] + "　" * (match.end() - match.start()) + text[match.end():]
    order = {cols: n for n, (_, cols) in enumerate(COLUMNS)}
    return sorted(set(named), key=order.__getitem__)


def breakdown_of(text: str) -> list[tuple[str, ...]]:
    """"自然人和法人分别…" → those groups; "申请人构成" → every column; [] when not asked."""
    groups = column_groups(text)
    if len(groups) >= 2:
        return groups
    return EVERY_COLUMN if _BREAKDOWN.search(text) and not groups else []


def column_label(columns: tuple[str, ...]) -> str:
    if len(columns) > 1:
        return "法人或其他组织（合计）"
    return APPLICANT_LABELS[columns[0]]


DISCLOSURE = Rate(
    "disclosure", "公开率",
    Metric("disclosed", "予以公开+部分公开", "requests", _both("requests.granted", "requests.partial"), by_column=True),
    HANDLED, "公开率 = (予以公开 + 部分公开) / （七）总计")

RATES: list[tuple[str, Rate]] = [
    (r"复议纠错率|复议.{0,4}纠错率|纠错率", Rate(
        "review_correction", "行政复议纠错率", _appeal("review", "corrected"), REVIEW_TOTAL,
        "复议纠错率 = 行政复议结果纠正 / 行政复议总计")),
    (r"诉讼.{0,4}纠错率", Rate(
        "suit_correction", "行政诉讼纠错率", _appeal("suit", "corrected"), SUIT_TOTAL,
        "诉讼纠错率 = 行政诉讼结果纠正 / 行政诉讼总计")),
    (r"(?<![予分以])公开(?:率|的?比例)", DISCLOSURE),  # not 不予公开、部分公开、予以公开的比例
]


def find_rate(text: str) -> Rate | None:
    if re.search(r"诉讼.{0,4}纠错率", text):
        return RATES[1][1]
    for pattern, rate in RATES:
        if re.search(pattern, text):
            return rate
    return None


@dataclass
class MetricChoice:
    """The metric, columns and rate read from one question."""

    metric: Metric | None = None
    columns: tuple[str, ...] = ("total",)
    rate: Rate | None = None
    column_named: bool = False
    notes: list[str] = field(default_factory=list)
    breakdown: list[tuple[str, ...]] = field(default_factory=list)  # one line per applicant column


_SHARE = re.compile(r"占比|比例|比重|百分比|所占|占.{0,8}(多少|几成|百分之)|(?P<rate>率)")
_NOT_OUTCOMES = frozenset({"new", "carried_over", "carried_forward", "handled_total"})


def share_of(metric: Metric | None, columns: tuple[str, ...] | None, text: str) -> Rate | None:
    """"部分公开占比" (of the outcomes' total), "自然人申请占比" (of the row's total): a share
    the question asks for by its words, built from the metric it names."""
    if metric is None or metric.table != "requests" or not _SHARE.search(text):
        return None
    if columns and metric.by_column:
        part = column_label(columns)
        label = f"{metric.label}中{part}占比"
        return Rate(f"share_{metric.name}_{'_'.join(columns)}", label, metric, metric,
                    f"{label} = {metric.label}（{part}） / {metric.label}（总计）", numerator_columns=columns)
    if metric.name in _NOT_OUTCOMES:
        return None
    asked = _SHARE.search(text)
    if asked and asked.group("rate"):  # 不予公开率: any outcome's share of （七）总计, named as a rate
        label = metric.label.split("（", 1)[0].split("/")[-1] + "率"
        return Rate(f"rate_{metric.name}", label, metric, HANDLED, f"{label} = {metric.label} / （七）总计")
    return Rate(f"share_{metric.name}", f"{metric.label}占比", metric, HANDLED,
                f"{metric.label}占比 = {metric.label} / （七）总计")


def understand(text: str) -> MetricChoice:
    rate = find_rate(text)
    if rate:
        return MetricChoice(rate=rate)
    metric = find_metric(text)
    columns = find_columns(text)
    share = share_of(NEW if columns and metric is None else metric, columns, text)
    if share:
        return MetricChoice(rate=share)
    groups = breakdown_of(text)
    if groups and (metric is None or metric.by_column) and (metric is not None or columns or "申请" in text):
        return MetricChoice(metric=metric or NEW, breakdown=groups)
    if columns and (metric is None or metric is NEW or metric.name == "new"):
        metric = NEW
    if columns and metric is not None and metric.by_column:
        return MetricChoice(metric=metric, columns=columns, column_named=True)
    return MetricChoice(metric=metric)


_BUILDER_WORDS = (
    r"新公开|对外公开总|公开总数|废止|现行有效|有效|上一年项目|项目数|增减|增/减|增加|减少|收费项目|采购项目|几个|多少个|"
    r"采购数量|维持|纠正|纠错|其他结果|尚未审结|未审结|未结|诉讼|起诉|未经复议|直接起诉|复议后|复议|总金额|金额|"
    r"新制作|制作|制发|发布|印发|处理决定|决定|数量|项目|行政复议|行政诉讼|行政|年报|报告"
)

_OWN_WORDS = (
    *(p for p, _ in COLUMNS), *(p for p, _ in RATES), r"诉讼.{0,4}纠错率", _SHARE.pattern, _BREAKDOWN.pattern,
    _BUILDER_WORDS,
)


@derived
def vocabulary() -> tuple[str, ...]:
    """Every word pattern this module reads a metric, column, rate or share from (the
    catalogue's question words among them): what :mod:`bot.qa.leftover` counts as understood."""
    return (*(p for _, p, _ in _asked()), *_OWN_WORDS)
