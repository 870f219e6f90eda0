"""partners models (filled in by its issue)."""
