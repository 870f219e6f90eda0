"""partners services (filled in by its issue)."""
