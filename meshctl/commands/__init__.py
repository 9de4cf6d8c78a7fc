"""meshctl subcommands, one module per command group (registered lazily in
:data:`meshctl.cli.LAZY_COMMANDS`)."""
