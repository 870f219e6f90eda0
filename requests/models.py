"""requests models (filled in by its issue)."""
