"""Keep the bot token out of logs.

httpx logs every request URL at INFO, and Bot API URLs contain the token
(``…/bot123:ABC/sendMessage``).  We silence httpx below WARNING and, belt and braces, install a
filter on every root handler that replaces any token-looking text with ``<token>``.
"""

from __future__ import annotations

import logging
import re

_TOKEN_RE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{3,}")


class RedactToken(logging.Filter):
    """Rewrites a record's message so neither the configured token nor any token-shaped text
    survives (a token seen in a URL we did not expect is still a token)."""

    def __init__(self, token: str = "") -> None:
        super().__init__()
        self.token = token

    def redact(self, text: str) -> str:
        if self.token:
            text = text.replace(self.token, "<token>")
        return _TOKEN_RE.sub("<token>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            clean_exc = self.redact(logging.Formatter().formatException(record.exc_info))
            clean = f"{clean}\n{clean_exc}"
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = clean, ()
        return True


def install(token: str) -> RedactToken:
    """Redact on every root handler (creating a basic one if none) and quiet httpx."""
    for name in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    guard = RedactToken(token)
    for handler in root.handlers:
        if not any(isinstance(f, RedactToken) for f in handler.filters):
            handler.addFilter(guard)
    return guard
