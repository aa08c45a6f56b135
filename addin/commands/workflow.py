"""dyxx workflow commands (being written)."""
