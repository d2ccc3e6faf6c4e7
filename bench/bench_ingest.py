"""Ingest benchmark: reports per second per source kind, and our PDF time against bare pdfplumber.

    python bench/bench_ingest.py [--copies N]

Renders every bundled figures file into PDF, DOCX, HTML and text (N copies each, with distinct
agency names so each is a new report), then times

* the whole ingest (detect → read → interpret → checks → one SQLite transaction) per kind;
* for PDFs, bare ``pdfplumber`` table extraction of the same files (open, every page,
  ``extract_tables()``), the floor any geometry-based reader pays; the ratio is ours / bare
  (bench/bench_pdf.py measures it interleaved, file by file);
* bulk ingest of many text files (``--bulk-copies`` × 7, default 700): file by file in one
  process, as before, against :func:`ingest.bulk.ingest_many` (a worker per core, batched
  commits), alternated twice so load on the machine falls on both; with the bytes each wrote
  per report (``wchar`` of /proc/self/io: WAL and database), the speed-up as a ratio, and the
  CPU each spent per report — on a machine busy with other sessions, wall time cannot show a
  speed-up (Linux gives the session its share however many processes it runs), CPU time shows
  what the cores would give.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest_file  # noqa: E402
from ingest.render import render_docx, render_html, render_pdf, render_text  # noqa: E402
from store.db import open_db  # noqa: E402

RENDERERS = {"pdf": render_pdf, "docx": render_docx, "html": render_html, "text": render_text}
SUFFIX = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt"}


def make_corpus(folder: Path, copies: int, kinds: tuple[str, ...] = tuple(RENDERERS)) -> dict[str, list[Path]]:
    figures = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "bot/samples/figures").glob("*.json"))]
    corpus: dict[str, list[Path]] = {kind: [] for kind in kinds}
    for kind in kinds:
        render = RENDERERS[kind]
        for copy in range(copies):
            for index, fig in enumerate(figures):
                variant = dict(fig, agency=fig["agency"].replace("局", f"第{copy}局", 1) if copy else fig["agency"])
                path = folder / kind / f"{copy:03d}-{index}{SUFFIX[kind]}"
                path.parent.mkdir(parents=True, exist_ok=True)
                render(variant, path)
                corpus[kind].append(path)
    return corpus


def time_ingest(paths: list[Path], db_path: Path) -> tuple[float, int]:
    db = open_db(db_path)
    start = time.perf_counter()
    ok = sum(ingest_file(db, p).ok for p in paths)
    return time.perf_counter() - start, ok


def _written() -> int:
    """Bytes this process has passed to write() so far (Linux), 0 elsewhere."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def time_bulk(paths: list[Path], db_path: Path, bulk: bool) -> dict[str, float]:
    """Seconds, files stored, bytes written and CPU ms (this process, its workers) per report:
    file by file, or :mod:`ingest.bulk` with a worker per core."""
    import resource

    from ingest.bulk import ingest_many

    db = open_db(db_path)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    written, start, cpu = _written(), time.perf_counter(), time.process_time()
    outcomes = ingest_many(db, paths, workers=os.cpu_count()) if bulk else (ingest_file(db, p) for p in paths)
    ok = sum(o.ok for o in outcomes)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    n = max(1, len(paths))
    return {"seconds": seconds, "ok": ok, "kb": (_written() - written) / n / 1024,
            "cpu_ms": 1000 * cpu / n, "workers_ms": 1000 * workers / n}


def compare_bulk(folder: Path, copies: int) -> None:
    paths = make_corpus(folder / "bulk", copies, kinds=("text",))["text"]
    runs: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for attempt in range(2):
        for bulk in (False, True):
            runs[bulk].append(time_bulk(paths, folder / f"bulk-{attempt}-{bulk}.db", bulk))
    cores = os.cpu_count() or 1
    for bulk, label in ((False, "file by file"), (True, "bulk")):
        last = runs[bulk][-1]
        rates = " / ".join(f"{len(paths) / r['seconds']:.0f}" for r in runs[bulk])
        print(f"text {label:12} {len(paths)} files: {rates} reports/s, {last['kb']:.0f} KB written per report, "
              f"CPU {last['cpu_ms']:.2f} ms per report here + {last['workers_ms']:.2f} ms in workers, stored {last['ok']:.0f}")
    ratio = " / ".join(f"{s['seconds'] / b['seconds']:.2f}x" for s, b in zip(runs[False], runs[True], strict=True))
    serial, bulk = runs[False][-1], runs[True][-1]
    bound = min(cores / (bulk["cpu_ms"] + bulk["workers_ms"]), 1 / bulk["cpu_ms"]) * 1000
    print(f"bulk / file by file speed (wall, this machine now): {ratio}; load average {os.getloadavg()[0]:.1f} on "
          f"{cores} cores")
    print(f"on {cores} free cores, from CPU time: file by file {1000 / serial['cpu_ms']:.0f} reports/s, "
          f"bulk {bound:.0f} reports/s ({bound * serial['cpu_ms'] / 1000:.2f}x)")


def time_bare_pdfplumber(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_tables()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=3, help="copies of each of the 7 samples per kind")
    parser.add_argument("--bulk-copies", type=int, default=100, help="copies of each sample for the bulk text run")
    parser.add_argument("--only-bulk", action="store_true", help="only the bulk comparison")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        compare_bulk(folder, args.bulk_copies)
        if args.only_bulk:
            return 0
        corpus = make_corpus(folder, args.copies)
        print(f"{'kind':6} {'files':>5} {'ok':>4} {'seconds':>8} {'reports/s':>10} {'ms/report':>10}")
        results = {}
        for kind, paths in corpus.items():
            seconds, ok = time_ingest(paths, folder / f"{kind}.db")
            results[kind] = seconds
            print(f"{kind:6} {len(paths):5d} {ok:4d} {seconds:8.2f} {len(paths) / seconds:10.1f} "
                  f"{1000 * seconds / len(paths):10.1f}")
        bare = statistics.median(time_bare_pdfplumber(corpus["pdf"]) for _ in range(3))
        ours = results["pdf"]
        print(f"pdf: ours {ours:.2f} s, bare pdfplumber extract_tables {bare:.2f} s, ratio {ours / bare:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
