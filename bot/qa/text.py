"""Text normalisation shared by questions and agency names.

Both sides go through the same :func:`canonical` so that an abbreviation in a question
(城管局, 人社局, 市监局) and the official name in the database (城市管理局 …) meet in one form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc

from bot.qa.english import to_chinese

MAX_QUESTION_CHARS = 200
"""Questions are short; a 50,000-character paste is cut here before any matching runs."""

TYPOS: dict[str, str] = {"事物管理": "事务管理", "事物局": "事务局"}
"""Frequent one-character slips that are cheaper to fix than to fuzz."""

ABBREVIATIONS: dict[str, str] = {
    # official long form (or a variant)  →  canonical short form
    "人民政府": "政府",
    "城市管理局": "城管局",
    "城市管理行政执法局": "城管执法局",
    "城市管理综合行政执法局": "城管执法局",
    "机关事务管理局": "机关事务局",
    "人力资源和社会保障局": "人社局",
    "人力资源社会保障局": "人社局",
    "住房和城乡建设局": "住建局",
    "住房城乡建设局": "住建局",
    "住房和城乡建设委员会": "住建委",
    "发展和改革委员会": "发改委",
    "发展改革委员会": "发改委",
    "发展和改革局": "发改局",
    "市场监督管理局": "市场监管局",
    "市监局": "市场监管局",
    "卫生健康委员会": "卫健委",
    "卫生和健康委员会": "卫健委",
    "卫生和计划生育委员会": "卫计委",
    "大数据管理局": "大数据局",
    "大数据发展管理局": "大数据局",
    "教育和体育局": "教体局",
    "自然资源和规划局": "自然资源局",
    "交通运输局": "交通局",
    "农业农村局": "农业局",
    "文化和旅游局": "文旅局",
    "文化旅游局": "文旅局",
    "退役军人事务局": "退役军人局",
    "应急管理局": "应急局",
    "医疗保障局": "医保局",
    "行政审批服务局": "审批局",
    "科学技术局": "科技局",
    "工业和信息化局": "工信局",
    "国有资产监督管理委员会": "国资委",
    "人民防空办公室": "人防办",
    "地方金融监督管理局": "金融局",
    "外事办公室": "外办",
    "生态环境局": "环保局",
    "环境保护局": "环保局",
    "政府办公室": "政府办",
    "人民政府办公厅": "政府办",
    "人民政府办公室": "政府办",
    "政府办公厅": "政府办",
    "政府办": "政府办",  # consumed whole, so the next entry does not see its 府办
    "府办": "政府办",  # 市府办, 区府办
}

_ABBREV_RE = re.compile("|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True)))
_TYPO_RE = re.compile("|".join(re.escape(k) for k in TYPOS))
_DROP = re.compile(r"[\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\ufeff]+")
_SEPARATORS = re.compile(r"[，,；;、/|]+")
_PUNCT = re.compile(r"[。.．？?！!：:\"'“”‘’《》〈〉（）()\[\]【】{}<>~`@#$%^&*_+=\\…—\-]+")


def clean(text: str) -> str:
    """NFKC (full-width digits, Kangxi radicals), 繁體 as simplified, English words as the
    Chinese words they stand for, no control characters or whitespace, cut to
    :data:`MAX_QUESTION_CHARS`.  Punctuation is kept: it separates words.

    English goes before whitespace is dropped: "did 聊城市人民政府 receive" needs its spaces to
    be read word by word."""
    text = _SURROGATES.sub("", unicodedata.normalize("NFKC", str(text)[: MAX_QUESTION_CHARS * 4]))
    return _DROP.sub("", to_chinese(simplified(text)))[:MAX_QUESTION_CHARS]


_SURROGATES = re.compile(r"[\ud800-\udfff]")
"""Lone surrogates are not characters (no encoding can carry them); the converter would fail."""


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters as simplified (大數據局 → 大数据局), by OpenCC's maintained
    tables; simplified text passes unchanged, so questions and agency names still meet."""
    return _converter().convert(text) if _HAN.search(text) else text


def canonical(text: str) -> str:
    """:func:`clean`, punctuation removed (list separators become ``|``), typos fixed and
    abbreviations unified."""
    text = _SEPARATORS.sub("|", _PUNCT.sub("", clean(text))).lower()
    text = _TYPO_RE.sub(lambda m: TYPOS[m.group(0)], text)
    return _ABBREV_RE.sub(lambda m: ABBREVIATIONS[m.group(0)], text)
