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

Each bulk measurement runs in a fresh process (imports and caches warmed on one file first, as a
long ``xxgk ingest`` has them).  ``--code DIR`` measures another checkout's ingest too (e.g.
``git archive COMMIT | tar -x -C DIR``), alternated with this one on the same files, and prints
before → after with the ratios: a speed-up measured in one run, under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUFFIX = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt"}


def make_corpus(folder: Path, copies: int, kinds: tuple[str, ...] = tuple(SUFFIX)) -> dict[str, list[Path]]:
    from ingest.render import render_docx, render_html, render_pdf, render_text

    renderers = {"pdf": render_pdf, "docx": render_docx, "html": render_html, "text": render_text}
    figures = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "bot/samples/figures").glob("*.json"))]
    corpus: dict[str, list[Path]] = {kind: [] for kind in kinds}
    for kind in kinds:
        render = renderers[kind]
        for copy in range(copies):
            for index, fig in enumerate(figures):
                variant = dict(fig, agency=fig["agency"].replace("局", f"第{copy}局", 1) if copy else fig["agency"])
                path = folder / kind / f"{copy:03d}-{index}{SUFFIX[kind]}"
                path.parent.mkdir(parents=True, exist_ok=True)
                render(variant, path)
                corpus[kind].append(path)
    return corpus


def time_ingest(paths: list[Path], db_path: Path) -> tuple[float, int]:
    from ingest.pipeline import ingest_file
    from store.db import open_db

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
    file by file, or :mod:`ingest.bulk` with a worker per core.  The first file is ingested
    first, untimed, into a database of its own: imports and caches are warm, as in a long run."""
    import resource

    from ingest.bulk import _preload, ingest_many
    from ingest.pipeline import ingest_file
    from store.db import open_db

    _preload()
    ingest_file(open_db(db_path.with_suffix(".warm.db")), paths[0])
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


def measure(code: Path, paths_file: Path, db_path: Path, bulk: bool) -> dict[str, float]:
    """:func:`time_bulk` with ``code``'s ingest, in a fresh process (its own imports)."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(code), str(paths_file), str(db_path), "bulk" if bulk else "serial"],
        check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(code)},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare_bulk(folder: Path, copies: int, codes: list[Path]) -> None:
    """File by file against bulk, for each checkout in ``codes`` (the last is this one), each
    measured twice, alternated so the machine's load falls on all alike."""
    paths = make_corpus(folder / "bulk", copies, kinds=("text",))["text"]
    paths_file = folder / "bulk-files.json"
    paths_file.write_text(json.dumps([str(p) for p in paths]))
    runs: dict[tuple[int, bool], list[dict[str, float]]] = {(c, b): [] for c in range(len(codes)) for b in (False, True)}
    for attempt in range(2):
        for c, code in enumerate(codes):
            for bulk in (False, True):
                runs[c, bulk].append(measure(code, paths_file, folder / f"bulk-{c}-{attempt}-{bulk}.db", bulk))
    cores = os.cpu_count() or 1
    bounds = []
    for c, code in enumerate(codes):
        if len(codes) > 1:
            print(f"code {code}:")
        for bulk, label in ((False, "file by file"), (True, "bulk")):
            last = _cpu(runs[c, bulk])
            rates = " / ".join(f"{len(paths) / r['seconds']:.0f}" for r in runs[c, bulk])
            print(f"text {label:12} {len(paths)} files: {rates} reports/s, {last['kb']:.0f} KB written per report, "
                  f"CPU {last['cpu_ms']:.2f} ms per report here + {last['workers_ms']:.2f} ms in workers, "
                  f"stored {last['ok']:.0f}")
        ratio = " / ".join(f"{s['seconds'] / b['seconds']:.2f}x" for s, b in zip(runs[c, False], runs[c, True], strict=True))
        serial, bulk = _cpu(runs[c, False]), _cpu(runs[c, True])
        bound = min(cores / (bulk["cpu_ms"] + bulk["workers_ms"]), 1 / bulk["cpu_ms"]) * 1000
        bounds.append(bound)
        print(f"bulk / file by file speed (wall, this machine now): {ratio}; load average {os.getloadavg()[0]:.1f} on "
              f"{cores} cores")
        print(f"on {cores} free cores, from CPU time (least of the runs): file by file {1000 / serial['cpu_ms']:.0f} "
              f"reports/s, bulk {bound:.0f} reports/s ({bound * serial['cpu_ms'] / 1000:.2f}x)")
    if len(codes) > 1:
        _before_after(runs, len(codes) - 1, len(paths), bounds)


def _cpu(runs: list[dict[str, float]]) -> dict[str, float]:
    """The least CPU per report of the runs (the one least disturbed by the machine's other work)."""
    return min(runs, key=lambda r: r["cpu_ms"] + r["workers_ms"])


def _before_after(runs: dict[tuple[int, bool], list[dict[str, float]]], last: int, n: int, bounds: list[float]) -> None:
    for bulk, label in ((False, "file by file"), (True, "bulk")):
        before, after = _cpu(runs[0, bulk]), _cpu(runs[last, bulk])
        cpu_b, cpu_a = before["cpu_ms"] + before["workers_ms"], after["cpu_ms"] + after["workers_ms"]
        wall = " / ".join(f"{n / b['seconds']:.0f} → {n / a['seconds']:.0f}"
                          for b, a in zip(runs[0, bulk], runs[last, bulk], strict=True))
        print(f"before → after, {label}: CPU {cpu_b:.2f} → {cpu_a:.2f} ms per report ({cpu_a / cpu_b:.2f}x; "
              f"writer {before['cpu_ms']:.2f} → {after['cpu_ms']:.2f}, workers {before['workers_ms']:.2f} → "
              f"{after['workers_ms']:.2f}); wall {wall} reports/s")
    print(f"before → after, bulk on free cores from CPU time: {bounds[0]:.0f} → {bounds[last]:.0f} reports/s "
          f"({bounds[last] / bounds[0]:.2f}x)")


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
    parser.add_argument("--code", type=Path, help="another checkout to measure the bulk text ingest of (before/after)")
    parser.add_argument("--measure", nargs=4, metavar=("CODE", "FILES", "DB", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # one measurement, in this fresh process, with CODE's ingest
        code, files, db, mode = args.measure
        sys.path.insert(0, str(Path(code).resolve()))
        paths = [Path(p) for p in json.loads(Path(files).read_text())]
        print(json.dumps(time_bulk(paths, Path(db), mode == "bulk")))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        compare_bulk(folder, args.bulk_copies, [*([args.code.resolve()] if args.code else []), ROOT])
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
