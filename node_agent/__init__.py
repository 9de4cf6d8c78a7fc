"""meshcommons node_agent."""
