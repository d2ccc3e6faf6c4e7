"""The answer value object every shell renders (console, ``--json``, Telegram)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATUSES = ("answer", "clarify", "no_data", "not_found")


@dataclass
class Source:
    """Where the number came from."""

    report_id: int | None = None
    file: str = ""
    kind: str = ""  # pdf | docx | html | text
    table: str = ""  # 主动公开 / 依申请公开 / 行政复议行政诉讼
    rows: list[str] = field(default_factory=list)  # row labels of the cells used
    column: str = ""
    locations: list[dict[str, Any]] = field(default_factory=list)  # per cell: key, page/line, raw


@dataclass
class Answer:
    status: str  # answer | clarify | no_data | not_found
    text: str  # the reply in Chinese, ready to show
    value: int | float | None = None
    unit: str = ""
    agency: str | None = None
    year: int | None = None
    cells: list[str] = field(default_factory=list)
    formula: str = ""
    source: Source | None = None
    caveats: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    # trend/ranking/list answers: rows of {"label", "value", ...}
    series: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "value"  # value | trend | compare | ranking | rate | checks | missing | overview | inventory | help

    def as_json(self) -> dict[str, Any]:
        """The ``xxgk ask --json`` document."""
        data = asdict(self)
        data["source"] = asdict(self.source) if self.source else {}
        return data
