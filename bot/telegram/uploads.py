"""Admins send a report file; the bot stores it in the data folder and ingests it.

The file name comes from the sender, so it is reduced to a safe base name (no directories, no
``..``, no control characters) and the final path is checked to lie inside the uploads folder.
Parsing runs in a worker thread with its own database connection, so a slow PDF does not stall
other chats.  An admin often sends a dozen files at once: they are not rate-limited but queued,
one at a time per chat in the order sent, and every file gets its own outcome (a full queue is
said so, never dropped silently).
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram import auth
from bot.telegram.config import BotConfig
from store.db import open_db

log = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".html", ".htm", ".txt")
_UNSAFE = re.compile(r"[^\w.\-()（）\u4e00-\u9fff]+")
MAX_FILE_NAME_BYTES = 255
"""What Linux (ext4, xfs, tmpfs) allows for one name — in bytes: a Chinese character takes 3."""
STAMP_BYTES = len("20260101T000000000000-")
"""The prefix :func:`upload_path` puts before the name."""
MAX_SUFFIX_BYTES = 10
MAX_QUEUED_UPLOADS = 50
"""Files one chat may have waiting or in progress; beyond that the admin is asked to resend later."""


@dataclass
class _Queue:
    """One chat's uploads: the lock admits one ingest at a time (asyncio.Lock is first come,
    first served), ``held`` counts the files waiting or in progress."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    held: int = 0


def cut_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[: max(limit, 0)].decode("utf-8", "ignore")


def safe_name(name: str | None, max_bytes: int = MAX_FILE_NAME_BYTES - STAMP_BYTES) -> str:
    """A file name that cannot escape a folder (``../../etc/passwd`` → ``passwd``) and fits in
    ``max_bytes`` UTF-8 bytes, its suffix kept."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip("._ ")
    if not name:
        name = "upload"
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix.encode()) > MAX_SUFFIX_BYTES:
        return cut_bytes(name, max_bytes)
    return cut_bytes(stem, max_bytes - len(suffix.encode()) - 1) + "." + suffix


def upload_path(data_dir: str, name: str) -> Path:
    """``<data_dir>/uploads/<UTC stamp>-<safe name>``, guaranteed inside the uploads folder and
    within the file system's name limit."""
    folder = (Path(data_dir) / "uploads").resolve()
    prefix = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-"
    path = (folder / (prefix + safe_name(name, MAX_FILE_NAME_BYTES - len(prefix.encode())))).resolve()
    if path.parent != folder:
        raise ValueError("upload path escapes the data folder")
    return path


def _ingest(db_path: str, name: str, data: bytes):  # -> IngestOutcome
    from ingest.pipeline import ingest_bytes
    from store.identity.persisted import keep as keep_agency_index

    db = open_db(db_path)
    try:
        outcome = ingest_bytes(db, data, name, origin="upload")
        if outcome.ok:  # off the event loop: the next question loads the agencies' index
            keep_agency_index(db)
        return outcome
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
    """Check the sender and the file at once; queue the download and ingest behind the chat's
    earlier uploads; always answer with the outcome."""
    config: BotConfig = context.bot_data["config"]
    message = update.message
    document = message.document
    if not auth.is_admin(config, update.effective_user.id if update.effective_user else None):
        await message.reply_text("只有管理员可以上传报告。")
        return
    name = safe_name(document.file_name)
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        await message.reply_text(f"未导入 {name}：只接受 PDF、DOCX、DOC、WPS、HTML、TXT 格式的报告文件。")
        return
    if document.file_size and document.file_size > _limit(config):
        await message.reply_text(f"未导入 {name}：文件过大（上限 {config.max_upload_mb:g} MB）。")
        return
    queues: dict[int, _Queue] = context.bot_data.setdefault("upload_queues", {})
    queue = queues.setdefault(message.chat_id, _Queue())
    if queue.held >= MAX_QUEUED_UPLOADS:
        await message.reply_text(f"未导入 {name}：上传队列已满（{MAX_QUEUED_UPLOADS} 个文件），请稍后再发送。")
        return
    ahead = queue.held
    queue.held += 1
    try:
        if ahead:
            await message.reply_text(f"已收到 {name}，排队中（前面还有 {ahead} 个文件）。")
        async with queue.lock:
            try:
                await _take(update, context, name)
            except TelegramError:
                raise  # the reply itself failed: the error handler logs it
            except Exception:  # one broken file must not leave the rest of a batch unanswered
                log.exception("upload %s failed", name)
                await message.reply_text(f"无法导入 {name}：处理时出错了，请稍后再试。")
    finally:
        queue.held -= 1
        if not queue.held:
            queues.pop(message.chat_id, None)


def _limit(config: BotConfig) -> int:
    return int(config.max_upload_mb * 1024 * 1024)


async def _take(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> None:
    """Download, keep and ingest one file, then answer with its outcome."""
    config: BotConfig = context.bot_data["config"]
    message = update.message
    try:
        remote = await message.document.get_file()
        data = bytes(await remote.download_as_bytearray())
    except TelegramError as exc:
        await message.reply_text(f"无法下载文件 {name}：{exc.message}")
        return
    if len(data) > _limit(config):
        await message.reply_text(f"未导入 {name}：文件过大（上限 {config.max_upload_mb:g} MB）。")
        return
    path = upload_path(config.data_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    await message.reply_text(f"正在读取 {name} …")
    outcome = await asyncio.to_thread(_ingest, config.db_path, name, data)
    await message.reply_text(summary(outcome))
    if outcome.alert_id and context.job_queue:
        from bot.telegram.commands import deliver_alerts

        context.job_queue.run_once(deliver_alerts, 0)
