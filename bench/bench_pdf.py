"""PDF ingest against bare pdfplumber, side by side in one run: the ratio is what counts here.

    python bench/bench_pdf.py [--rounds 5] [--code DIR]

The corpus: every bundled figures file rendered by reportlab, and (when LibreOffice is
installed) exported to PDF from Word and from HTML by LibreOffice, as agencies make them.  Each
round times, file by file and interleaved so the machine's noise falls on both alike,

* bare ``pdfplumber``: open, every page, ``extract_tables()`` — the floor of a geometry reader;
* ours: ``ingest_file`` (read → interpret → checks → one SQLite transaction) into a fresh
  database, as ``xxgk ingest`` does.

It prints the total of each over the rounds, the ratio ours / bare, and the median of the
per-round ratios with its spread (min–max) as the noise figure.  ``--code DIR`` measures another
checkout's ``ingest`` (e.g. ``git archive COMMIT | tar -x -C DIR``) against the same bare
pdfplumber, for a before/after pair run back to back.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_corpus(folder: Path) -> list[Path]:
    from ingest.render import render_docx, render_html, render_pdf

    figures = sorted((ROOT / "bot/samples/figures").glob("*.json"))
    pdfs, sources = [], []
    (folder / "src").mkdir(parents=True, exist_ok=True)
    for path in figures:
        fig = json.loads(path.read_text(encoding="utf-8"))
        pdfs.append(render_pdf(fig, folder / f"reportlab-{path.stem}.pdf"))
        sources.append(render_docx(fig, folder / "src" / f"word-{path.stem}.docx"))
        sources.append(render_html(fig, folder / "src" / f"web-{path.stem}.html"))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder / 'lo-profile'}",
                        "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(folder / "lo"), *map(str, sources)],
                       check=True, capture_output=True, timeout=900)
        pdfs += sorted((folder / "lo").glob("*.pdf"))
    return pdfs


def bare(path: Path) -> float:
    import pdfplumber

    start = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()
    return time.perf_counter() - start


def ours(path: Path, db) -> tuple[float, bool]:  # type: ignore[no-untyped-def]
    from ingest.pipeline import ingest_file

    start = time.perf_counter()
    ok = ingest_file(db, path).ok
    return time.perf_counter() - start, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose ingest is measured")
    parser.add_argument("--corpus", type=Path, help="a folder of PDFs to use instead of rendering one")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    from store.db import open_db

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = sorted(args.corpus.glob("**/*.pdf")) if args.corpus else make_corpus(folder)
        for path in files[:2]:  # warm the imports and caches of both sides
            bare(path)
            ours(path, open_db(folder / "warm.db"))
        totals, ratios, failed = [0.0, 0.0], [], 0
        for r in range(args.rounds):
            db = open_db(folder / f"round-{r}.db")
            b_round = o_round = 0.0
            for path in files:
                b = bare(path)
                o, ok = ours(path, db)
                failed += not ok
                b_round, o_round = b_round + b, o_round + o
            totals[0] += b_round
            totals[1] += o_round
            ratios.append(o_round / b_round)
        print(f"code {args.code}: {len(files)} PDFs × {args.rounds} rounds, {failed} failed")
        print(f"bare pdfplumber extract_tables {totals[0]:.2f} s, ours (ingest_file) {totals[1]:.2f} s, "
              f"ratio {totals[1] / totals[0]:.3f}x; per round median {statistics.median(ratios):.3f}x "
              f"(min {min(ratios):.3f}, max {max(ratios):.3f})")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
