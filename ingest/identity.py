"""Who published a report and for which year, as its title prints them.

Titles come as "聊城市城市管理局\\n2019 年度政府信息公开工作报告", "上海市人民政府办公厅2019年政府信息公开
工作年度报告" or "2019年度XX局政府信息公开工作年度报告"; HTML titles add a site suffix after "_".
The agency is the name as printed; what it means (division, organ, canonical name, region) is
decided by :func:`store.identity.names.identify`, which also reads the body and the folder.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.model import CheckResult, ParsedReport
from ingest.normalize import core

_AGENCY_THEN_YEAR = re.compile(r"^(?P<agency>.*?)(?P<year>20\d{2})年度?(?:政府)?(?:信息|政务)公开")
_YEAR_THEN_AGENCY = re.compile(r"^(?P<year>20\d{2})年度?(?P<agency>.+?)(?:政府)?(?:信息|政务)公开")
_YEAR_IN_TEXT = re.compile(r"(20\d{2})\s*年")
_STRIP = "#*《》“”\"'·:,。 　-_|"
_FIELD_NAME = re.compile(r"^(?:标题|题目|文章标题|title)[:：]", re.IGNORECASE)
"""A scraper's page dump starts "标题: <the title>": the field name is not part of the agency."""
_NOT_AGENCY_PREFIX = re.compile(r"^(?:关于|发布|公布)|(?:关于|的)$")
MAX_AGENCY_CHARS = 40
"""Longer than any agency's name (中国(上海)自由贸易试验区临港新片区管理委员会 is 24): a sentence."""
_SENTENCE = re.compile(r"[,。;!?:，；！？：、]|\d{3,}")


def plausible_agency(name: str) -> bool:
    """A title-derived name that can be an agency's: short, no sentence punctuation, no figures.

    A file that is not one report (a comparison, a page of prose before the title) otherwise
    names its "agency" with the 200 characters before the first year."""
    return 2 <= len(name) <= MAX_AGENCY_CHARS and not _SENTENCE.search(name)


@dataclass(frozen=True)
class Identity:
    agency: str
    year: int | None


def _title_candidates(title: str, text: str) -> list[str]:
    """The declared title (before any site suffix) first, then the opening lines of the text."""
    candidates: list[str] = []
    if title.strip():
        candidates.append(core(re.split(r"[_|]", title)[0]))
    lines = [_FIELD_NAME.sub("", core(ln)).strip(_STRIP) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln][:6]
    for i in range(len(lines)):
        candidates.append(lines[i])
        if i + 1 < len(lines):
            candidates.append(lines[i] + lines[i + 1])
    return candidates


def _from_title(candidate: str) -> tuple[str, int] | None:
    for pattern in (_AGENCY_THEN_YEAR, _YEAR_THEN_AGENCY):
        match = pattern.match(candidate)
        if match:
            agency = _NOT_AGENCY_PREFIX.sub("", match["agency"].strip(_STRIP))
            if plausible_agency(agency):
                return agency, int(match["year"])
    return None


def _year_from_text(text: str) -> int | None:
    years = Counter(int(y) for y in _YEAR_IN_TEXT.findall(text[:3000]))
    return years.most_common(1)[0][0] if years else None


def detect_identity(title: str, text: str) -> Identity:
    """Agency and year from the title, else the first lines, else the most cited year."""
    for candidate in _title_candidates(title, text):
        found = _from_title(candidate)
        if found:
            agency, year = found
            return Identity(agency=agency, year=year)
    return Identity(agency="", year=_year_from_text(text))


def name_report(parsed: ParsedReport, text: str, folder: str = "") -> None:
    """Give a report its agency's identity: the printed name read through the gazetteer and the
    organ table, confirmed or completed from the body and the folder.  The report keeps the
    printed name; its agency becomes the canonical one (洪泽区人民政府 → 淮安市洪泽区人民政府)."""
    from store.identity.names import identify

    printed = parsed.printed_agency or parsed.agency
    ident = identify(printed, text, folder)
    parsed.printed_agency = printed
    parsed.identity = ident
    parsed.agency = ident.canonical
    parsed.region = ident.region


def identity_checks(parsed: ParsedReport) -> list[CheckResult]:
    """What the reader could not settle about who published the report, where the user sees it
    (``xxgk check``, the ingest summary): a place it could not find in the gazetteer, or a name it
    corrected.  Warnings: the figures are not in doubt, the agency's place may be."""
    ident = parsed.identity
    if ident is None:
        return []
    checks = [CheckResult(rule="identity.note", severity="warning", passed=False, origin="reading",
                          message=f"单位名称“{parsed.printed_agency}”：{note}") for note in ident.notes]
    if not ident.code:
        checks.append(CheckResult(
            rule="identity.unplaced", severity="warning", passed=False, origin="reading",
            message=f"未能确定“{parsed.printed_agency}”所在的行政区划，该单位按印刷名称保存；"
                    "如与已有单位为同一单位，请用 xxgk agencies merge 或 alias 处理"))
    return checks
