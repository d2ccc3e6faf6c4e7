"""Ingest benchmark: reports per second per source kind, and our PDF time against bare pdfplumber.

    python bench/bench_ingest.py [--copies N]

Renders every bundled figures file into PDF, DOCX, HTML and text (N copies each, with distinct
agency names so each is a new report), then times

* the whole ingest (detect → read → interpret → checks → one SQLite transaction) per kind;
* for PDFs, bare ``pdfplumber`` table extraction of the same files (open, every page,
  ``extract_tables()``), the floor any geometry-based reader pays; the ratio is ours / bare.
"""

from __future__ import annotations

import argparse
import json
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


def make_corpus(folder: Path, copies: int) -> dict[str, list[Path]]:
    figures = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "bot/samples/figures").glob("*.json"))]
    corpus: dict[str, list[Path]] = {kind: [] for kind in RENDERERS}
    for kind, render in RENDERERS.items():
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
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
