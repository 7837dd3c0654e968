"""Certificates: the learner's own, and public verification by code."""
