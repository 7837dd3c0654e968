"""The staff list: who works where, for headcounts and coverage."""
