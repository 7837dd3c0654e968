"""The anonymous evaluation survey: answering, results with small-group protection, free text."""
