"""Regenerate the bundled demo reports (``bot/samples/reports/``) from ``bot/samples/figures/``.

``xxgk demo`` ingests these files, so they cover every form ingest reads: PDFs (one with the
requests table broken across pages, header repeated; one without the header; one whole), Word,
HTML in GBK and in UTF-8, and tab-separated text.  Output is deterministic so regenerating
does not churn git.  Run: ``python -m ingest.render.samples``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from ingest.render import render_docx, render_html, render_pdf, render_text
from ingest.render.layout import Figures

SAMPLES = Path(__file__).resolve().parents[2] / "bot" / "samples"

Renderer = Callable[[Figures, Path], Path]
PLAN: dict[str, tuple[str, Renderer]] = {
    "liaocheng-chengguan-2019": ("pdf", lambda f, p: render_pdf(f, p, split_requests_across_pages=True)),
    "liaocheng-jiguan-shiwu-2023": (
        "pdf", lambda f, p: render_pdf(f, p, split_requests_across_pages=True, repeat_header=True)),
    "zibo-chengguan-2020": ("pdf", lambda f, p: render_pdf(f, p, split_requests_across_pages=False)),
    "liaocheng-dashuju-2019": ("docx", render_docx),
    "shanghai-bangongting-2019": ("docx", render_docx),
    "liaocheng-renmin-zhengfu-2020": ("html", lambda f, p: render_html(f, p, encoding="gbk")),
    "pingtan-2023": ("txt", render_text),
}
"""Which form each bundled sample takes (figures stem → extension, renderer)."""


def regenerate(figures_dir: Path = SAMPLES / "figures", out_dir: Path = SAMPLES / "reports") -> list[Path]:
    """Write one report per figures file; a figures file without a plan entry becomes HTML."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(figures_dir.glob("*.json")):
        figures = json.loads(source.read_text(encoding="utf-8"))
        ext, render = PLAN.get(source.stem, ("html", render_html))
        written.append(render(figures, out_dir / f"{source.stem}.{ext}"))
    return written


def main() -> int:
    for path in regenerate():
        print(f"已生成 / written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
