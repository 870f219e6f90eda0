"""consents selectors (filled in by its issue)."""
