"""Answer latency over a large database: p50/p99 of ``bot.qa.ask`` over ~1,000 varied questions.

The mix: single numbers with full names, abbreviations (城管局, 人社局, 市政府), a missing 市,
one-character typos, relative and Chinese-numeral years, applicant columns, rates, trends,
comparisons, rankings within a city, ambiguous departments (clarify), unknown agencies
(not_found) and missing years (no_data).  Audit questions scan every report, so they are timed
separately.  The agency index is built on the first question; its build time is reported apart.

usage: python bench/gen_db.py /tmp/bench.db && python bench/bench_answers.py /tmp/bench.db [-n 1000]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.qa import ask  # noqa: E402
from bot.qa.agencies import index_for  # noqa: E402
from bot.qa.text import ABBREVIATIONS  # noqa: E402
from store import queries  # noqa: E402
from store.db import open_db  # noqa: E402

TODAY = datetime.date(2024, 6, 1)
METRICS = ("收到多少申请", "予以公开多少件", "部分公开多少件", "不予公开多少件", "无法提供多少件", "不予处理多少件",
           "行政复议多少件", "行政诉讼一共多少件", "结转下年度继续办理多少件", "上年结转多少", "自然人申请多少",
           "法律服务机构申请了多少件", "行政处罚处理决定数量", "行政许可处理决定数量", "因本机关不掌握相关政府信息无法提供的有多少",
           "采购总金额", "收费金额是多少", "公开率是多少", "复议纠错率")
YEARS = ("2019年", "2020年", "2021年", "2022年", "2023年", "21年", "二〇二二年", "去年", "前年", "")


def variants(name: str, rng: random.Random) -> str:
    """The agency as a person might write it."""
    choice = rng.random()
    if choice < 0.35:
        return name
    if choice < 0.6:  # abbreviation
        for long, short in ABBREVIATIONS.items():
            if long in name and long != "人民政府":
                return name.replace(long, short)
        return name.replace("人民政府", "政府")
    if choice < 0.8:  # missing 市
        return name.replace("市", "", 1)
    chars = list(name)  # one-character typo in the department part
    i = rng.randrange(max(3, len(chars) - 4), len(chars) - 1)
    chars[i] = "理" if chars[i] != "理" else "里"
    return "".join(chars)


def questions(db, n: int, seed: int) -> list[str]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    names = [a["name"] for a in queries.agencies(db)]
    cities = sorted({n.split("市")[0] for n in names if "市" in n and "省" not in n})
    out = []
    for _ in range(n):
        kind = rng.random()
        agency = variants(rng.choice(names), rng)
        if kind < 0.62:
            out.append(f"{agency}{rng.choice(YEARS)}{rng.choice(METRICS)}")
        elif kind < 0.70:
            out.append(f"{agency}{rng.choice(METRICS[:12])}的趋势")
        elif kind < 0.78:
            other = variants(rng.choice(names), rng)
            out.append(f"{rng.choice(YEARS[:5])}{agency}和{other}{rng.choice(METRICS[:12])}对比")
        elif kind < 0.84:
            out.append(f"{agency}2020年和2022年{rng.choice(METRICS[:12])}比较")
        elif kind < 0.90:
            out.append(f"{rng.choice(YEARS[:5])}{rng.choice(cities)}各部门{rng.choice(('申请数', '行政复议', '予以公开'))}排名")
        elif kind < 0.95:
            out.append(f"{rng.choice(('城管局', '人社局', '财政局', '大数据局'))}{rng.choice(YEARS[:5])}收到多少申请")
        else:
            out.append(f"北京市海淀区{rng.choice(('城市管理委员会', '某某办'))}2020年收到多少申请")
    return out


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def freshness_keys(db, rounds: int = 200) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median ms of the agency index's freshness key per question, before (a ``count(*)`` and
    ``max(id)`` over the agencies) and now (:func:`store.queries.data_version`), interleaved in
    one run so the machine's noise falls on both alike."""
    old, new = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        db.execute("select count(*), coalesce(max(id), 0) from agencies").fetchone()
        old.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        queries.data_version(db, "agencies")
        new.append((time.perf_counter() - t) * 1000)
    return statistics.median(old), statistics.median(new)


def whole_index_read_ms(db) -> float:  # type: ignore[no-untyped-def]
    """How long a new process takes to load the stored index and read every part of it."""
    from store.identity import persisted, resolver

    resolver.forget_cached()
    t = time.perf_counter()
    _, index = persisted.fetch(db)
    persisted.warm(index)
    return (time.perf_counter() - t) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    db = open_db(args.db, create=False)
    t0 = time.perf_counter()
    index_for(db)
    build_ms = (time.perf_counter() - t0) * 1000
    qs = questions(db, args.n, args.seed)
    passes = []
    for _ in range(2):  # first: the stored index's parts read as questions need them; then warm
        times, statuses, kinds, slowest = [], collections.Counter(), collections.Counter(), []
        for q in qs:
            t = time.perf_counter()
            a = ask(db, q, today=TODAY)
            ms = (time.perf_counter() - t) * 1000
            times.append(ms)
            statuses[a.status] += 1
            kinds[a.kind] += 1
            slowest.append((ms, q))
        passes.append(times)
    audit = []
    for q in ("2023年哪些报告没通过校验", "哪些单位缺2023年年报", "聊城哪些单位缺2023年年报"):
        t = time.perf_counter()
        ask(db, q, today=TODAY)
        audit.append((q, (time.perf_counter() - t) * 1000))
    warm_ms = whole_index_read_ms(db)
    agencies = db.execute("select count(*) from agencies").fetchone()[0]
    reports = db.execute("select count(*) from reports").fetchone()[0]
    print(f"database: {reports} reports, {agencies} agencies; index build {build_ms:.0f} ms (once per db state)")
    print(f"reading the whole stored index at once, as the bot does at start: {warm_ms:.0f} ms")
    labels = ("first pass (a process reading the stored index's parts as questions need them)",
              "second pass (the index all read, as in the bot)")
    for label, sample in zip(labels, passes, strict=True):
        print(f"{len(sample)} questions, {label}: p50 {statistics.median(sample):.2f} ms, "
              f"p90 {percentile(sample, 90):.2f} ms, p99 {percentile(sample, 99):.2f} ms, max {max(sample):.2f} ms")
    print("statuses:", dict(statuses), " kinds:", dict(kinds))
    print("slowest:", "; ".join(f"{q} ({ms:.1f} ms)" for ms, q in sorted(slowest, reverse=True)[:3]))
    print("audit (scan all reports):", "; ".join(f"{q} {ms:.0f} ms" for q, ms in audit))
    print(f"p99 target 5 ms (warm): {'met' if percentile(times, 99) <= 5 else 'NOT met'}")
    old, new = freshness_keys(db)
    print(f"index freshness key per question: count(*) {old:.3f} ms (before), data_version {new:.4f} ms (now), "
          f"{old / new:.0f}x")


if __name__ == "__main__":
    main()
