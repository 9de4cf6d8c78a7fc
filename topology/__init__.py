"""meshcommons topology."""
