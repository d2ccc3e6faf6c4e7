"""What a question asks for: words → canonical cells (or groups of cells summed).

A :class:`Metric` names the cells per report format, because the 2019 and 2021 tables differ
(采购 exists only in 2019, 收费金额 only in 2021, 其他处理 is one row in 2019 and three in 2021).
Entries are tried in order, most specific first (不掌握 before 无法提供, 行政复议 before 申请).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from store.catalogue import APPLICANT_LABELS


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
    return {"2019": keys, "2021": keys}


def _req(name: str, label: str, *bases: str) -> Metric:
    return Metric(name, label, "requests", _both(*(f"requests.{b}" for b in bases)), by_column=True)


def _active(name: str, label: str, y2019: tuple[str, ...], y2021: tuple[str, ...], missing: str = "") -> Metric:
    rows = {}
    if y2019:
        rows["2019"] = tuple(f"active.{k}" for k in y2019)
    if y2021:
        rows["2021"] = tuple(f"active.{k}" for k in y2021)
    return Metric(name, label, "active", rows, missing=missing)


DENIED = ("denied_state_secret", "denied_law_forbidden", "denied_three_safety", "denied_third_party",
          "denied_internal", "denied_process", "denied_enforcement_file", "denied_admin_query")
UNABLE = ("unable_not_held", "unable_needs_creation", "unable_unclear")
REJECTED = ("rejected_complaint", "rejected_duplicate", "rejected_publication", "rejected_excessive",
            "rejected_confirm")

NEW = _req("new", "本年新收政府信息公开申请", "new")
GRANTED = _req("granted", "予以公开", "granted")
PARTIAL = _req("partial", "部分公开", "partial")
HANDLED = _req("handled_total", "办理结果（七）总计", "handled_total")
CARRIED_OVER = _req("carried_over", "上年结转政府信息公开申请", "carried_over")
CARRIED_FORWARD = _req("carried_forward", "结转下年度继续办理", "carried_forward")
OTHER = Metric(
    "other", "其他处理", "requests",
    {"2019": ("requests.other",), "2021": ("requests.other_no_correction", "requests.other_no_fee", "requests.other_misc")},
    by_column=True,
)
_NO_2019 = "2019版表格的（六）其他处理只有一行，不分细项"
_ONLY_2019 = "2021版年报格式不再统计这一项（只在2019版表格中）"
_ONLY_2021 = "2019版年报格式没有这一项（2021版表格才有）"


def _appeal(group: str, sub: str) -> Metric:
    labels = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
    if group == "review":
        bases, name = ("appeals.review",), "行政复议"
    elif group == "suit_direct":
        bases, name = ("appeals.suit_direct",), "行政诉讼（未经复议直接起诉）"
    elif group == "suit_after_review":
        bases, name = ("appeals.suit_after_review",), "行政诉讼（复议后起诉）"
    else:
        bases, name = ("appeals.suit_direct", "appeals.suit_after_review"), "行政诉讼"
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
        (r"新公开", "（本年新公开数量）", ("new_published",), ()),
        (r"对外公开总|公开总数", "（对外公开总数量）", ("total_published",), ()),
        (r"废止", "（本年废止件数）", (), ("repealed",)),
        (r"现行有效|有效", "（现行有效件数）", (), ("in_force",)),
    )
    for pattern, suffix, y2019, y2021 in subs:
        if re.search(pattern, text):
            return _active(f"{kind}.{pattern}", label + suffix,
                           tuple(f"{kind}.{k}" for k in y2019), tuple(f"{kind}.{k}" for k in y2021),
                           _ONLY_2021 if y2021 else _ONLY_2019)
    return _active(f"{kind}.new", label + "（本年新制作/制发）", (f"{kind}.new_made",), (f"{kind}.issued",))


def _service(kind: str, label: str, text: str, has_2021: bool = True) -> Metric:
    if re.search(r"上一年项目|项目数", text):
        return _active(f"{kind}.prev", f"{label}上一年项目数量", (f"{kind}.prev_items",), (), _ONLY_2019)
    if re.search(r"增减|增/减|增加|减少", text):
        return _active(f"{kind}.change", f"{label}本年增/减", (f"{kind}.change",), (), _ONLY_2019)
    return _active(f"{kind}.decisions", f"{label}处理决定数量", (f"{kind}.decisions",),
                   (f"{kind}.decisions",) if has_2021 else (), _ONLY_2019)


def _fees(text: str) -> Metric:
    if re.search(r"收费项目|项目数", text):
        return _active("fees.prev", "行政事业性收费上一年项目数量", ("fees.prev_items",), (), _ONLY_2019)
    return _active("fees.amount", "行政事业性收费本年收费金额", (), ("fees.amount",),
                   "2019版年报格式没有收费金额（只有收费项目数量），2021版表格才有")


def _procurement(text: str) -> Metric:
    if re.search(r"采购项目|项目数|几个|多少个|采购数量", text):
        return _active("procurement.items", "政府集中采购项目数量", ("procurement.items",), (), _ONLY_2019)
    return _active("procurement.amount", "政府集中采购总金额", ("procurement.amount",), (), _ONLY_2019)


_SIMPLE: list[tuple[str, Metric]] = [
    (r"逾期不补正|不补正|不再补正", Metric("other_no_correction", "其他处理/申请人逾期不补正", "requests",
                                   {"2021": ("requests.other_no_correction",)}, True, _NO_2019)),
    (r"缴纳费用|未缴费|不缴费|收费通知", Metric("other_no_fee", "其他处理/申请人逾期未缴纳费用", "requests",
                                     {"2021": ("requests.other_no_fee",)}, True, _NO_2019)),
    (r"国家秘密", _req("denied_state_secret", "不予公开/属于国家秘密", "denied_state_secret")),
    (r"法律行政法规禁止|禁止公开", _req("denied_law_forbidden", "不予公开/其他法律行政法规禁止公开", "denied_law_forbidden")),
    (r"三安全一稳定|三安全", _req("denied_three_safety", "不予公开/危及“三安全一稳定”", "denied_three_safety")),
    (r"第三方", _req("denied_third_party", "不予公开/保护第三方合法权益", "denied_third_party")),
    (r"内部事务", _req("denied_internal", "不予公开/属于三类内部事务信息", "denied_internal")),
    (r"过程性", _req("denied_process", "不予公开/属于四类过程性信息", "denied_process")),
    (r"执法案卷", _req("denied_enforcement_file", "不予公开/属于行政执法案卷", "denied_enforcement_file")),
    (r"行政查询", _req("denied_admin_query", "不予公开/属于行政查询事项", "denied_admin_query")),
    (r"不掌握", _req("unable_not_held", "无法提供/本机关不掌握相关政府信息", "unable_not_held")),
    (r"另行制作|没有现成", _req("unable_needs_creation", "无法提供/没有现成信息需要另行制作", "unable_needs_creation")),
    (r"不明确", _req("unable_unclear", "无法提供/补正后申请内容仍不明确", "unable_unclear")),
    (r"信访|举报|投诉", _req("rejected_complaint", "不予处理/信访举报投诉类申请", "rejected_complaint")),
    (r"重复申请", _req("rejected_duplicate", "不予处理/重复申请", "rejected_duplicate")),
    (r"出版物", _req("rejected_publication", "不予处理/要求提供公开出版物", "rejected_publication")),
    (r"大量反复", _req("rejected_excessive", "不予处理/无正当理由大量反复申请", "rejected_excessive")),
    (r"重新出具|确认", _req("rejected_confirm", "不予处理/要求行政机关确认或重新出具已获取信息", "rejected_confirm")),
    (r"不予公开|不公开|拒绝公开|拒绝|(?:没有|没|未)给?公开|不给公开", _req("denied", "不予公开（8项理由合计）", *DENIED)),
    (r"无法提供", _req("unable", "无法提供（3项合计）", *UNABLE)),
    (r"不予处理", _req("rejected", "不予处理（5项合计）", *REJECTED)),
    (r"其他处理", OTHER),
    (r"部分公开", PARTIAL),
    (r"予以公开|全部公开|同意公开", GRANTED),
    (r"上年结转|去年结转|上一年结转", CARRIED_OVER),
    (r"结转下|继续办理|结转到下|结转至下", CARRIED_FORWARD),
]

_ACTIVE: list[tuple[str, object]] = [
    (r"采购", _procurement),
    (r"行政许可|许可", lambda t: _service("licensing", "行政许可", t)),
    (r"行政处罚|处罚", lambda t: _service("penalty", "行政处罚", t)),
    (r"行政强制|强制", lambda t: _service("enforcement", "行政强制", t)),
    (r"其他对外管理服务", lambda t: _service("other_services", "其他对外管理服务事项", t, has_2021=False)),
    (r"收费|收了?多少钱|收钱", _fees),
    (r"规范性文件", lambda t: _docs("normative_docs", "规范性文件", t)),
    (r"规章", lambda t: _docs("rules", "规章", t)),
]

_LATE: list[tuple[str, Metric]] = [
    (r"总计|办结|办理总数|处理总数|办理了多少|处理了多少|答复", HANDLED),
    (r"新收|收到|申请数|申请量|申请|受理", NEW),
]

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
    for pattern, found in _SIMPLE:
        if re.search(pattern, text):
            return found
    for pattern, build in _ACTIVE:
        if re.search(pattern, text):
            return build(text)  # type: ignore[operator]
    for pattern, found in _LATE:
        if re.search(pattern, text):
            return found
    return None


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

VOCABULARY: tuple[str, ...] = (
    *(p for p, _ in _SIMPLE), *(p for p, _ in _ACTIVE), *(p for p, _ in _LATE), *(p for p, _ in COLUMNS),
    *(p for p, _ in RATES), r"诉讼.{0,4}纠错率", _SHARE.pattern, _BREAKDOWN.pattern, _BUILDER_WORDS,
)
"""Every word pattern this module reads a metric, column, rate or share from: what
:mod:`bot.qa.leftover` counts as understood."""
