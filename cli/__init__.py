"""The ``xxgk`` console command: one group, a module per subcommand."""

import store  # noqa: E402,F401  (first: sqlite-utils imported without numpy, see store.startup)
