"""Question answering (parse → plan → answer) and the shells over it: console chat and Telegram."""
