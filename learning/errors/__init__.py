"""Error pages in Swedish."""
