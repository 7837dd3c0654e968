"""Live sessions (tillfällen): registration, attendees, counts per förvaltning and attendance import."""
