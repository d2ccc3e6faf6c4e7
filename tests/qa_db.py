"""Test databases for the question-answering core, built without the parser.

Each figures/truth JSON (``{"agency", "year", "format", "cells"}``) becomes a ParsedReport whose
cells carry their value as raw text, and is stored with :func:`store.db.save_report` — so the
QA tests exercise the real store and do not depend on ingest.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import sqlite_utils

from ingest.model import CellReading, CheckResult, ParsedReport
from store.db import open_db, save_report

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "bot" / "samples" / "figures"
TODAY_2024 = __import__("datetime").date(2024, 6, 1)


def report_from(data: dict[str, Any], name: str = "", checks: list[CheckResult] | None = None,
                flagged: dict[str, str] | None = None) -> ParsedReport:
    fmt = str(data["format"])
    cells = {}
    for line, (key, value) in enumerate(data["cells"].items(), 1):
        raw = "" if value is None else str(value)
        reason = (flagged or {}).get(key, "")
        cells[key] = CellReading(value, raw, {"kind": "text", "line": line}, flagged=bool(reason), reason=reason)
    digest = hashlib.sha256(json.dumps([data, name], ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return ParsedReport(
        agency=data["agency"], year=int(data["year"]), format=fmt,
        table_formats={"active": fmt, "requests": fmt, "appeals": fmt}, cells=cells,
        source_kind="text", source_name=name or f"{data['agency']}-{data['year']}.txt", sha256=digest,
        checks=list(checks or []),
    )


def load_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def derived(data: dict[str, Any], agency: str, year: int, scale: int) -> dict[str, Any]:
    """A synthetic report: another agency/year with request numbers shifted by ``scale``."""
    out = copy.deepcopy(data)
    out["agency"], out["year"] = agency, year
    for key, value in out["cells"].items():
        if key.startswith("requests.new.") and value is not None:
            out["cells"][key] = value + scale
    return out


def build_from_dir(db_path: Path, folder: Path) -> sqlite_utils.Database:
    db = open_db(db_path)
    for path in sorted(folder.glob("*.json")):
        save_report(db, report_from(load_json(path), name=path.stem + ".txt"))
    return db


def build_qa_db(db_path: Path) -> sqlite_utils.Database:
    """The bundled figures plus synthetic reports for trend, ranking, audit and flags:

    * 聊城市大数据局 2020 (new requests +5) — a trend of two years;
    * 聊城市城市管理局 2020 (new requests +10) with a failed check — ranking in 聊城 2020, audit;
    * 济南市城市管理局 2021 — a third 城市管理局, and a flagged 采购 cell (2019 format) unreadable;
    * 聊城市人民政府 2021 in 2021 format, 行政许可 flagged with a value (caveat).
    """
    db = build_from_dir(db_path, FIGURES)
    dashuju = load_json(FIGURES / "liaocheng-dashuju-2019.json")
    chengguan = load_json(FIGURES / "liaocheng-chengguan-2019.json")
    zhengfu = load_json(FIGURES / "liaocheng-renmin-zhengfu-2020.json")
    save_report(db, report_from(derived(dashuju, "聊城市大数据局", 2020, 5), "dashuju-2020.txt"))
    failed = CheckResult("requests.balance.total", "error", False,
                         "本年新收 12 + 上年结转 0 ≠ （七）总计 2 + 结转下年度 0", ["requests.new.total"], "source")
    save_report(db, report_from(derived(chengguan, "聊城市城市管理局", 2020, 10), "chengguan-2020.txt",
                                checks=[failed]))
    jinan = derived(chengguan, "济南市城市管理局", 2021, 1)
    jinan["cells"]["active.procurement.amount"] = None
    save_report(db, report_from(jinan, "jinan-2021.txt", flagged={"active.procurement.amount": "数字无法定位到列"}))
    z2021 = derived(zhengfu, "聊城市人民政府", 2021, 100)
    save_report(db, report_from(z2021, "zhengfu-2021.txt", flagged={"active.licensing.decisions": "列对齐存疑"}))
    return db
