"""The report back to the council (återrapport): participation figures from every source, text, CSV, PDF, snapshots."""
