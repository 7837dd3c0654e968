"""Mina sidor: the learner's own progress, profile and data export."""
