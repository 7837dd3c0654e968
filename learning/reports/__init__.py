"""Completion and coverage reports for HR and coordinators."""
