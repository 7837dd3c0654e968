"""The read-only JSON API under /api/v1/ and the personal tokens that open it."""
