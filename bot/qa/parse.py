"""parse: question text → :class:`Question` (what is asked, of whom, for which years)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from bot.qa.agencies import AgencyIndex, Mention
from bot.qa.metrics import MetricChoice, understand
from bot.qa.text import canonical
from bot.qa.years import find_years, recent_years, versus_previous, year_range

_INTENTS = (
    ("flags", r"读不准|读得不准|没读出|读不出|未读出|没能读|未能读|没有读出|读取存疑|存疑|没识别|识别不了|未识别|不确定的数|读错"),
    ("why", r"(为什么|为何|怎么会|怎么|什么原因|原因).{0,12}(收到|新收|申请|受理|处理|办结|办理|答复)"
            r".{0,12}(多|少|不一样|不同|不等|差|对不上)"),
    ("failed_checks", r"校验|(没|未|不)通过|核验失败|检查失败|勾稽|对不上|不一致|有(什么)?问题|出错|错误|异常"),
    ("missing", r"缺.{0,6}(年报|报告)|(没有|没|未)(提交|发布|报送|上报).{0,6}(年报|报告)|漏报"),
    ("ranking", r"排名|排行|排序|最多|最少|最高|最低|前\d+名?|前[一二三四五六七八九十]+名|top"),
    ("trend", r"趋势|历年|变化|逐年|每年|走势|历史"),
    ("compare", r"对比|比较|相比|差别|区别|vs"),
)


@dataclass
class Question:
    raw: str
    text: str  # canonical form
    years: list[int] = field(default_factory=list)
    span: tuple[int, int] | None = None  # 2019到2023年
    intent: str = "value"  # value | rate | trend | compare | ranking | failed_checks | missing
    choice: MetricChoice = field(default_factory=MetricChoice)
    mentions: list[Mention] = field(default_factory=list)
    ascending: bool = False  # ranking: 最少/最低
    top: int = 10
    versus_previous: bool = False  # 比上年 / 同比: the year asked against the one before
    recent: int | None = None  # 近三年: the latest N reports
    masked: str = ""  # the canonical text with its years as '#', for finding words nothing understood
    mention_years: list[int | None] = field(default_factory=list)  # the year written after each mention


def parse(question: str, index: AgencyIndex, today: datetime.date) -> Question:
    text = canonical(question)
    q = Question(raw=question, text=text)
    versus = versus_previous(text)
    if versus:  # "比去年" is a comparison, not a second year
        text = text[: versus.start()] + "#" * (versus.end() - versus.start()) + text[versus.end():]
        q.versus_previous = True
    q.recent = recent_years(text)
    q.years = [y.year for y in find_years(text, today)]
    if q.versus_previous and len(q.years) == 1:
        q.years.append(q.years[0] - 1)
    q.span = year_range(text)
    masked = q.masked = _without_years(text, today)
    q.mentions = index.mentions(masked)
    q.mention_years = _years_of_mentions(q.mentions, find_years(text, today))
    q.choice = understand(_mask_mentions(masked, q.mentions, index))
    q.intent = _intent(text, q)
    q.ascending = bool(re.search(r"最少|最低|倒数", text))
    m = re.search(r"前(\d+)", text)
    if m:
        q.top = max(1, min(int(m.group(1)), 50))
    return q


def _intent(text: str, q: Question) -> str:
    for intent, pattern in _INTENTS:
        if re.search(pattern, text):
            return intent
    if q.span or q.recent:
        return "trend"
    if q.versus_previous:
        return "compare"
    if q.choice.rate:
        return "rate"
    if len(q.mentions) >= 2 or len(q.years) >= 2:
        return "compare"
    return "value"


def _years_of_mentions(mentions: list[Mention], years: list) -> list[int | None]:
    """"聊城市人民政府2020年…和平潭2023年比": each agency with the year written right after it
    (before the next agency).  Only when every mention has its own year; otherwise the years
    are shared (``2020年聊城城管局和淄博城管局``) and the list is empty."""
    if len(mentions) < 2 or len(years) != len(mentions):
        return []
    paired: list[int | None] = []
    for n, m in enumerate(mentions):
        end = mentions[n + 1].start if n + 1 < len(mentions) else 10**6
        own = [y.year for y in years if m.start < y.start < end]
        if len(own) != 1:
            return []
        paired.append(own[0])
    return paired


def _without_years(text: str, today: datetime.date) -> str:
    """Years replaced by '#' so 2019 is not read as part of a name and positions stay put."""
    for y in find_years(text, today):
        text = text[: y.start] + "#" * (y.end - y.start) + text[y.end:]
    return text


def _mask_mentions(text: str, mentions: list[Mention], index: AgencyIndex) -> str:
    """Agency tokens hidden so 信访局 is not read as the metric 信访."""
    for m in mentions:
        if m.token:
            text = text.replace(m.token, "#" * len(m.token))
    return text
