"""English words in questions, as the Chinese words the parser knows.

Officers paste English from briefings ("洪泽区 2024 FOI requests") and foreign journalists ask in
English ("How many applications did 聊城市人民政府 receive in 2020?").  The parser reads Chinese,
so the words for the main figures, years and kinds of question are put in Chinese before it
runs; glue words (did, the, in …) carry nothing and go.  An English word not listed here stays
in the question, and the answer names it among the words it did not understand.
"""

from __future__ import annotations

import re
from functools import lru_cache

_PHRASES: tuple[tuple[str, str], ...] = (
    # question words and glue
    (r"how many|how much|number of|amount of|total number of|total amount of", "多少"),
    (r"why", "为什么"),
    (r"which|what|who", "哪些"),
    (r"the year before last", "前年"),
    (r"last year|previous year", "去年"),
    (r"this year", "今年"),
    (r"versus|vs\.?|compared? (?:to|with)|comparisons?|compare[sd]?|against", "对比"),
    (r"and", "和"),
    (r"trends?|over the years|year by year|history|historical", "趋势"),
    (r"top (\d+)", r"前\1名"),
    (r"rank(?:ing|ings|ed|s)?|league table", "排名"),
    (r"most|highest", "最多"),
    (r"least|fewest|lowest", "最少"),
    # rates and shares
    (r"disclosure rate|openness rate|release rate", "公开率"),
    (r"(?:review )?correction rate", "纠错率"),
    (r"shares?|proportion|percentage|ratio", "占比"),
    # table 3: applications and their outcomes
    (r"carried (?:forward|over) (?:in)?to (?:the )?next year|pending at year end|still pending", "结转下年度"),
    (r"carried over|brought forward|carry-?over", "上年结转"),
    (r"(?:freedom of information|foia?|information disclosure|disclosure|open government information) "
     r"(?:requests?|applications?)", "政府信息公开申请"),
    (r"(?:requests?|applications?) received|new (?:requests?|applications?)", "收到申请"),
    (r"requests?|applications?|requested|applied", "申请"),
    (r"freedom of information|foia?|information disclosure|open government information", "政府信息公开"),
    (r"receiv(?:e[sd]?|ing)|got|get", "收到"),
    (r"partially (?:granted|disclosed|released)|partial(?:ly)?(?: disclosure)?", "部分公开"),
    (r"(?:granted|disclosed|released) in full|fully (?:granted|disclosed)|grant(?:ed|s)?|disclos(?:ed|e)|releas(?:ed|e)",
     "予以公开"),
    (r"refus(?:e[sd]?|als?)|den(?:ied|y|ies)|denials?|withh(?:e|o)ld|not disclosed", "不予公开"),
    (r"unable to provide|not held|does not exist", "无法提供"),
    (r"not processed|rejected|rejections?", "不予处理"),
    (r"handled|processed|answered|responded|responses?|replies|completed|closed", "办结"),
    # table 4: appeals
    (r"administrative (?:reviews?|reconsiderations?)|reviews?|reconsiderations?|appeals?", "行政复议"),
    (r"administrative (?:lawsuits?|litigations?)|lawsuits?|litigations?|law ?suits?|court cases?|sued", "行政诉讼"),
    (r"corrected|overturned|reversed", "纠正"),
    (r"upheld|maintained|affirmed", "维持"),
    # table 2: proactive disclosure
    (r"(?:government |public )?procurement(?: amount| value| spending)?|purchasing", "采购总金额"),
    (r"(?:administrative )?fees?(?: collected| income)?|charges", "收费金额"),
    (r"licen[cs](?:es|ing)|permits?", "行政许可"),
    (r"penalt(?:y|ies)|sanctions?|fines", "行政处罚"),
    (r"coercive measures?|enforcement", "行政强制"),
    (r"normative documents?|regulatory documents?", "规范性文件"),
    # applicants
    (r"individuals?|natural persons?|citizens?|private persons?", "自然人"),
    (r"companies|company|enterprises?|businesses", "企业"),
    (r"law firms?|lawyers?|legal services?", "律师"),
    (r"research institutions?|research institutes?", "科研机构"),
    (r"legal persons?|organi[sz]ations?", "法人"),
    # audit
    (r"failed checks?|checks? failed|did not pass|failed|fail|inconsisten(?:t|cy|cies)|errors?", "没通过校验"),
    (r"missing reports?|missing", "缺年报"),
    # units and agencies
    (r"100 million yuan|hundred million yuan|yi yuan", "亿元"),
    (r"10,?000 yuan|ten thousand yuan|wan yuan", "万元"),
    (r"yuan|rmb|cny", "元"),
    (r"people's government|government", "政府"),
    (r"agencies|departments|bureaus|authorities", "各单位"),
    (r"annual reports?|reports?", "年报"),
    # glue: carries nothing
    (r"did|does|do|is|are|was|were|has|have|had|be|been|the|a|an|of|in|for|by|to|from|with|at|on|its|their|"
     r"there|many|much|total|number|year|years|agency|department|please|tell me|show me|show|give me|give", ""),
)

_WORD = re.compile(r"[A-Za-z]")
_BETWEEN_WORDS = re.compile(r"(?<=[A-Za-z])\s+|\s+(?=[A-Za-z])")


@lru_cache(maxsize=1)
def _table() -> re.Pattern[str]:
    """Every phrase as one pattern, compiled on the first question with Latin letters (about
    10 ms: a Chinese question in a new ``xxgk ask`` process need not pay it)."""
    return re.compile("|".join(f"(?P<p{n}>(?<![A-Za-z])(?:{pattern})(?![A-Za-z]))"
                               for n, (pattern, _) in enumerate(_PHRASES)), re.IGNORECASE)


def _replace(match: re.Match[str]) -> str:
    n = int(match.lastgroup[1:])  # type: ignore[index]
    pattern, chinese = _PHRASES[n]
    if "\\1" in chinese:  # "top 5" → 前5名
        return re.sub(pattern, chinese, match.group(0), flags=re.IGNORECASE)
    return chinese


def to_chinese(text: str) -> str:
    """English words replaced by their Chinese (``FOI requests`` → ``政府信息公开申请``);
    text without Latin letters passes unchanged."""
    if not _WORD.search(text):
        return text
    # words left in English stay apart ("no network", not "nonetwork") once spaces are dropped
    return _BETWEEN_WORDS.sub("·", _table().sub(_replace, text))
