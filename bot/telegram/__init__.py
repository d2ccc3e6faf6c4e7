"""The Telegram shell: a python-telegram-bot Application over :mod:`bot.qa` and the store,
with reliable delivery of validation alerts (see :mod:`bot.telegram.delivery`)."""
