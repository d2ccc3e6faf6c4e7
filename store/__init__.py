"""Storage: the canonical cell catalogue and the SQLite database every answer comes from."""
