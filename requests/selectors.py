"""requests selectors (filled in by its issue)."""
