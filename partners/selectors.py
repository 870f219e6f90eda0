"""partners selectors (filled in by its issue)."""
