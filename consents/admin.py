"""consents admin (filled in by its issue)."""
