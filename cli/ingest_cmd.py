"""``xxgk ingest``, ``xxgk check`` and ``xxgk export``: the ingest side of the console."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from cli.dbopen import open_for
from ingest.pipeline import IngestOutcome, expand_paths, ingest_file
from store import queries
from store.identity.persisted import keep as keep_agency_index
from store.lookup import find_agencies


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcomes as JSON lines.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes reading files at once (default: one per idle core; 1 reads them one by one).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], quiet: bool, as_json: bool, jobs: int | None) -> None:
    """Ingest report files or folders (recursively) into the database.

    The kind (PDF, Word .docx or .doc/.wps via LibreOffice, HTML, text) is detected from the content.  Exit status is 1 when
    a file could not be read; a report that fails a check is stored and reported, not an error.
    """
    db = open_for(ctx, writing=True)
    files = expand_paths(paths)
    if not files:
        raise click.ClickException("没有找到文件 / no files found in: " + " ".join(paths))
    summary = Summary()
    if not as_json:
        click.echo(summary.header())
    # The bar shares the terminal with the rows only when the rows go elsewhere (a file, a pipe);
    # in a log or a pipe, click would leave a stray "ingest" line.
    show_bar = not quiet and not as_json and len(files) > 1 and sys.stderr.isatty() and not sys.stdout.isatty()
    with click.progressbar(
        length=len(files), label="ingest", file=sys.stderr, show_pos=True, item_show_func=lambda name: name or ""
    ) if show_bar else contextlib.nullcontext() as bar:
        for outcome in _outcomes(db, files, jobs):
            summary.add(outcome)
            click.echo(json.dumps(outcome.__dict__, ensure_ascii=False) if as_json else summary.row(outcome))
            if bar is not None:
                bar.update(1, Path(outcome.file).name)
    if not as_json:
        click.echo(summary.totals())
    keep_agency_index(db)
    if summary.bad or summary.storage:
        ctx.exit(1)


def _outcomes(db, files: list[Path], jobs: int | None) -> Iterator[IngestOutcome]:
    """One file, ``--jobs 1`` or no idle core: read and stored in this process; else parsed by
    several processes, stored in committed batches (:mod:`ingest.bulk`), outcomes in the same
    order."""
    from ingest.bulk import default_workers, ingest_many

    workers = min(jobs or default_workers(), len(files))
    if workers == 1:
        return (ingest_file(db, path) for path in files)
    return ingest_many(db, files, workers=workers)


class Summary:
    """The summary table, one line per file as it is done, then the totals.

    A batch of a million files must not hold a million outcomes (~5 KB each) to align columns
    at the end, so the columns have fixed display widths (a longer agency name just pushes its
    line to the right) and only the three totals are kept."""

    WIDTHS = (48, 36, 4, 14, 10)
    HEADER = ("文件 file", "机关 agency", "年度", "单元格", "未通过校验", "结果 / 错误")

    def __init__(self) -> None:
        self.files = self.bad = self.failed = self.storage = 0

    def add(self, o: IngestOutcome) -> None:
        self.files += 1
        self.bad += not o.ok and not o.retryable
        self.storage += not o.ok and o.retryable  # the database's fault, not the file's
        self.failed += bool(o.ok and o.failed_checks)

    def header(self) -> str:
        return self._line(self.HEADER)

    def row(self, o: IngestOutcome) -> str:
        return self._line((
            _short(o.file),
            o.agency or "",
            str(o.year or ""),
            f"{o.cells}" + (f" (+{o.flagged} 存疑)" if o.flagged else ""),
            str(len(o.failed_checks)) if o.ok else "",
            o.outcome if o.ok else "错误: " + o.error,
        ))

    def totals(self) -> str:
        line = (f"共 {self.files} 个文件：{self.files - self.bad - self.storage} 个已读入，{self.bad} 个无法读取，"
                f"{self.failed} 份报告未通过校验")
        return line + (f"，{self.storage} 个因数据库问题未写入（文件本身没有问题）" if self.storage else "")

    def _line(self, cols: tuple[str, ...]) -> str:
        padded = [text + " " * max(0, width - _width(text)) for text, width in zip(cols, self.WIDTHS, strict=False)]
        return "  ".join([*padded, cols[-1]])


def _short(path: str, limit: int = 48) -> str:
    return path if len(path) <= limit else "…" + path[-(limit - 1):]


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


# ---------------------------------------------------------------------------------------------


def resolve_agency(db, text: str) -> tuple[str | None, list[str]]:
    """The stored full name ``text`` denotes unambiguously (exact name or alias, else a unique
    substring or fuzzy match: :func:`store.lookup.find_agencies`); else (None, candidates)."""
    found = find_agencies(db, text)
    if len(found) == 1:
        return found[0][1], []
    return None, [name for _, name in found]


def _report_for(db, agency: str, year: int | None) -> dict:
    """The report meant by AGENCY [YEAR] (or a report id alone)."""
    if year is None and agency.isdigit():
        report = queries.report_by_id(db, int(agency))
        if report is None:
            raise click.ClickException(f"没有编号为 {agency} 的报告 / no report with id {agency}")
        return report
    name, candidates = resolve_agency(db, agency)
    if name is None:
        hint = "；可能是：" + "、".join(candidates) if candidates else ""
        raise click.ClickException(f"找不到唯一匹配“{agency}”的机关 / agency not found or ambiguous{hint}")
    if year is None:
        reports = queries.reports_of_agency(db, name)
        if not reports:
            raise click.ClickException(f"{name} 没有报告 / no reports")
        return reports[-1]
    report = queries.current_report(db, name, year)
    if report is None:
        years = "、".join(f"{r['year']}年" for r in queries.reports_of_agency(db, name)) or "无"
        raise click.ClickException(f"{name} 没有 {year} 年的报告（已有：{years}）/ no report for {year}")
    return report


@click.command()
@click.argument("agency")
@click.argument("year", required=False, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (the default when no format is given).")
@click.option("--csv", "as_csv", is_flag=True, help="Print every cell with its place in the table, raw text, flag and provenance as CSV (UTF-8 with BOM).")
@click.pass_context
def export(ctx: click.Context, agency: str, year: int | None, as_json: bool, as_csv: bool) -> None:
    """Export one report's cells: AGENCY YEAR, or a report id alone.

    JSON: {"agency", "year", "format", "cells": {key: number|null}, "flags": [...], "checks": [...]}.
    """
    db = open_for(ctx)
    report = _report_for(db, agency, year)
    if as_csv:
        from store.csv_export import report_csv

        click.echo(report_csv(db, report["id"]), nl=False)
        return
    click.echo(json.dumps(queries.export_report(db, report["id"]), ensure_ascii=False, indent=1))


@click.command()
@click.argument("agency", required=False)
@click.argument("year", required=False, type=int)
@click.option("--all", "show_all", is_flag=True, help="Also list the checks that passed.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def check(ctx: click.Context, agency: str | None, year: int | None, show_all: bool, as_json: bool) -> None:
    """List failed validation checks (of every current report, or of AGENCY [YEAR])."""
    db = open_for(ctx)
    if agency and agency.isdigit() and year is None and len(agency) == 4:
        agency, year = None, int(agency)  # `xxgk check 2023`
    if agency:
        reports = [_report_for(db, agency, year)] if year else queries.reports_of_agency(db, _report_for(db, agency, None)["agency"])
    else:
        reports = queries.current_reports(db, year)
    out = []
    for report in reports:
        checks = queries.checks_of(db, report["id"], failed_only=not show_all)
        out.append({"id": report["id"], "agency": report["agency"], "year": report["year"],
                    "source": report["source_name"], "checks": checks})
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    if not out:
        click.echo("没有报告 / no reports")
        return
    for item in out:
        failed = [c for c in item["checks"] if not c["passed"]]
        mark = "✗" if any(c["severity"] == "error" for c in failed) else ("!" if failed else "✓")
        click.echo(f"{mark} {item['agency']} {item['year']}（#{item['id']} {item['source']}）")
        for c in item["checks"]:
            status = "通过" if c["passed"] else queries.severity_label(c["severity"])
            click.echo(f"    [{status}] {c['rule']}: {c['message']}")
