"""Swedish plurals through one helper: 0, 1 and 2 in the helper, the council text and the pages that count."""

from __future__ import annotations

import pytest

from learning.council.text import council_text
from learning.words import antal, plural
from tests.editor_builders import editor_client
from tests.helpers import login, make_user, take_quiz


@pytest.mark.parametrize(("n", "expected"), [(0, "0 personer"), (1, "1 person"), (2, "2 personer"),
                                             (1800, "1 800 personer")])
def test_plural_picks_the_noun_by_the_count(n, expected):
    assert plural(n, "person", "personer") == expected


def test_a_hidden_figure_reads_too_few():
    assert antal(None, "person", "personer") == "för få"


def figures(n: int) -> dict:
    """Council figures with every count n (sessions too), as figures.compute shapes them."""
    source = {"participants": n, "sessions": n, "named": 0, "counted": n}
    return {
        "period": {"start": "2026-07", "end": "2026-12"},
        "sources": [{"key": key, **source} for key in ("web", "group", "grundutbildning", "workshop", "fordjupning")],
        "total": n, "counted_once_less": 0, "visits": {"unique": n, "visits": n},
        "gender": [{"key": key, "share": None} for key in ("kvinna", "man", "okant")],
        "survey": {"rate": None, "responses": None, "items": []}, "themes": [],
    }


@pytest.mark.parametrize(("n", "phrases"), [
    (0, ["Totalt deltog 0 personer", "0 personer slutförde webbutbildningen",
         "0 unika besökare"]),
    (1, ["Totalt deltog 1 person i", "1 person slutförde webbutbildningen", "och 1 person gick den",
         "1 person deltog i den digitala", "vid 1 tillfälle.", "1 unik besökare"]),
    (2, ["Totalt deltog 2 personer", "2 personer slutförde webbutbildningen", "vid 2 tillfällen",
         "2 unika besökare"]),
])
def test_the_council_text_agrees_with_its_numbers(n, phrases):
    text = council_text(figures(n))
    for phrase in phrases:
        assert phrase in text
    if n == 1:
        assert "1 personer" not in text and "1 tillfällen" not in text and "1 unika" not in text


@pytest.mark.parametrize(("learners", "expected"), [(0, "0 personer har gjort testet"),
                                                    (1, "1 person har gjort testet"),
                                                    (2, "2 personer har gjort testet")])
def test_the_quiz_analysis_counts_people_in_the_right_number(app, learners, expected):
    for k in range(learners):
        make_user(app, f"deltagare{k}@malmo.se")
        client = app.test_client()
        login(client, f"deltagare{k}@malmo.se")
        take_quiz(client, app, "del-1")
    page = editor_client(app).get("/rapporter/grundkurs/kunskapstest").get_data(as_text=True)
    assert expected in page


def test_a_part_with_one_question_says_one_question(app, learner, client):
    page = client.get("/kurs/grundkurs/del-1").get_data(as_text=True)
    assert " frågor." in page  # the shipped parts have several questions
    assert "1 frågor" not in page
