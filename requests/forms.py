"""requests forms (filled in by its issue)."""
