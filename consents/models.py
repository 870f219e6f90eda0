"""consents models (filled in by its issue)."""
