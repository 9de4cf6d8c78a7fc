"""meshcommons meshctl."""
