"""Who published a report, for which year, and where: read from its title.

Titles come as "聊城市城市管理局\\n2019 年度政府信息公开工作报告", "上海市人民政府办公厅2019年政府信息公开
工作年度报告" or "2019年度XX局政府信息公开工作年度报告"; HTML titles add a site suffix after "_".
The agency is the full name as printed; the region is its leading place name (聊城市, 上海市,
平潭综合实验区), split by a suffix rule that needs two characters before the suffix so that
市场监督管理局 or 杭州 are not cut at 市/州.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.normalize import core

_AGENCY_THEN_YEAR = re.compile(r"^(?P<agency>.*?)(?P<year>20\d{2})年度?(?:政府)?(?:信息|政务)公开")
_YEAR_THEN_AGENCY = re.compile(r"^(?P<year>20\d{2})年度?(?P<agency>.+?)(?:政府)?(?:信息|政务)公开")
_REGION = re.compile(r"^[^\s]{2,7}?(?:综合实验区|新区|自治州|地区|盟|市|县|区|旗)")
_PROVINCE = re.compile(r"^[^\s]{2,3}?(?:省|自治区)")
_YEAR_IN_TEXT = re.compile(r"(20\d{2})\s*年")
_STRIP = "#*《》“”\"'·:,。 　-_|"
_FIELD_NAME = re.compile(r"^(?:标题|题目|文章标题|title)[:：]", re.IGNORECASE)
"""A scraper's page dump starts "标题: <the title>": the field name is not part of the agency."""
_NOT_AGENCY_PREFIX = re.compile(r"^(?:关于|发布|公布)|(?:关于|的)$")


@dataclass(frozen=True)
class Identity:
    agency: str
    year: int | None
    region: str


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
            if len(agency) >= 2:
                return agency, int(match["year"])
    return None


def region_of(agency: str) -> str:
    """The leading place name of an agency (a city, else its province, a zone), or "" if none."""
    province = _PROVINCE.match(agency)
    rest = agency[province.end():] if province else agency
    match = _REGION.match(rest)
    if match:
        return match.group(0)
    return province.group(0) if province else ""


def _year_from_text(text: str) -> int | None:
    years = Counter(int(y) for y in _YEAR_IN_TEXT.findall(text[:3000]))
    return years.most_common(1)[0][0] if years else None


def detect_identity(title: str, text: str) -> Identity:
    """Agency, year and region from the title, else the first lines, else the most cited year."""
    for candidate in _title_candidates(title, text):
        found = _from_title(candidate)
        if found:
            agency, year = found
            return Identity(agency=agency, year=year, region=region_of(agency))
    return Identity(agency="", year=_year_from_text(text), region="")
