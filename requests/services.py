"""requests services (filled in by its issue)."""
