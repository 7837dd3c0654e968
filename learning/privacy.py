"""Small-group protection shared by every report, export and API: k = 5, with secondary suppression."""

from __future__ import annotations

from dataclasses import dataclass

K = 5
TOO_FEW = "för få svar"


@dataclass(frozen=True)
class Suppression:
    """Which rows of a breakdown may be shown, and whether the total may."""

    hidden: frozenset
    total_hidden: bool


def suppress(counts: dict, k: int = K) -> Suppression:
    """Hide rows with 1..k-1 people; if exactly one is hidden while the total is shown, hide the next smallest.

    Rows with no people describe nobody and stay visible. Without the second hidden row, the total
    minus the visible rows would give the hidden one back.
    """
    total = sum(counts.values())
    hidden = {key for key, n in counts.items() if 0 < n < k}
    total_hidden = 0 < total < k
    if len(hidden) == 1 and not total_hidden:
        others = sorted((n, str(key), key) for key, n in counts.items() if key not in hidden and n > 0)
        if others:
            hidden.add(others[0][2])
    return Suppression(frozenset(hidden), total_hidden)
