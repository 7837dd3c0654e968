"""Assigned training: rules that assign a course to part of the staff list, due dates, reminders, managers."""
