"""Swedish numbers and plurals: one helper for templates (the `antal` filter) and for generated text alike."""

from __future__ import annotations

# Nouns whose plural is the singular (1 svar, 2 svar) need no entry: pass the same word twice or use number().
NBSP = "\u00a0"


def number(n: int, space: str = " ") -> str:
    """1800 -> '1 800', as Swedish official texts write numbers (space: what separates the thousands)."""
    return f"{n:,}".replace(",", space)


def plural(n: int, one: str, many: str, *, space: str = " ") -> str:
    """'0 personer', '1 person', '2 personer': the count and the noun (or phrase) in the right number."""
    return f"{number(n, space)} {one if n == 1 else many}"


def antal(n: int | None, one: str, many: str) -> str:
    """The template filter: {{ n|antal('person', 'personer') }}; None (a hidden figure) reads 'för få'."""
    return "för få" if n is None else plural(n, one, many)
