"""Why ``xxgk bot`` could not start: one line saying what is wrong and what to do, and an exit code.

python-telegram-bot reports a failed start (its first call, getMe) as an exception whose
traceback runs to a few hundred lines and prints the token.  An operator needs to know which of a
handful of things went wrong, and a supervisor (systemd, a container restart policy, a script)
needs to tell them apart without reading text: each has its own exit code, listed in the operator's
guide (deploy/README.md, "Troubleshooting").  The token never appears in the line.
"""

from __future__ import annotations

import errno
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut

from bot.telegram.config import DEFAULT_API, BotConfig
from bot.telegram.logsafe import RedactToken

CONFIG_ERROR = 2  # cli/bot_cmd.py exits with it for a missing token or setting, before any call
TOKEN_REJECTED = 3
NO_NETWORK = 4
API_REFUSED = 5
API_TIMEOUT = 6
TELEGRAM_ERROR = 7
WEBHOOK_UNAVAILABLE = 8  # the webhook's own address cannot be listened on


@dataclass(frozen=True)
class StartFailure:
    code: int
    message: str


def explain(exc: TelegramError, config: BotConfig) -> StartFailure:
    """The one-line reason (token redacted) and exit code for a Telegram error at start."""
    failure = _classify(exc, config)
    return StartFailure(failure.code, RedactToken(config.token).redact(failure.message))


def explain_listen(exc: OSError, config: BotConfig) -> StartFailure | None:
    """The one line for a webhook server that cannot listen (None: not that kind of error)."""
    where = f"{config.listen}:{config.port}"
    if exc.errno == errno.EADDRINUSE:
        return StartFailure(WEBHOOK_UNAVAILABLE, (
            f"webhook 端口 {where} 已被占用：请停止占用它的程序，或用 XXGK_WEBHOOK_PORT 换一个端口 "
            f"/ the webhook port {where} is already in use"))
    if exc.errno == errno.EACCES:
        return StartFailure(WEBHOOK_UNAVAILABLE, (
            f"无权监听 webhook 端口 {where}（1024 以下的端口需要特权）：请换一个端口 "
            f"/ no permission to listen on {where}"))
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return StartFailure(WEBHOOK_UNAVAILABLE, (
            f"本机没有地址 {config.listen}：请检查 XXGK_WEBHOOK_LISTEN / cannot listen on {where}: no such address"))
    return None


def _classify(exc: TelegramError, config: BotConfig) -> StartFailure:
    api = config.api_base.rstrip("/")
    where = urlparse(api).netloc or api
    custom = api != DEFAULT_API
    if isinstance(exc, InvalidToken):
        hint = f"；若 XXGK_BOT_API（{api}）指向的不是 Bot API 服务，请改正它" if custom else ""
        return StartFailure(TOKEN_REJECTED, (
            f"Telegram 拒绝了机器人令牌：请在 @BotFather 核对（/token 可重新生成）并更新 XXGK_BOT_TOKEN{hint} "
            f"/ the bot token was rejected by {where}"))
    if isinstance(exc, TimedOut):
        return StartFailure(API_TIMEOUT, (
            f"{where} 没有在时限内回答：请检查网络、代理或防火墙，或 XXGK_BOT_API 是否指向正确的服务 "
            f"/ {where} did not answer in time"))
    if isinstance(exc, NetworkError):
        return _network(exc, api, where)
    return StartFailure(TELEGRAM_ERROR, f"Telegram 出错，机器人未能启动：{exc} / Telegram error at start")


def _network(exc: NetworkError, api: str, where: str) -> StartFailure:
    causes = list(_chain(exc))
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return StartFailure(API_REFUSED, (
            f"{where} 拒绝连接（该端口没有服务在监听）：请检查 XXGK_BOT_API（现为 {api}）和该服务是否在运行 "
            f"/ connection refused by {where}"))
    if any(isinstance(c, socket.gaierror) for c in causes):
        return StartFailure(NO_NETWORK, (
            f"无法解析 {where}：本机没有网络或 DNS 不可用，请检查网络、DNS 或代理设置 "
            f"/ cannot resolve {where}: no network or DNS"))
    return StartFailure(NO_NETWORK, (
        f"无法连接 {where}：请检查网络、代理或防火墙（{_last(causes)}）/ cannot reach {where}"))


class QuietBootstrap(logging.Filter):
    """Drops python-telegram-bot's own report of a failed start (a traceback with the token's
    place in it): ``xxgk bot`` says what went wrong in one line instead (:func:`explain`).
    Retries while running (getUpdates after a network drop) are still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno >= logging.ERROR and "(Bootstrap" in record.getMessage())


def quiet_bootstrap_tracebacks() -> None:
    logger = logging.getLogger("telegram.ext")
    if not any(isinstance(f, QuietBootstrap) for f in logger.filters):
        logger.addFilter(QuietBootstrap())


def _chain(exc: BaseException):
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _last(causes: list[BaseException]) -> str:
    innermost = causes[-1]
    return f"{type(innermost).__name__}: {innermost}".strip().rstrip(":")
