"""meshcommons tui."""
