"""The ``xxgk`` console command: one group, a module per subcommand."""
