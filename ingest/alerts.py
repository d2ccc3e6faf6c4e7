"""The alert supervisors receive when a report fails an error-severity check.

One Telegram message (≤ :data:`MAX_CHARS`, well under Telegram's 4096 limit): who, which year,
which file, then each failed rule with its numbers and whether the published report itself does
not add up (原报告疑似错误) or our reading is uncertain (读取问题).  Failures that do not fit are
counted as "另有 N 项" so the message never gets cut mid-sentence by the transport.
Warnings (narrative, cross-year) never raise an alert on their own; they are only counted.
"""

from __future__ import annotations

from pathlib import PurePath

from ingest.checks import CELLS_MARK, ERROR, HINTS, READING, SOURCE, run_checks
from ingest.model import CheckResult, ParsedReport

MAX_CHARS = 3500
MAX_ITEM_CHARS = 300
ORIGIN_TAGS = {SOURCE: "原报告疑似错误", READING: "读取问题"}


def alert_text(report: ParsedReport) -> str | None:
    """The Chinese alert for ``report``, or None when no error-severity check failed.

    Uses ``report.checks`` (the pipeline sets them, with last year's report for the cross-year
    rules); when they were never run, runs the checks without a previous report.
    """
    checks = report.checks or run_checks(report)
    failed = [c for c in checks if not c.passed and c.severity == ERROR]
    if not failed:
        return None
    warnings = sum(1 for c in checks if not c.passed and c.severity != ERROR)
    head = _header(report, failed, warnings)
    return _fit(head, [_item(i, c) for i, c in enumerate(failed, 1)])


def _header(report: ParsedReport, failed: list[CheckResult], warnings: int) -> str:
    source = PurePath(report.source_name).name if report.source_name else "（未知文件）"
    by_origin = {o: sum(1 for c in failed if c.origin == o) for o in (SOURCE, READING)}
    counts = f"共 {len(failed)} 项校验未通过（{ORIGIN_TAGS[SOURCE]} {by_origin[SOURCE]} 项，" \
             f"{ORIGIN_TAGS[READING]} {by_origin[READING]} 项）"
    lines = [
        "【年报校验告警】",
        f"单位：{report.agency or '（未识别单位）'}",
        f"年度：{report.year}年",
        f"文件：{source}",
        counts + (f"，另有警告 {warnings} 项" if warnings else "") + "：",
    ]
    return "\n".join(lines)


def _item(index: int, check: CheckResult) -> str:
    """``3. [requests.balance.natural]（原报告疑似错误）本年新收(3) + …`` without the cell list."""
    message = check.message.split(CELLS_MARK, 1)[0]
    message = message.removesuffix(f"，{HINTS.get(check.origin, '')}")  # the tag already says it
    if len(message) > MAX_ITEM_CHARS:
        message = message[: MAX_ITEM_CHARS - 1] + "…"
    tag = ORIGIN_TAGS.get(check.origin, "来源不明")
    return f"{index}. [{check.rule}]（{tag}）{message}"


def _fit(head: str, items: list[str]) -> str:
    """Head plus as many items as fit in :data:`MAX_CHARS`, then ``另有 N 项未列出``."""
    text = head
    for shown, item in enumerate(items):
        rest = len(items) - shown - 1
        tail = f"\n另有 {rest} 项未列出，详见 xxgk check。" if rest else ""
        if len(text) + 1 + len(item) + len(tail) > MAX_CHARS:
            return text + f"\n另有 {len(items) - shown} 项未列出，详见 xxgk check。"
        text += "\n" + item
    return text
