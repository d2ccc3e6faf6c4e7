"""Answers → Telegram messages: plain text (no parse mode, so report text can never break
markup), a source line, pages of at most ``page_lines`` lines, and inline keyboards whose
``callback_data`` carries ids only (Telegram allows 64 bytes)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer import Answer, Source

MAX_MESSAGE_CHARS = 3800  # Telegram's hard limit is 4096; leave room for the page footer
MAX_CALLBACK_BYTES = 64


def _where(location: dict) -> str:
    if location.get("page"):
        return f"第{location['page']}页"
    if location.get("line"):
        return f"第{location['line']}行"
    if location.get("row") is not None and location.get("table") is not None:
        return f"表{int(location['table']) + 1}第{int(location['row']) + 1}行"
    return ""


def source_line(source: Source | None) -> str:
    """``来源：file（kind）· table · rows · column · 第3页`` — empty when nothing is known."""
    if source is None or not (source.file or source.table):
        return ""
    parts = [f"{source.file}（{source.kind}）" if source.kind else source.file]
    parts += [p for p in (source.table, "、".join(source.rows[:4]), source.column) if p]
    places = sorted({w for w in (_where(loc) for loc in source.locations) if w})
    if places:
        parts.append("、".join(places[:4]))
    return "来源：" + " · ".join(p for p in parts if p)


def render_answer(answer: Answer) -> str:
    """The full reply text: the answer, its caveats, and where the numbers came from."""
    lines = [answer.text.strip()]
    extra = [c for c in answer.caveats if c and c not in answer.text]
    lines += [f"注：{c}" for c in extra]
    cite = source_line(answer.source)
    if cite and "来源" not in answer.text:
        lines.append(cite)
    return "\n".join(line for line in lines if line)


def paginate(text: str, page_lines: int, max_chars: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split on line boundaries into pages of ≤ ``page_lines`` lines and ≤ ``max_chars``."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines() or [""]:
        for chunk in [line[i : i + max_chars] for i in range(0, len(line), max_chars)] or [""]:
            if current and (len(current) >= page_lines or size + len(chunk) + 1 > max_chars):
                pages.append("\n".join(current))
                current, size = [], 0
            current.append(chunk)
            size += len(chunk) + 1
    pages.append("\n".join(current))
    return pages


def with_footer(pages: list[str], index: int) -> str:
    if len(pages) == 1:
        return pages[0]
    return f"{pages[index]}\n（第 {index + 1}/{len(pages)} 页）"


def _data(*parts: object) -> str:
    data = ":".join(str(p) for p in parts)
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError("callback_data too long")
    return data


def page_keyboard(key: int, index: int, total: int) -> InlineKeyboardMarkup | None:
    """◀ / ▶ buttons for page ``index`` of ``total`` of the reply stored under ``key``."""
    if total <= 1:
        return None
    buttons = []
    if index > 0:
        buttons.append(InlineKeyboardButton("◀ 上一页", callback_data=_data("pg", key, index - 1)))
    if index < total - 1:
        buttons.append(InlineKeyboardButton("下一页 ▶", callback_data=_data("pg", key, index + 1)))
    return InlineKeyboardMarkup([buttons])


def clarify_keyboard(audit_id: int, choices: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One button per candidate agency: ``cl:<audit id of the question>:<agency id>``."""
    rows = [[InlineKeyboardButton(name, callback_data=_data("cl", audit_id, ident))] for ident, name in choices]
    return InlineKeyboardMarkup(rows)
