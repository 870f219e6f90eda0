"""partners forms (filled in by its issue)."""
