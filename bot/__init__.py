"""Question answering (parse → plan → answer) and the shells over it: console chat and Telegram."""

import store  # noqa: E402,F401  (first: sqlite-utils imported without numpy, see store.startup)
