"""The monthly chart: right for 1, 2, 12, 13 and 36 months, with years in its labels, bars of a set width,
a fixed height, and the table beside it showing the bars' numbers."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from learning.reports import chart
from tests.helpers import login, make_user
from tests.survey_builders import completed_learner


def months(count: int, start=(2024, 1)) -> list[str]:
    year, month = start
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@pytest.mark.parametrize("count", [1, 2, 12, 13, 36])
def test_bars_keep_their_width_and_the_height_is_fixed(count):
    trend = [(m, 5 + i % 7) for i, m in enumerate(months(count))]
    bars = chart.bars(trend)
    assert len(bars) == count
    assert all(0 < bar.width <= chart.MAX_BAR for bar in bars)
    assert chart.HEIGHT == 190 and all(bar.y >= chart.TOP and bar.y + bar.height <= chart.BASE for bar in bars)
    # Bars do not overlap, and the drawing holds them all.
    assert all(a.x + a.width < b.x for a, b in zip(bars, bars[1:]))
    assert bars[-1].x + bars[-1].width <= chart.width(trend)
    # Labels carry the year; the last month is always labelled; at most 13 labels.
    labelled = [bar.label for bar in bars if bar.labelled]
    assert bars[-1].labelled and len(labelled) <= 13
    assert all(re.fullmatch(r"[a-zåäö]{3} \d{4}", label) for label in labelled)
    # The tallest bar is the largest number.
    assert max(bars, key=lambda b: b.height).value == max(n for _m, n in trend)


def test_one_month_is_one_ordinary_bar_labelled_with_its_year():
    (bar,) = chart.bars([("2026-12", 7)])
    assert bar.label == "dec 2026" and bar.width <= chart.MAX_BAR
    assert chart.width([("2026-12", 7)]) < 100  # no stretch of empty space


def test_the_page_chart_and_table_show_the_same_numbers(app):
    # 13 months: five completions in every third month, one in the others.
    for index, month in enumerate(months(13, (2025, 3))):
        for k in range(5 if index % 3 == 0 else 1):
            completed_learner(app, f"k{index}-{k}@malmo.se", "fsk",
                              datetime(int(month[:4]), int(month[5:]), 14, 10, tzinfo=timezone.utc))
    make_user(app, "samordnare@malmo.se", role="coordinator")
    client = app.test_client()
    login(client, "samordnare@malmo.se")
    page = client.get("/rapporter/grundkurs/?fran=2025-03&till=2026-03").get_data(as_text=True)
    svg = page[page.index("<svg"):page.index("</svg>")]
    bars = re.findall(r'<rect [^>]*width="([\d.]+)"[^>]*data-month="([\d-]+)" data-value="(\d*)"', svg)
    assert len(bars) == 13
    assert all(float(width) <= chart.MAX_BAR for width, _m, _v in bars)
    assert 'height="190"' in svg
    assert re.findall(r'class="axis">([^<]+)<', svg)[:2] == ["mar 2025", "apr 2025"]
    table = page[page.index("Klara per månad (samma siffror"):]
    table = table[:table.index("</table>")]
    cells = re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', table)
    assert [label for label, _n in cells] == [chart.month_label(m) for _w, m, _v in bars]
    assert [n for _l, n in cells] == [v or "för få" for _w, _m, v in bars]
    assert "5" in [n for _l, n in cells]  # the shown months are shown, not all hidden
