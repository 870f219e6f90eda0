"""partners tasks (filled in by its issue)."""
