"""Generate a large database for the answer-latency benchmark.

100,000 reports over 20,000 agencies (every prefecture city of the national gazetteer × a list
of departments, five years each), written with bulk ``executemany`` inside one transaction through
the real schema (:func:`store.db.open_db`).  Each agency is identified as ingest would (division,
organ, level, and the forms that lead to it are stored), so answering reads stored forms.  Each report carries the cells questions touch most
(every active and appeals cell, the 总计 column of every requests row, every column of 本年新收),
so answers read real rows; about 2 % of reports get a failed check.

``--whole`` fills every cell of the report's format (198 or 200, as a real ingest stores), and
``--invented`` draws agency names from invented places (random two-character place names, counties
under prefectures) instead of the gazetteer the answering core itself matches with, so a
benchmark does not only ask about names its own tables were built around, and can go past the
gazetteer's ~20,000 agencies.  ``--large`` is the size the answer targets are set at:
1,000,000 reports over 100,000 agencies (ten years), whole, invented names (~200 M cells: tens
of GB and an hour or more here).

usage: python bench/gen_db.py OUT.db [--agencies 20000] [--years 2019-2023] [--seed 7]
                                     [--whole] [--invented] [--large]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store.catalogue import keys_for  # noqa: E402
from store.db import now_iso, open_db, write_transaction  # noqa: E402
from store.identity.gazetteer import gazetteer  # noqa: E402
from store.identity.names import identify  # noqa: E402
from store.identity.registry import key_form  # noqa: E402

DEPARTMENTS = """
人民政府 人民政府办公室 发展和改革委员会 教育局 科学技术局 工业和信息化局 公安局 民政局 司法局 财政局
人力资源和社会保障局 自然资源和规划局 生态环境局 住房和城乡建设局 交通运输局 水利局 农业农村局 商务局
文化和旅游局 卫生健康委员会 退役军人事务局 应急管理局 审计局 市场监督管理局 统计局 医疗保障局 城市管理局
机关事务管理局 大数据局 行政审批服务局 信访局 林业局 体育局 人民防空办公室 地方金融监督管理局 外事办公室
国有资产监督管理委员会 粮食和物资储备局 乡村振兴局 综合行政执法局 档案馆 地震局 气象局 税务局 供销合作社
住房公积金管理中心 公共资源交易中心 投资促进局 民族宗教事务局 残疾人联合会 红十字会 科学技术协会 妇女联合会
总工会 共青团委员会 政务服务管理办公室 营商环境建设局 海洋发展局 能源局 口岸办公室 新闻出版局
""".split()


def agency_names(count: int) -> list[tuple[str, str]]:
    """(name, region) pairs: prefecture × department, then province × department."""
    places = sorted(gazetteer().by_code.values(), key=lambda p: p.code)
    out = []
    for level in ("prefecture", "province"):
        for place in (p for p in places if p.level == level and not p.zone):
            for dept in DEPARTMENTS:
                out.append((f"{place.name}{dept}", place.name))
    if count > len(out):
        raise SystemExit(f"the gazetteer gives at most {len(out)} agencies")
    return out[:count]


PLACE_CHARACTERS = """
安 宁 江 河 山 阳 平 东 西 南 北 清 新 兴 长 永 和 泰 丰 城 林 泉 湖 海 云 龙 凤 华 金 石 水 德 福 宝 昌 定
庆 广 化 武 文 明 光 远 怀 嘉 顺 通 乐 成 合 开 建 吉 靖 康 临 峰 溪 岭 川 源 阴 桥 口 台 沙 田 峪 坪 塘 洲
""".split()


def invented_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(name, region) pairs over invented places: a third at a prefecture (X市 + department), the
    rest at a county or district under one (X市Y县 + department), each name distinct."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    prefectures = max(1, count // 300)
    cities = {f"{rng.choice(PLACE_CHARACTERS)}{rng.choice(PLACE_CHARACTERS)}市" for _ in range(prefectures)}
    cities_list = sorted(cities)
    while len(out) < count:
        city = rng.choice(cities_list)
        if rng.random() < 1 / 3:
            name = f"{city}{rng.choice(DEPARTMENTS)}"
        else:
            county = f"{rng.choice(PLACE_CHARACTERS)}{rng.choice(PLACE_CHARACTERS)}{rng.choice('县区')}"
            name = f"{city}{county}{rng.choice(DEPARTMENTS)}"
        if name not in seen:
            seen.add(name)
            out.append((name, city))
    return out


def bench_keys(fmt: str, whole: bool = False) -> list[str]:
    if whole:
        return list(keys_for(fmt))
    keys = []
    for key in keys_for(fmt):
        if key.startswith(("active.", "appeals.", "requests.new.")) or key.endswith(".total"):
            keys.append(key)
    return keys


def generate(path: Path, agencies: int, years: range, seed: int, *, whole: bool = False,
             invented: bool = False) -> dict[str, float]:
    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    db = open_db(path)
    # One transaction into an empty file: a rollback journal records only the few pages that
    # existed before (new pages are appended), where WAL would write every page twice (log, then
    # checkpoint): tens of GB at --large.  The file goes back to WAL once written.
    db.execute("pragma journal_mode = delete")
    db.execute("pragma synchronous = off")
    t0 = time.perf_counter()
    names = invented_names(agencies, rng) if invented else agency_names(agencies)
    keys = {fmt: bench_keys(fmt, whole) for fmt in ("2019", "2021")}
    idents = [identify(n, "", r) for n, r in names]
    with write_transaction(db):
        db.conn.executemany("insert into agencies (id, name, region, aliases, division_code, organ, level) "
                            "values (?, ?, ?, '[]', ?, ?, ?)",
                            [(i + 1, n, r, d.code, d.organ, d.level) for i, ((n, r), d) in enumerate(zip(names, idents, strict=True))])
        db.conn.executemany("insert or ignore into agency_forms (form, agency_id, kind) values (?, ?, ?)",
                            [(form, i + 1, kind) for i, ((n, _), d) in enumerate(zip(names, idents, strict=True))
                             for form, kind in ((n, "name"), (key_form(d.key), "key")) if d.key])
        report_id = 0
        reports, cells, checks = [], [], []
        for aid in range(1, agencies + 1):
            for year in years:
                report_id += 1
                fmt = "2019" if year < 2021 else "2021"
                failed = rng.random() < 0.02
                reports.append((report_id, aid, year, fmt, json.dumps({"active": fmt, "requests": fmt, "appeals": fmt}),
                                f"bench-{aid}-{year}.pdf", "pdf", f"{aid:08x}{year}", now_iso(), int(failed)))
                for line, key in enumerate(keys[fmt], 1):
                    value = None if rng.random() < 0.1 else rng.randint(0, 500)
                    cells.append((report_id, key, value, "" if value is None else str(value),
                                  f'{{"kind": "pdf", "page": 2, "line": {line}}}'))
                if failed:
                    checks.append((report_id, "requests.balance.total", "error", 0,
                                   "本年新收 + 上年结转 ≠ 办结总计 + 结转下年度", '["requests.new.total"]', "source"))
            if len(cells) > 500_000:
                _flush(db, reports, cells, checks)
        _flush(db, reports, cells, checks)
    db.execute("analyze")
    db.execute("pragma journal_mode = wal")
    return {"seconds": time.perf_counter() - t0, "agencies": agencies, "reports": report_id}


def _flush(db, reports: list, cells: list, checks: list) -> None:  # type: ignore[no-untyped-def]
    db.conn.executemany(
        "insert into reports (id, agency_id, year, format, table_formats, source_name, source_kind, sha256, "
        "ingested_at, status, failed_checks, flagged_cells) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'current', ?, 0)",
        reports)
    db.conn.executemany("insert into cells (report_id, key, value, raw, provenance) values (?, ?, ?, ?, ?)", cells)
    db.conn.executemany("insert into checks (report_id, rule, severity, passed, message, cells, origin) "
                        "values (?, ?, ?, ?, ?, ?, ?)", checks)
    reports.clear()
    cells.clear()
    checks.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--agencies", type=int, default=20_000)
    parser.add_argument("--years", default="2019-2023")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--whole", action="store_true", help="every cell of the format, not the most asked")
    parser.add_argument("--invented", action="store_true", help="agency names from invented places")
    parser.add_argument("--large", action="store_true", help="100,000 agencies × 2014-2023, --whole --invented")
    args = parser.parse_args()
    if args.large:
        args.agencies, args.years, args.whole, args.invented = 100_000, "2014-2023", True, True
    first, last = (int(y) for y in args.years.split("-"))
    stats = generate(args.out, args.agencies, range(first, last + 1), args.seed, whole=args.whole,
                     invented=args.invented)
    print(f"{stats['reports']} reports over {stats['agencies']} agencies in {stats['seconds']:.1f} s → {args.out}")


if __name__ == "__main__":
    main()
