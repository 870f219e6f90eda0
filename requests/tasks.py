"""requests tasks (filled in by its issue)."""
