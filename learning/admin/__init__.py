"""Operator pages: accounts, roles and HR scopes."""
