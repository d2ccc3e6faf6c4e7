"""Numbers the narrative states about requests and appeals, read from the report's prose.

The checks (ingest/checks.py, ``text_vs_table.*``) compare them with the tables, and the digit
splitter (ingest/splitting.py) uses a stated total to choose among a row's candidate cuts.  Only
sentences that clearly speak of a count are read: 收到/受理/新收/接收…(政府)信息公开申请 N 件|条
(or N 件…申请 right after the verb); 上年结转 N 件; 结转下年度 N 件; 行政复议 N 件; (行政)诉讼
N 件; 无/未发生…行政复议/行政诉讼 = 0.  Skipped, because their number is not the table's total:
counts qualified in between (1条书面形式…申请), comparisons with last year, combined 复议和诉讼共
N 件, outcome sub-counts (尚未审结…).  Chinese numerals go through the shared parser
(store/numerals.py), the same one the question parser uses.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from store.numerals import cn_number

_NUM = r"(\d+|[零〇一二两三四五六七八九十]+)"
_NOUN = r"(?:政府信息公开|信息公开|依申请公开)(?:申请|件)"
_VERB = r"(?:收到|受理|新收|接收|接到)"
_AFTER_NOUN = r"(?:共计|合计|总计|共|总数|总量|数量|数为|为|达|:|和上年度?结转的?(?:申请)?件?)*"
_UNIT = r"(?:件|条)"
NEW_PATTERNS = (
    re.compile(rf"{_VERB}[^,;:。!?\d]{{0,20}}?{_NOUN}{_AFTER_NOUN}{_NUM}{_UNIT}"),
    re.compile(rf"{_VERB}(?:、?并?(?:处理|办理|答复))?(?:共计|共)?{_NUM}{_UNIT}{_NOUN}"),
)
NEW_NONE = re.compile(rf"(?:未|没有|无)(?:收到|受理|接到|接收)[^,;。\d]{{0,10}}?{_NOUN}")
CARRIED_OVER = re.compile(rf"上一?年度?结转的?(?:政府信息公开)?(?:申请)?(?:共|为)?{_NUM}件")
CARRIED_FORWARD = re.compile(rf"结转(?:至|到)?下一?年度?(?:继续)?(?:办理|答复)?的?(?:申请)?(?:共|为)?{_NUM}件")
REVIEW = re.compile(rf"行政复议(?:案件|申请)?(?:共计|共|合计)?{_NUM}(?:件|起|宗|次)")
SUIT = re.compile(rf"(行政)?诉讼(?:案件)?(?:共计|共|合计)?{_NUM}(?:件|起|宗|次)")
APPEALS_NONE = re.compile(r"(?:无|(?<!尚)未(?!审结|结案|办结|经)|没有)[^,;。\d]{0,16}?(行政复议|行政诉讼)(?:[^,;。\d]{0,8}?(行政复议|行政诉讼))?")
OUTCOME_WORDS = re.compile(r"纠正|纠错|败诉|撤销|确认违法")
SUB_COUNT = re.compile(r"尚未|审结|维持|纠正|纠错|败诉|撤销|其他结果")
EARLIER = re.compile(r"上年|去年|上一年|同比|较|比")
_SENTENCE_END = re.compile(r"[。!?;\n]")
_SPACE_NOT_IN_NUMBER = re.compile(r"(?<!\d)\s+|\s+(?!\d)")
_CLAUSE = re.compile(r"[,:]")


def sentences(narrative: str) -> list[str]:
    """NFKC text cut at 。!?; and line ends, with spaces removed except between two digits."""
    text = unicodedata.normalize("NFKC", narrative)
    out = []
    for piece in _SENTENCE_END.split(text):
        piece = _SPACE_NOT_IN_NUMBER.sub("", piece)
        if piece:
            out.append(piece)
    return out


def _about_earlier_year(sentence: str, start: int) -> bool:
    """True when the clause before a match compares with last year (比上年、同比 …)."""
    clause = _CLAUSE.split(sentence[:start])[-1]
    return bool(EARLIER.search(clause))


def narrative_statements(narrative: str) -> list[tuple[str, int, str]]:
    """``(topic, number, sentence)`` for each count the narrative states; topics: new,
    carried_over, carried_forward, review, suit.  Duplicates (same topic and number) dropped."""
    found: dict[tuple[str, int], str] = {}

    def add(topic: str, number: int | None, sentence: str) -> None:
        if number is not None:
            found.setdefault((topic, number), sentence)

    for sentence in sentences(narrative):
        for pattern in NEW_PATTERNS:
            for m in pattern.finditer(sentence):
                if not _about_earlier_year(sentence, m.start()):
                    add("new", cn_number(m.group(1)), sentence)
        if NEW_NONE.search(sentence):
            add("new", 0, sentence)
        for topic, pattern in (("carried_over", CARRIED_OVER), ("carried_forward", CARRIED_FORWARD)):
            for m in pattern.finditer(sentence):
                add(topic, cn_number(m.group(1)), sentence)
        _appeal_statements(sentence, add)
    return [(topic, number, sentence) for (topic, number), sentence in found.items()]


def _appeal_statements(sentence: str, add: Any) -> None:
    for m in REVIEW.finditer(sentence):
        if _about_earlier_year(sentence, m.start()) or _sub_count(sentence, m.start()):
            continue
        if not _combined(sentence, m.start(), "行政诉讼"):
            add("review", cn_number(m.group(1)), sentence)
    for m in SUIT.finditer(sentence):
        bare = m.group(1) is None
        if bare and "行政复议" not in sentence and "行政诉讼" not in sentence:
            continue
        if _about_earlier_year(sentence, m.start()) or _sub_count(sentence, m.start()):
            continue
        if not _combined(sentence, m.start(), "行政复议"):
            add("suit", cn_number(m.group(2)), sentence)
    for m in APPEALS_NONE.finditer(sentence):
        if OUTCOME_WORDS.search(_CLAUSE.split(sentence[m.end():])[0]):
            continue  # "无一起行政复议被纠正" speaks of outcomes, not of the count
        named = {g for g in m.groups() if g}
        if "行政复议" in named:
            add("review", 0, sentence)
        if "行政诉讼" in named:
            add("suit", 0, sentence)


def _sub_count(sentence: str, start: int) -> bool:
    """True for "尚未审结的行政复议1件": a count of one outcome, not of all cases."""
    return bool(SUB_COUNT.search(_CLAUSE.split(sentence[:start])[-1]))


def _combined(sentence: str, start: int, other: str) -> bool:
    """True for "行政复议和行政诉讼共3件": the other kind is named just before, without its own number."""
    at = sentence.rfind(other, 0, start)
    return at >= 0 and not re.search(r"\d", sentence[at:start])
