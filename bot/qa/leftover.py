"""Words of a question that nothing understood, so the answer can say so.

A parser that keys on the words it knows answers "淮安市人民政府2024年人员编制多少人" with the
report's overview and "收费标准" with the 收费金额: the words it did not know were dropped in
silence.  Here every stretch of the question that is not an agency, a year, a figure's word, a
question word or a particle is collected; the core then refuses what the reports do not hold
and names the ignored words in any other answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.qa.metrics import vocabulary
from bot.qa.parse import _INTENTS
from bot.qa.years import _RANGE_RE, _RECENT, _VERSUS_PREVIOUS
from store.catalogue import derived

_GLUE = (
    r"多少|几件|几个|几项|几次|几成|几|一共|共计|总共|合计|请问|请|查询|查一下|查查|查看|告诉我|帮我|我想知道|想知道|"
    r"想问|问一下|看看|看一下|数量|数目|数字|数据|数值|情况|报告|年报|年度报告|工作|年度|本年度|上年度|本年|全年|当年|"
    r"政府信息公开|政府信息|信息公开|依申请公开|依申请|相关|政府|申请人|申请|收到|受理|总数|总量|总额|金额|万元|亿元|元|"
    r"分别|哪个|哪些|哪一个|哪家|谁|什么|怎样|如何|怎么|为什么|为何|到底|究竟|一下|有没有|是否|是不是|多不多|大概|"
    r"大约|左右|目前|现在|截至|截止|年底|其中|以及|各部门|各单位|各地|各区县|各县区|各个|所有|全部|全市|全省|全区|"
    r"本级|本机关|本单位|单位|部门|机关|排名|排行|前\d+名?|倒数|比上一?年|同比|比去年|相比|比较|对比|比|多|少|"
    r"一样|不同|不等|差|原因|是|有|的|了|吗|呢|吧|啊|呀|嘛|在|被|因|对|向|给|从|由|把|将|和|与|跟|同|及|等|各|"
    r"该|这|那|里|中|人|件|个|项|次|份|数|量|总|率|年|共|能|会|要|想|问|查|看|\d+|公开|处理|办理|提供"
)
"""Question words, particles and units: understood as carrying no figure."""

NOT_A_FIGURE = re.compile(r"标准|依据|办法|政策|流程|程序|规定|条例|目录|清单|名单|名称|内容|预算|计划|目标|指南|范围|地址|电话|网址")
"""Words that turn a figure's name into something the reports do not count: 收费标准 is a fee
schedule, not 收费金额; 采购预算 is not 采购总金额."""

_LEADING = "的了是有在被因对向给从由把将和与跟同及各该这那年请"
_TRAILING = "的了吗呢吧啊呀嘛是有在中里等件个项次份共年人"
"""Particles trimmed off the ends of an unknown stretch ("年的人员编制是" → "人员编制")."""

_TIME = (_RANGE_RE.pattern, _RECENT.pattern, _VERSUS_PREVIOUS.pattern, r"(?:最?近|过去)[两二三四五六七八九十\d]{1,2}年?",
         r"历年|每年|逐年|以来|最近|近年|近几年|行政事业性|事业性|结果|结案|案件|人民法院|法院|判决|裁定|复议机关")


@derived
def _known() -> re.Pattern[str]:
    return re.compile("|".join(sorted({*vocabulary(), *_TIME, *(p for _, p in _INTENTS),
                                       *(w for w in _GLUE.split("|") if len(w) >= 2)}, key=len, reverse=True)))


_GLUE_RE = re.compile(f"(?:{_GLUE})+")
_RUN = re.compile(r"[^#|·]+")


def unread_words(masked: str, understood: Iterable[str]) -> list[str]:
    """The words of ``masked`` (a canonical question, years as '#') that are neither in
    ``understood`` (agency tokens, places, phrases matched fuzzily) nor known words, in order.
    A lone character left between known words (被, 因, 人) is grammar, not a word."""
    agencies = masked
    for piece in sorted({p for p in understood if p}, key=len, reverse=True):
        agencies = agencies.replace(piece, "#" * len(piece))
    known = _known().sub(lambda m: "#" * len(m.group(0)), masked)  # on the whole text: 上年结转 after a name
    text = "".join("#" if "#" in (a, k) else c for c, a, k in zip(masked, agencies, known, strict=True))
    words = []
    for run in _RUN.findall(text):
        word = _unglued(run)
        if len(word) >= 2 and word not in words:
            words.append(word)
    return words


def _unglued(run: str) -> str:
    """A stretch without the particles around it: "年的人员编制是" → "人员编制"; nothing when
    it is glue only."""
    word = run.lstrip(_LEADING).rstrip(_TRAILING)
    return "" if not word or _GLUE_RE.fullmatch(word) else word


def not_a_figure(words: list[str]) -> str | None:
    """The first ignored word that names something other than a figure (标准, 预算 …)."""
    return next((w for w in words if NOT_A_FIGURE.search(w)), None)
