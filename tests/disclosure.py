"""An independent checker for published figures: can a hidden cell be worked out from everything shown?

Every figure a view shows is an equation: the sum of one measure over the view's förvaltningar is this
number. Add what anyone knows (a förvaltning's completions are the sum of its completions per role, per
gender, per month; its staff the sum of its units) and solve: a cell that a förvaltning's own view
hides must stay unknown, unless the equations make it 0 (a cell of nobody gives no one away).
"""

from __future__ import annotations

from fractions import Fraction

K = 5


class Published:
    """Figures read from the pages, exports and API: (set of förvaltningar, key) -> number or None (hidden)."""

    def __init__(self):
        self.figures: dict[tuple[frozenset, tuple], int | None] = {}
        self.where: dict[tuple[frozenset, tuple], str] = {}

    def add(self, rows: frozenset, key: tuple, value: int | None, surface: str) -> None:
        """Record one figure; the same figure on two surfaces must agree, hidden or not."""
        seen = self.figures.get((rows, key), value)
        assert seen == value, (f"{surface} shows {value} for {key} over {sorted(rows)}, "
                               f"{self.where[rows, key]} shows {seen}")
        self.figures[rows, key] = value
        self.where.setdefault((rows, key), surface)

    def hidden_cells(self) -> set[tuple]:
        """(förvaltning, key) that a one-förvaltning view hides."""
        return {(next(iter(rows)), key) for (rows, key), value in self.figures.items()
                if len(rows) == 1 and value is None}

    def solved(self, identities: list[dict]) -> dict[tuple, Fraction]:
        """Every (förvaltning, key) cell that the shown figures and the identities determine, with its value."""
        equations = [({(row, key): Fraction(1) for row in rows}, Fraction(value))
                     for (rows, key), value in self.figures.items() if value is not None]
        equations += [({cell: Fraction(c) for cell, c in identity.items()}, Fraction(0)) for identity in identities]
        known: dict[tuple, Fraction] = {}
        changed = True
        while changed:  # substitution first: most cells are shown on their own and the system shrinks fast
            changed = False
            reduced = []
            for terms, constant in equations:
                constant -= sum(c * known[v] for v, c in terms.items() if v in known)
                terms = {v: c for v, c in terms.items() if v not in known and c}
                if len(terms) == 1:
                    (v, c), = terms.items()
                    known[v] = constant / c
                    changed = True
                elif terms:
                    reduced.append((terms, constant))
            equations = reduced
        return {**known, **_rref_determined(equations)}


def _rref_determined(equations: list[tuple[dict, Fraction]]) -> dict:
    """The variables that a linear system fixes, by Gauss-Jordan elimination over the rationals."""
    variables = sorted({v for terms, _c in equations for v in terms}, key=str)
    rows = [([terms.get(v, Fraction(0)) for v in variables], constant) for terms, constant in equations]
    pivots = []
    r = 0
    for col in range(len(variables)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][0][col]), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        coefs, constant = rows[r]
        scale = coefs[col]
        rows[r] = ([c / scale for c in coefs], constant / scale)
        for i in range(len(rows)):
            if i != r and rows[i][0][col]:
                factor = rows[i][0][col]
                rows[i] = ([a - factor * b for a, b in zip(rows[i][0], rows[r][0])], rows[i][1] - factor * rows[r][1])
        pivots.append((r, col))
        r += 1
    determined = {}
    for row, col in pivots:
        coefs, constant = rows[row]
        if all(not c for j, c in enumerate(coefs) if j != col):
            determined[variables[col]] = constant
    return determined
