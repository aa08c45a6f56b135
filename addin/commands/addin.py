"""dyxx addin commands (being written)."""
