"""Configuration of the Telegram shell: environment variables over an optional TOML file.

The token is a secret: it is kept out of ``repr`` and every log line (see :mod:`.logsafe`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.db import default_db_path

DEFAULT_API = "https://api.telegram.org"

NO_TOKEN_HELP = (
    "未配置 Telegram 机器人令牌：请在 Telegram 中找 @BotFather 发送 /newbot 创建机器人，"
    "把得到的令牌设为环境变量 XXGK_BOT_TOKEN（或写入 --config 文件的 token）后再运行 `xxgk bot`；"
    "不用 Telegram 也可以用 `xxgk chat` 在终端提问。"
)


class ConfigError(Exception):
    """A configuration the bot cannot start with (one clear line)."""


def _ids(value: Any) -> frozenset[int]:
    """``"1, -100 2"`` or ``[1, -100]`` → ids; bad entries are a config error, not silently dropped."""
    if value in (None, ""):
        return frozenset()
    items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
    try:
        return frozenset(int(item) for item in items)
    except ValueError as exc:
        raise ConfigError(f"聊天/用户 id 必须是整数 / chat and user ids must be integers: {value!r}") from exc


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name}: expected true/false")


@dataclass(frozen=True)
class BotConfig:
    token: str = field(default="", repr=False)
    db_path: str = field(default_factory=default_db_path)
    api_base: str = DEFAULT_API
    allowed_chats: frozenset[int] = frozenset()
    allowed_users: frozenset[int] = frozenset()
    admins: frozenset[int] = frozenset()
    data_dir: str = "data"
    max_upload_mb: float = 20.0
    alert_interval: float = 30.0  # seconds between delivery runs
    alert_max_attempts: int = 8
    alert_backoff_base: float = 5.0  # seconds; doubled after every failed attempt
    rate_capacity: float = 8.0  # messages a chat may send in a burst
    rate_per_second: float = 0.5  # refill of a chat's bucket
    flood_overall_per_second: float = 30.0  # Telegram's global limit (AIORateLimiter)
    flood_group_per_minute: float = 20.0
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    listen: str = "0.0.0.0"
    port: int = 8443
    page_lines: int = 15  # lines per page of a long answer
    public: bool = False  # answer everyone, allowlist or not (uploads and subscriptions stay admin-only)

    @property
    def open_to_all(self) -> bool:
        """Only when the operator said so: an empty allowlist closes the bot to all but admins,
        so a forgotten setting never exposes it to the whole of Telegram."""
        return self.public


_ENV = {
    "XXGK_BOT_TOKEN": "token",
    "XXGK_DB": "db_path",
    "XXGK_BOT_API": "api_base",
    "XXGK_ALLOWED_CHATS": "allowed_chats",
    "XXGK_ALLOWED_USERS": "allowed_users",
    "XXGK_ADMINS": "admins",
    "XXGK_DATA_DIR": "data_dir",
    "XXGK_MAX_UPLOAD_MB": "max_upload_mb",
    "XXGK_ALERT_INTERVAL": "alert_interval",
    "XXGK_ALERT_MAX_ATTEMPTS": "alert_max_attempts",
    "XXGK_WEBHOOK_URL": "webhook_url",
    "XXGK_WEBHOOK_SECRET": "webhook_secret",
    "XXGK_WEBHOOK_LISTEN": "listen",
    "XXGK_WEBHOOK_PORT": "port",
    "XXGK_PUBLIC": "public",
}


def _coerce(name: str, value: Any) -> Any:
    kind = BotConfig.__dataclass_fields__[name].type
    try:
        if kind == "frozenset[int]":
            return _ids(value)
        if kind == "float":
            return float(value)
        if kind == "int":
            return int(value)
        if kind == "bool":
            return _flag(name, value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"配置项 {name} 的值无效 / invalid value for {name}: {value!r}") from exc
    return str(value)


def load_config(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> BotConfig:
    """TOML file (keys = field names, optionally under ``[bot]``), then env vars, then overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"无法读取配置文件 / cannot read config {path}: {exc}") from exc
        data = data.get("bot", data)
        unknown = set(data) - set(BotConfig.__dataclass_fields__)
        if unknown:
            raise ConfigError(f"配置文件含未知项 / unknown config keys: {', '.join(sorted(unknown))}")
        values.update(data)
    for var, name in _ENV.items():
        if env.get(var):
            values[name] = env[var]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return BotConfig(**{name: _coerce(name, value) for name, value in values.items()})
