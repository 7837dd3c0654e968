"""Survey results on a hand-built fixture: exact figures, small groups hidden on page, CSV and XLSX."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.helpers import login, make_user
from tests.survey_builders import completed_learner, released_response

URL = "/utvardering/grundkurs/"
PERIOD = "?halvar=2026-1"  # January-June 2026


@pytest.fixture
def city(app):
    """3 förvaltningar, 23 completions (10 + 8 + 5), 9 responses (5 + 3 + 1) in March 2026."""
    for org, count in (("fsk", 10), ("gsf", 8), ("kul", 5)):
        for n in range(count):
            completed_learner(app, f"{org}{n}@malmo.se", org)
    for nojd, anv in ((5, 4), (4, 4), (4, 3), (5, 5), (3, 4)):
        released_response(app, "fsk", {"nojd": nojd, "anvandning": anv}, {"behov": "Mer tid på APT."})
    for nojd, anv in ((5, 3), (5, 4), (4, 4)):
        released_response(app, "gsf", {"nojd": nojd, "anvandning": anv})
    released_response(app, "kul", {"nojd": 2, "anvandning": 1}, {"bra": "Kort och tydligt"})
    make_user(app, "samordnare@malmo.se", role="coordinator")
    return app


def _coordinator(app):
    client = app.test_client()
    login(client, "samordnare@malmo.se")
    return client


def test_figures_equal_hand_computed_values(city):
    page = _coordinator(city).get(URL + PERIOD).get_data(as_text=True)
    # Overall: nöjd (5+4+4+5+3 + 5+5+4 + 2) / 9 = 37/9 = 4.11; användning (4+4+3+5+4 + 3+4+4 + 1) / 9 = 32/9 = 3.56
    assert "Hur nöjd är du med denna utbildning? Medelvärde: 4,11 av 5 (9 svar)." in page
    assert "Kommer du ha användning för detta i ditt arbete? Medelvärde: 3,56 av 5 (9 svar)." in page
    assert "Svarsfrekvens: 39,1 % (9 svar av 23 som har klarat kursen)" in page
    # Total distribution of nöjd: one 2, one 3, three 4s, four 5s.
    total = page.split('<th scope="row">Totalt</th>')[1].split("</tr>")[0]
    assert "<td>4,11</td><td>9</td>" in total and "<td>0</td><td>1</td><td>1</td><td>3</td><td>4</td>" in total


def test_small_groups_are_hidden_on_the_page(city):
    page = _coordinator(city).get(URL + PERIOD).get_data(as_text=True)
    # gsf (3) and kul (1) are too small, and together only 4: fsk (5) must be hidden as well,
    # or the total minus fsk would give the answers of those four people.
    for name in ("Förskoleförvaltningen", "Grundskoleförvaltningen", "Kulturförvaltningen"):
        row = page.split(f'<th scope="row">{name}</th>')[1].split("</tr>")[0]
        assert "för få svar" in row and "<td>" not in row.replace('<td colspan="7">', "").replace('<td colspan="3">', "")


def _csv(client, query: str) -> list[list[str]]:
    body = client.get(URL + "resultat.csv" + query).get_data(as_text=True)
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))


def _xlsx(client, query: str) -> list[list]:
    book = load_workbook(io.BytesIO(client.get(URL + "resultat.xlsx" + query).get_data()))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("read", [_csv, _xlsx])
def test_exports_have_the_same_figures_and_hidden_cells(city, read):
    rows = {row[0]: row for row in read(_coordinator(city), PERIOD)}
    assert [str(v) for v in rows["Totalt"][1:5]] == ["9", "23", "39,1", "4,11"]
    for name in ("Förskoleförvaltningen", "Grundskoleförvaltningen", "Kulturförvaltningen"):
        assert set(rows[name][1:]) == {"för få svar"}


@pytest.mark.parametrize("read", [None, _csv, _xlsx])
def test_a_second_cell_is_hidden_when_the_total_would_reveal_the_first(app, read):
    for org, count in (("fsk", 6), ("gsf", 5), ("kul", 2)):
        for n in range(count):
            completed_learner(app, f"{org}{n}@malmo.se", org)
            released_response(app, org, {"nojd": 4, "anvandning": 4})
    make_user(app, "samordnare@malmo.se", role="coordinator")
    client = _coordinator(app)
    if read is None:
        page = client.get(URL + PERIOD).get_data(as_text=True)
        rows = {name: page.split(f'<th scope="row">{name}</th>')[1].split("</tr>")[0]
                for name in ("Förskoleförvaltningen", "Grundskoleförvaltningen", "Kulturförvaltningen", "Totalt")}
        hidden = {name for name, row in rows.items() if "för få svar" in row}
    else:
        hidden = {row[0] for row in read(client, PERIOD)[1:] if row[1] == "för få svar"}
    # Kulturförvaltningen (2) is too small; with the total (13) shown, Grundskoleförvaltningen (5) must go too.
    assert hidden == {"Kulturförvaltningen", "Grundskoleförvaltningen"}
    if read is None:
        assert "<td>4,00</td><td>6</td>" in rows["Förskoleförvaltningen"]


def test_formula_like_text_is_escaped_in_exports(app):
    from learning.exports import safe_cell

    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("+46") == "'+46" and safe_cell("@SUM") == "'@SUM" and safe_cell("-1") == "'-1"
    assert safe_cell("Vanlig text") == "Vanlig text" and safe_cell(5) == 5


def _three_groups(app):
    """fsk 6, gsf 5 and kul 2 responses of 4 and 4: kul is too small, so gsf is hidden too."""
    for org, count in (("fsk", 6), ("gsf", 5), ("kul", 2)):
        for n in range(count):
            completed_learner(app, f"{org}{n}@malmo.se", org)
            released_response(app, org, {"nojd": 4, "anvandning": 4})


def _hr(app, email: str, codes: list[str]):
    from learning.accounts.services import set_roles

    user_id = make_user(app, email)
    with app.app_context():
        set_roles(user_id, "hr", codes)
    client = app.test_client()
    login(client, email)
    return client


def test_hr_sees_only_their_own_forvaltning(app):
    _three_groups(app)
    client = _hr(app, "hr@malmo.se", ["fsk"])
    page = client.get(URL + PERIOD).get_data(as_text=True)
    assert "Förskoleförvaltningen" in page and "Grundskoleförvaltningen" not in page
    assert "Medelvärde: 4,00 av 5 (6 svar)" in page
    assert client.get(URL + PERIOD + "&forvaltning=gsf").status_code == 403
    assert client.get(URL + "resultat.csv" + PERIOD + "&forvaltning=gsf").status_code == 403
    rows = _csv(client, PERIOD)
    assert [r[0] for r in rows[1:]] == ["Förskoleförvaltningen", "Totalt"]
    assert client.get("/utvardering/grundkurs/fritext?forvaltning=kul").status_code == 403


def test_narrower_views_cannot_be_subtracted_to_reveal_a_hidden_group(app):
    _three_groups(app)
    make_user(app, "samordnare@malmo.se", role="coordinator")
    coordinator = _coordinator(app)
    # gsf is hidden in the whole table, so filtering to it shows nothing either...
    only_gsf = coordinator.get(URL + PERIOD + "&forvaltning=gsf").get_data(as_text=True)
    assert "För få svar under perioden" in only_gsf and "4,00" not in only_gsf
    # ...and HR for fsk and kul sees fsk, but no total that would include kul.
    both = _hr(app, "hr2@malmo.se", ["fsk", "kul"]).get(URL + PERIOD).get_data(as_text=True)
    assert "Medelvärde: 4,00 av 5 (6 svar)" not in both.split("<h2>Sammanfattning</h2>")[1].split("<table>")[0]
    assert "<td>4,00</td><td>6</td>" in both  # fsk's own row is still there
    # Role and gender breakdowns are for the whole organisation only.
    by_gender = coordinator.get(URL + PERIOD + "&forvaltning=fsk&per=gender").get_data(as_text=True)
    assert '<th scope="row">Förskoleförvaltningen</th>' in by_gender and "Ej angivet" not in by_gender


@pytest.mark.parametrize("email, role", [("deltagare@malmo.se", "learner"), ("redaktor@malmo.se", "editor")])
def test_others_cannot_read_results(city, email, role):
    make_user(city, email, role=role)
    client = city.test_client()
    login(client, email)
    assert client.get(URL + PERIOD).status_code == 403
    assert client.get(URL + "resultat.xlsx" + PERIOD).status_code == 403


def test_free_text_is_withheld_for_small_groups_and_searchable(city):
    client = _coordinator(city)
    small = client.get("/utvardering/grundkurs/fritext" + PERIOD + "&forvaltning=kul").get_data(as_text=True)
    assert "Kort och tydligt" not in small and "visas inte för grupper med färre än fem" in small
    everything = client.get("/utvardering/grundkurs/fritext" + PERIOD).get_data(as_text=True)
    assert "Kort och tydligt" in everything and everything.count("Mer tid på APT.") == 5
    found = client.get("/utvardering/grundkurs/fritext" + PERIOD + "&q=KORT").get_data(as_text=True)
    assert "Kort och tydligt" in found and "Mer tid på APT." not in found


def test_bad_period_gets_a_message(city):
    response = _coordinator(city).get(URL + "?halvar=2026-3")
    assert response.status_code == 400
    assert "”2026-3” är inte ett halvår" in response.get_data(as_text=True)
