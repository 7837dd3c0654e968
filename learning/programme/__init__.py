"""The whole training programme: every course, live session and group viewing in one council report."""
