"""Group viewing: a learner registers colleagues who took the course with them at one screen."""
