"""consents tasks (filled in by its issue)."""
