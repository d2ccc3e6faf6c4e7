"""Chinese text for answers: numbers, sources, the help message."""

from __future__ import annotations

from bot.answer import Source

EXAMPLES = (
    "聊城市人民政府2020年收到多少政府信息公开申请？",
    "聊城市人民政府2020年公开率是多少",
    "2023年哪些报告没通过校验",
)


def source_text(src: Source | None) -> str:
    """One line per cell: ``来源：file（kind）表 · 行 · 列，第N行，原文“x”``."""
    if src is None or not src.locations:
        return ""
    head = f"来源：{src.file or '（未知文件）'}（{src.kind}）{src.table}"
    lines = [head]
    for loc in src.locations[:12]:
        where = []
        if loc.get("page"):
            where.append(f"第{loc['page']}页")
        if loc.get("line"):
            where.append(f"第{loc['line']}行")
        elif "source_row" in loc:
            where.append(f"表{loc.get('source_table', 0) + 1}第{loc['source_row'] + 1}行")
        raw = "空白，按0计" if loc.get("blank") and not loc.get("raw") else f"原文“{loc.get('raw', '')}”"
        if loc.get("blank") and loc.get("raw"):
            raw += "（空白，按0计）"
        lines.append(f"  · {loc['row']} · {loc['column']}{'，' + ''.join(where) if where else ''}，{raw}")
    return "\n".join(lines)


def help_text(understood: list[str], missing: str) -> str:
    parts = []
    if understood:
        parts.append("已理解：" + "，".join(understood) + "。")
    parts.append(missing)
    parts.append("可以这样问：" + " / ".join(EXAMPLES))
    return "\n".join(parts)
