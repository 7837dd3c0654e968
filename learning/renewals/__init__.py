"""Refresher cycles: a course whose completion expires, and the renewals that make it valid again."""
