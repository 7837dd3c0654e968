"""Small-group protection shared by every report, export and API: k = 5, with secondary suppression."""

from __future__ import annotations

from dataclasses import dataclass

K = 5
TOO_FEW = "för få svar"


def shown(count: int) -> int | None:
    """A count of people standing on its own (no total beside it): None when it is 1 to K-1."""
    return None if 0 < count < K else count


@dataclass(frozen=True)
class Suppression:
    """Which rows of a breakdown may be shown, and whether the total may."""

    hidden: frozenset
    total_hidden: bool


def suppress(counts: dict, k: int = K) -> Suppression:
    """Hide rows with 1..k-1 people, then more rows until the hidden ones together hold at least k.

    Rows with no people describe nobody and stay visible. Without the extra hidden rows, the total
    minus the visible rows would give back a group of fewer than k people. If that cannot be
    reached, the total is hidden too.
    """
    total = sum(counts.values())
    hidden = {key for key, n in counts.items() if 0 < n < k}
    others = sorted((n, str(key), key) for key, n in counts.items() if key not in hidden and n > 0)
    while hidden and sum(counts[key] for key in hidden) < k and others:
        hidden.add(others.pop(0)[2])
    total_hidden = 0 < total < k or (bool(hidden) and sum(counts[key] for key in hidden) < k)
    return Suppression(frozenset(hidden), total_hidden)
