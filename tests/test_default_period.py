"""Sensible default periods, stated in words: never "januari 2000" on a page, in the council text or the PDF title."""

from __future__ import annotations

from learning.periods import current_half_year
from learning.timeutil import stockholm_month
from tests.helpers import login, make_user
from tests.survey_builders import completed_learner
from tests.report_builders import MARCH


def _coordinator(app):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    client = app.test_client()
    login(client, "samordnare@malmo.se")
    return client


def test_the_dashboard_starts_where_the_course_began(app):
    completed_learner(app, "klar@malmo.se", "fsk", MARCH)
    month = stockholm_month()
    page = _coordinator(app).get("/rapporter/grundkurs/").get_data(as_text=True)
    assert "2000" not in page
    assert "Perioden är mars 2026–" in page or "Perioden är mars–" in page
    assert 'name="fran" value="2026-03"' in page and f'name="till" value="{month}"' in page


def test_the_council_report_defaults_to_the_current_half_year_in_words(app):
    half = current_half_year(stockholm_month())
    words = ("januari–juni " if half.start.endswith("01") else "juli–december ") + half.start[:4]
    client = _coordinator(app)
    page = client.get("/rapporter/grundkurs/aterrapport").get_data(as_text=True)
    assert f"<h1>Återrapport: deltagande {words}</h1>" in page
    assert f"under {words}" in page
    assert "2000" not in page


def test_current_half_year():
    assert (current_half_year("2026-11").start, current_half_year("2026-11").end) == ("2026-07", "2026-12")
    assert (current_half_year("2026-06").start, current_half_year("2026-06").end) == ("2026-01", "2026-06")
