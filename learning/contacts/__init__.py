"""Local contacts as settings: the text behind each {{kontakt:key}} in the course, per organisation and förvaltning."""
