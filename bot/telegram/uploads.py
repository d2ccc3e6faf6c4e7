"""Admins send a report file; the bot stores it in the data folder and ingests it.

The file name comes from the sender, so it is reduced to a safe base name (no directories, no
``..``, no control characters) and the final path is checked to lie inside the uploads folder.
Parsing runs in a worker thread with its own database connection, so a slow PDF does not stall
other chats.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram import auth
from bot.telegram.config import BotConfig
from store.db import open_db

ACCEPTED_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".html", ".htm", ".txt")
_UNSAFE = re.compile(r"[^\w.\-()（）\u4e00-\u9fff]+")
MAX_NAME_CHARS = 120


def safe_name(name: str | None) -> str:
    """A file name that cannot escape a folder: ``../../etc/passwd`` → ``passwd``."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip("._ ")
    if not name:
        name = "upload"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(name) > MAX_NAME_CHARS:
        name = stem[: MAX_NAME_CHARS - len(suffix) - 1] + "." + suffix
    return name[:MAX_NAME_CHARS]


def upload_path(data_dir: str, name: str) -> Path:
    """``<data_dir>/uploads/<UTC stamp>-<safe name>``, guaranteed inside the uploads folder."""
    folder = (Path(data_dir) / "uploads").resolve()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = (folder / f"{stamp}-{safe_name(name)}").resolve()
    if path.parent != folder:
        raise ValueError("upload path escapes the data folder")
    return path


def _ingest(db_path: str, name: str, data: bytes):  # -> IngestOutcome
    from ingest.pipeline import ingest_bytes

    db = open_db(db_path)
    try:
        return ingest_bytes(db, data, name, origin="upload")
    finally:
        db.close()


def summary(outcome) -> str:
    """The reply to an upload: agency, year, cells read, failed checks — or the one-line error."""
    if not outcome.ok:
        return f"无法导入 {outcome.file}：{outcome.error}"
    verb = {"new": "已导入", "superseded": "已导入（替换了旧版本）", "unchanged": "此文件已导入过，未改变"}
    lines = [
        f"{verb.get(outcome.outcome, outcome.outcome)}：{outcome.agency} {outcome.year} 年（{outcome.format} 版表格）",
        f"读取单元格 {outcome.cells} 个" + (f"，存疑 {outcome.flagged} 个" if outcome.flagged else ""),
    ]
    if outcome.failed_checks:
        lines.append(f"未通过校验 {len(outcome.failed_checks)} 项：")
        lines += [f"· {c['message']}" for c in outcome.failed_checks[:10]]
        if outcome.alert_id:
            lines.append("已向订阅的聊天发送提醒。")
    elif outcome.outcome != "unchanged":
        lines.append("校验全部通过。")
    return "\n".join(lines)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    config: BotConfig = context.bot_data["config"]
    message = update.message
    document = message.document
    if not auth.is_admin(config, update.effective_user.id if update.effective_user else None):
        await message.reply_text("只有管理员可以上传报告。")
        return
    name = safe_name(document.file_name)
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        await message.reply_text("只接受 PDF、DOCX、DOC、WPS、HTML、TXT 格式的报告文件。")
        return
    limit = int(config.max_upload_mb * 1024 * 1024)
    if document.file_size and document.file_size > limit:
        await message.reply_text(f"文件过大（上限 {config.max_upload_mb:g} MB）。")
        return
    try:
        remote = await document.get_file()
        data = bytes(await remote.download_as_bytearray())
    except TelegramError as exc:
        await message.reply_text(f"无法下载文件：{exc.message}")
        return
    if len(data) > limit:
        await message.reply_text(f"文件过大（上限 {config.max_upload_mb:g} MB）。")
        return
    path = upload_path(config.data_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    await message.reply_text(f"正在读取 {name} …")
    outcome = await asyncio.to_thread(_ingest, config.db_path, name, data)
    await message.reply_text(summary(outcome))
    if outcome.alert_id and context.job_queue:
        from bot.telegram.handlers import deliver_alerts

        context.job_queue.run_once(deliver_alerts, 0)
