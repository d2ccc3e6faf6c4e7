"""Trend charts as PNG bytes (matplotlib, Agg backend, no display needed).

Chinese labels need a CJK font; matplotlib's default DejaVu has none and would draw boxes.  We
look for an installed one (Debian ``fonts-wqy-microhei`` or ``fonts-noto-cjk``); without one the
chart keeps ASCII labels and the caption carries the numbers and names instead.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import matplotlib

from bot.present import fmt_number

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
)


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    return None


def _label(item: dict[str, Any]) -> str:
    return str(item.get("label", item.get("year", "")))


def trend_png(series: list[dict[str, Any]], title: str, unit: str = "") -> tuple[bytes, bool]:
    """A line chart of ``series`` rows ``{"label", "value"}``; returns (png, used a CJK font).

    Missing values (None) break the line instead of being drawn as 0."""
    font = cjk_font()
    labels = [_label(s) for s in series]
    values = [s.get("value") for s in series]
    fig = Figure(figsize=(7, 4), dpi=100)
    ax = fig.subplots()
    if font:
        ax.set_title(title, fontfamily=font)
        ax.set_ylabel(unit, fontfamily=font)
    else:
        ax.set_title(" ".join(labels[:1] + ["..."] + labels[-1:]) if labels else "trend")
    xs = list(range(len(labels)))
    ax.plot(xs, [float("nan") if v is None else v for v in values], marker="o")
    for x, v in zip(xs, values, strict=True):
        if v is not None:
            ax.annotate(fmt_number(v), (x, v), textcoords="offset points", xytext=(0, 6), ha="center")
    ax.set_xticks(xs, labels, fontfamily=font or "DejaVu Sans")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue(), font is not None


def caption(series: list[dict[str, Any]], title: str, unit: str = "") -> str:
    """The numbers in words, so the chart is readable even without a CJK font."""
    points = "，".join(
        f"{_label(s)}：" + ("无数据" if s.get("value") is None else f"{fmt_number(s['value'])}{unit}") for s in series
    )
    return f"{title}\n{points}"[:1000]  # Telegram captions hold 1024 characters
