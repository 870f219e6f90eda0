"""consents forms (filled in by its issue)."""
