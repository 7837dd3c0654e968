"""Throttling failed sign-ins without letting a stranger lock anybody out."""
