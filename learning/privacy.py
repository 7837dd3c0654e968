"""Small-group protection shared by every report, export and API: k = 5, with secondary suppression.

A figure of 1 to K-1 people is never shown, nor one that can be worked out from figures that are
shown. Tables broken down per förvaltning are decided once, on the whole city's table (förvaltning ×
category, with the förvaltningar's totals and the city's totals as its margins): `hide_rows` for a
table whose rows are hidden whole, `protect` for a breakdown hidden cell by cell. Every view (one
förvaltning, several, the city) then reads its figures through `Decided.sum`, which shows a sum over
a set of förvaltningar only when it contains none or all of a column's hidden cells; so no view,
and no difference between views, gives back a hidden cell.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

K = 5
TOO_FEW = "för få svar"


def shown(count: int) -> int | None:
    """A count of people standing on its own (no total beside it): None when it is 1 to K-1."""
    return None if 0 < count < K else count


def _exposed(inner: list[int], margin: int | None, k: int) -> bool:
    """Whether the hidden cells of one line (total = sum of its cells) give a small group away.

    `inner` holds the hidden cells' counts, `margin` the line's total if it is hidden too. They give
    one away when one of them holds people and it is alone in its line (the total minus the shown
    cells is then that cell), or when the total is shown and they hold fewer than k people together
    (the difference is then a small group). Hidden cells that hold nobody protect nothing.
    """
    values = inner if margin is None else [*inner, margin]
    if not any(values):
        return False
    return len(values) < 2 or (margin is None and sum(inner) < k)


@dataclass(frozen=True)
class Decided:
    """A city-wide table of counts (row: förvaltning, column: category) and its cells hidden once."""

    cells: Mapping[tuple[Hashable, Hashable], int]
    hidden: frozenset  # (row, column) cells
    hidden_totals: frozenset = frozenset()  # columns whose city-wide total is hidden
    by_column: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        by_column: dict = {}
        for row, column in self.hidden:
            by_column.setdefault(column, set()).add(row)
        object.__setattr__(self, "by_column", by_column)

    def sum(self, rows: Iterable | None, column) -> int | None:
        """A column summed over a set of rows (None: the whole city); None if that would reveal a hidden cell.

        Such a sum adds nothing to what the city's table shows when the set holds none of the
        column's hidden cells (it is a sum of shown cells) or all of them (it is the city's total
        less shown cells). Any other set would give a hidden cell back by subtraction.
        """
        if rows is None:
            return None if column in self.hidden_totals else sum(
                n for (_row, c), n in self.cells.items() if c == column)
        rows = set(rows)
        hidden = self.by_column.get(column, set())
        if hidden & rows and (not hidden <= rows or column in self.hidden_totals):
            return None
        return sum(self.cells.get((row, column), 0) for row in rows)

    def holds(self, rows: Iterable | None, column) -> bool:
        """Whether a set of rows (None: the city) has people or a hidden cell in a column (it is then listed)."""
        if rows is None:
            return any(n for (_row, c), n in self.cells.items() if c == column)
        rows = set(rows)
        return bool(rows & self.by_column.get(column, set())) or any(
            self.cells.get((row, column), 0) for row in rows)


def hide_rows(rows: Mapping[Hashable, tuple[int, ...]], forced: Iterable = (), k: int = K) -> tuple[frozenset, bool]:
    """Rows hidden whole (each holds several measures, a column per measure) and whether the totals are.

    A row is hidden when any of its measures counts 1..k-1 people (or it is forced, e.g. because its
    total is hidden elsewhere); then more rows, smallest first, until in every measure the hidden rows
    are at least two and hold at least k people together, so that the column's total less the shown
    rows gives no small group back. If that cannot be reached, the totals are hidden too.
    """
    width = len(next(iter(rows.values()), ()))
    hidden = {key for key, values in rows.items() if any(0 < n < k for n in values)} | set(forced)

    def exposed() -> bool:
        return hidden and any(_exposed([rows[key][j] for key in hidden], None, k) for j in range(width))

    def size(values):  # the smallest group a row describes
        return min([n for n in values if n] or [0])

    others = sorted(((size(v) == 0, size(v), str(key), key) for key, v in rows.items() if key not in hidden),
                    key=lambda item: item[:3])
    while others and exposed():
        hidden.add(others.pop(0)[3])
    totals = [sum(values[j] for values in rows.values()) for j in range(width)]
    return frozenset(hidden), any(0 < n < k for n in totals) or bool(exposed())


# How a table of counts (key -> people) is decided: (the keys to hide, whether the table's total is hidden).
Decide = Callable[[dict], tuple[frozenset, bool]]
# key -> (people, the figure shown or None where hidden): what a published table shows, for another to check.
Shown = dict


def _forced_beside(values: dict, views: list[Shown]) -> set:
    """Keys whose figure would give another table's small group away.

    The other table shows a figure: this one must not differ from it by 1 to K-1 (the difference is a small
    group). It hides a figure: this one must not lie within K-1 of it (it would pin the hidden one down).
    """
    forced = set()
    for key, n in values.items():
        for view in views:
            people, shown = view.get(key, (0, 0))
            if (0 < abs(n - shown) < K) if shown is not None else (abs(n - people) < K and (n or people)):
                forced.add(key)
    return forced


def _stood_in(values: dict, hidden, view: Shown) -> bool:
    """Whether another table's shown figures, standing in for this one's hidden ones, give one away.

    A key hidden here but shown there within K-1 of this figure is as good as known; the rest of the
    hidden keys are then this table's hidden total less it, so they must still hold at least two groups
    with people and K people together.
    """
    known = {key for key in hidden if view.get(key, (0, None))[1] is not None
             and abs(values.get(key, 0) - view[key][1]) < K}
    rest = [values.get(key, 0) for key in hidden if key not in known and values.get(key, 0)]
    return bool(known) and bool(rest) and (len(rest) < 2 or sum(rest) < K)


def beside(views: list[Shown]) -> Decide:
    """Decide a table of rows hidden whole so that no other table published beside it gives a small group away.

    views: the other tables, each as key -> (people, the figure shown or None), over the same keys (for
    example the course's council report and its dashboard beside the programme's report).
    """
    def decide(values: dict) -> tuple[frozenset, bool]:
        forced = _forced_beside(values, views)
        while True:
            hidden, total_hidden = hide_rows({key: (n,) for key, n in values.items()}, forced=forced)
            more = sorted((n, str(key), key) for key, n in values.items() if n and key not in hidden)
            if total_hidden or not more or not any(_stood_in(values, hidden, view) for view in views):
                return hidden, total_hidden
            forced = set(hidden) | {more[0][2]}  # the smallest shown row goes too, and the rest is decided again
    return decide


MARGIN = ("", "margin")  # the key of the totals' row and column in `protect`; no förvaltning or category has it


def protect(cells: Mapping[tuple[Hashable, Hashable], int], rows: Iterable, columns: Iterable, *,
            row_totals: bool = True, forced: Iterable = (), total_hidden: bool = False, k: int = K) -> Decided:
    """Decide once which cells of a city-wide breakdown (förvaltning × category) are hidden.

    The table's lines are its columns (the city's total per category) and, when `row_totals` (a
    förvaltning's total is shown elsewhere), its rows and margins. Cells of 1..k-1 people are hidden, and
    every cell of a `forced` row (whose total is hidden elsewhere, so its cells must not add up to
    it); the grand total is hidden when `total_hidden`. Then more cells, smallest first, until no
    line gives a small group away (`_exposed`), and until no hidden cell with people in it can be
    solved from all lines together: in the graph of hidden cells (rows and columns as nodes) each
    such cell must lie on a cycle, which is when the equations leave it free.
    """
    rows, columns, forced = list(rows), list(columns), set(forced)
    value = {(r, c): cells.get((r, c), 0) for r in rows for c in columns}
    inner = set(value)
    for c in columns:
        value[MARGIN, c] = sum(value[r, c] for r in rows)
    for r in rows:
        value[r, MARGIN] = sum(value[r, c] for c in columns)
    value[MARGIN, MARGIN] = sum(value[r, MARGIN] for r in rows)
    hideable = set(inner) | {(MARGIN, c) for c in columns}
    hidden = {cell for cell in hideable if 0 < value[cell] < k} | {(r, c) for r in forced for c in columns}
    if row_totals:
        hidden |= {(r, MARGIN) for r in forced}
    if total_hidden:
        hidden.add((MARGIN, MARGIN))
    lines = [([(r, c) for r in rows], (MARGIN, c)) for c in columns]
    if row_totals:  # without them, neither the rows nor the grand total are published anywhere
        lines += [([(r, c) for c in columns], (r, MARGIN)) for r in rows]
        lines.append(([(r, MARGIN) for r in rows], (MARGIN, MARGIN)))
        lines.append(([(MARGIN, c) for c in columns], (MARGIN, MARGIN)))
    every_row, every_column = [*rows, MARGIN], [*columns, MARGIN]

    def crowded(cell) -> bool:  # already has hidden neighbours: hiding it opens no new line
        return any((cell[0], c) in hidden for c in every_column if c != cell[1]) or any(
            (r, cell[1]) in hidden for r in every_row if r != cell[0])

    def order(cell):
        return value[cell] == 0, not crowded(cell), cell[0] == MARGIN, value[cell], str(cell)

    def settle_lines() -> None:
        for cells_of_line, margin in lines:
            while _exposed([value[c] for c in cells_of_line if c in hidden],
                           value[margin] if margin in hidden else None, k):
                candidates = [c for c in [*cells_of_line, margin] if c in hideable and c not in hidden]
                if not candidates:
                    break  # nothing in this table can cover it; the caller hides the line's total
                hidden.add(min(candidates, key=order))

    unsolvable: set = set()
    while True:
        settle_lines()
        bridge = _bridge(hidden - unsolvable, value, row_totals)
        if bridge is None:
            break
        cell, left, right = bridge
        node = _nodes(row_totals)
        joining = [c for c in hideable - hidden
                   if {node[0](c[0]), node[1](c[1])} & left and {node[0](c[0]), node[1](c[1])} & right]
        if joining:
            hidden.add(min(joining, key=lambda c: (value[c] == 0, value[c], str(c))))
        else:
            unsolvable.add(cell)
    return Decided({cell: value[cell] for cell in inner}, frozenset(hidden & inner),
                   frozenset(c for r, c in hidden if r == MARGIN and c != MARGIN))


def _nodes(row_totals: bool):
    """Graph nodes of a cell's row and column; lines that nobody can add up meet in one free node."""
    def row(r):
        return ("row", r) if row_totals else "free"

    def column(c):
        return ("column", c) if c != MARGIN or row_totals else "free"

    return row, column


def _bridge(hidden: set, value: Mapping, row_totals: bool):
    """A hidden cell with people that the lines determine (a bridge), with both sides of it; None if none.

    Bridges found in one depth-first search (Tarjan's low-link), parallel cells kept apart by index.
    """
    row, column = _nodes(row_totals)
    edges = [(row(r), column(c), (r, c)) for r, c in sorted(hidden, key=str)]
    neighbours: dict = {}
    for index, (u, v, _cell) in enumerate(edges):
        neighbours.setdefault(u, []).append((v, index))
        neighbours.setdefault(v, []).append((u, index))
    order: dict = {}
    low: dict = {}
    bridges = []
    for root in neighbours:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack = [(root, -1, iter(neighbours[root]))]
        while stack:
            node, via, pending = stack[-1]
            for nxt, index in pending:
                if index == via:
                    continue
                if nxt not in order:
                    order[nxt] = low[nxt] = len(order)
                    stack.append((nxt, index, iter(neighbours[nxt])))
                    break
                low[node] = min(low[node], order[nxt])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        bridges.append(via)
    for index in sorted(bridges):
        u, v, cell = edges[index]
        if value[cell]:
            return cell, _reach(u, edges, index), _reach(v, edges, index)
    return None


def _reach(start, edges: list, skip: int) -> set:
    neighbours: dict = {}
    for index, (u, v, _cell) in enumerate(edges):
        if index != skip:
            neighbours.setdefault(u, []).append(v)
            neighbours.setdefault(v, []).append(u)
    seen, todo = {start}, [start]
    while todo:
        for nxt in neighbours.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
