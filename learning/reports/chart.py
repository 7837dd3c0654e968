"""The monthly bar chart's geometry, in CSS pixels: a fixed height, bars of a set width whether there is 1 month
or 36, and month labels with their year. A chart wider than the page scrolls in its own box (like a wide table).

The page's Content-Security-Policy allows no inline styles, so sizes are SVG attributes computed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from learning.timeutil import MONTHS

HEIGHT = 190  # the same for any number of months
TOP, BASE = 24, 150  # room above the tallest bar for its number; the baseline, above the month labels
MARGIN = 10
FEW = 13  # up to this many months: a wide slot, every month labelled, the number above each bar
WIDE_SLOT, NARROW_SLOT = 60, 24
MAX_BAR = 40  # no bar wider than this


@dataclass(frozen=True)
class Bar:
    """One month's bar; value None is a hidden (too small) figure, drawn as no bar."""

    month: str
    label: str
    value: int | None
    x: float
    width: float
    height: float
    labelled: bool

    @property
    def y(self) -> float:
        return BASE - self.height

    @property
    def middle(self) -> float:
        return self.x + self.width / 2


def month_label(month: str) -> str:
    """'2026-12' -> 'dec 2026'."""
    return f"{MONTHS[int(month[5:]) - 1][:3]} {month[:4]}"


def _slot(count: int) -> int:
    return WIDE_SLOT if count <= FEW else NARROW_SLOT


def width(trend: list) -> int:
    """The drawing's width in pixels."""
    return 2 * MARGIN + len(trend) * _slot(len(trend))


def values_shown(trend: list) -> bool:
    """Whether each bar has its number above it (only while there is room)."""
    return len(trend) <= FEW


def bars(trend: list[tuple[str, int | None]]) -> list[Bar]:
    """The bars of a trend of (YYYY-MM, count or None)."""
    top = max((n for _m, n in trend if n), default=0)
    slot = _slot(len(trend))
    bar = min(slot * 0.66, MAX_BAR)
    step = 1 if len(trend) <= FEW else 3  # with many months, every third is labelled (the last one always)
    return [Bar(month, month_label(month), n, MARGIN + index * slot + (slot - bar) / 2, bar,
                (n or 0) / top * (BASE - TOP) if top else 0, (len(trend) - 1 - index) % step == 0)
            for index, (month, n) in enumerate(trend)]
