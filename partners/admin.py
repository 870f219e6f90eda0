"""partners admin (filled in by its issue)."""
