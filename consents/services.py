"""consents services (filled in by its issue)."""
