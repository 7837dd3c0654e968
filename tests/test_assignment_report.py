"""The assignment report per förvaltning and unit: exact figures, small groups hidden alike on page, CSV, XLSX, API."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from learning.accounts.models import HrScope, Organisation, User
from learning.extensions import db
from learning.timeutil import stockholm_today
from tests.api_builders import new_token
from tests.assignment_builders import add_rule, complete, import_list, row
from tests.helpers import login, make_user

TODAY = stockholm_today()
START, DUE_PAST, DUE_LATER = TODAY - timedelta(days=60), TODAY - timedelta(days=20), TODAY + timedelta(days=100)
NORR = [row(str(n)) for n in range(1, 11)]  # 1-5 done on time, 6-10 overdue
SYD = [row(str(n), unit="Förskola Syd") for n in range(11, 19)]  # 11-15 done late, 16-18 overdue (3: too few)
VAST = [row(str(n), unit="Förskola Väst") for n in range(29, 36)]  # all 7 done on time
OST = [row(str(n), org="gsf", unit="Grundskola Öst") for n in range(21, 27)]  # 6 not yet due
GSF_VAST = [row(str(n), org="gsf", unit="Grundskola Väst") for n in (27, 28)]  # 2 not yet due (too few)


def _at(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


@pytest.fixture
def city(app):
    """Two förvaltningar, five units, the base course due 20 days ago in fsk and in 100 days in gsf."""
    for n in [*range(1, 6), *range(11, 16), *range(29, 36)]:
        make_user(app, f"p{n}@malmo.se", name=f"Person {n}")
    make_user(app, "samordnare@malmo.se", name="Sam Ordnare", role="coordinator")
    make_user(app, "hr@malmo.se", name="Hanna HR", role="hr")
    with app.app_context():
        import_list(NORR + SYD + VAST + OST + GSF_VAST, START)
        add_rule(START, organisations=["fsk"], due_on=DUE_PAST)
        add_rule(START, organisations=["gsf"], due_on=DUE_LATER)
        for n in [*range(1, 6), *range(29, 36)]:
            complete(str(n), _at(DUE_PAST - timedelta(days=10)))
        for n in range(11, 16):
            complete(str(n), _at(DUE_PAST + timedelta(days=5)))
        hr = db.session.scalar(select(User).filter_by(email="hr@malmo.se"))
        db.session.add(HrScope(user_id=hr.id, organisation_id=db.session.scalar(
            select(Organisation.id).filter_by(code="gsf"))))
        db.session.commit()
    return app


def _client(app, email="samordnare@malmo.se"):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


FSK = {"assigned": 25, "completed_on_time": 12, "completed_late": 5, "overdue": 8, "not_yet_due": 0}
GSF = {"assigned": 8, "completed_on_time": 0, "completed_late": 0, "overdue": 0, "not_yet_due": 8}
HIDDEN = {"assigned": None, "completed_on_time": None, "completed_late": None, "overdue": None,
          "not_yet_due": None, "hidden": True}


def test_the_api_gives_exact_figures_and_hides_small_units_and_what_would_give_them_away(city):
    client = _client(city)
    answer = client.get("/api/v1/courses/grundkurs/assignments",
                        headers={"Authorization": f"Bearer {new_token(client)}"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    data = answer.get_json()
    assert data["date"] == TODAY.isoformat()
    fsk, gsf = data["rows"]
    assert (fsk["name"], gsf["name"]) == ("Förskoleförvaltningen", "Grundskoleförvaltningen")
    assert {k: fsk[k] for k in FSK} == FSK and {k: gsf[k] for k in GSF} == GSF
    units = {u["name"]: u for u in fsk["units"]}
    # Syd has 3 overdue: hidden; Norr too, or fsk's total less Väst less Norr would give Syd back.
    assert {k: v for k, v in units["Förskola Syd"].items() if k != "name"} == HIDDEN
    assert {k: v for k, v in units["Förskola Norr"].items() if k != "name"} == HIDDEN
    assert units["Förskola Väst"] == {"name": "Förskola Väst", "assigned": 7, "completed_on_time": 7,
                                      "completed_late": 0, "overdue": 0, "not_yet_due": 0, "hidden": False}
    # gsf's Väst has 2 people; Öst, its only other unit, would give it back: both hidden, gsf's total shown.
    assert [u["hidden"] for u in gsf["units"]] == [True, True]
    assert data["total"] == {"forvaltning": None, "name": "Totalt", "assigned": 33, "completed_on_time": 12,
                             "completed_late": 5, "overdue": 8, "not_yet_due": 8, "hidden": False}


def test_page_csv_and_xlsx_show_the_same_figures_and_hr_sees_only_their_forvaltning(city):
    client = _client(city)
    page = client.get("/tilldelningar/rapport/grundkurs").get_data(as_text=True)
    assert "Förskola Väst" in page and "för få" in page
    lines = list(csv.reader(io.StringIO(client.get("/tilldelningar/rapport/grundkurs/tabell.csv")
                                        .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert lines[0] == ["Förvaltning", "Enhet", "Tilldelade", "Klara i tid", "Klara efter datumet", "Försenade",
                        "Inte försenade än"]
    table = {(line[0], line[1]): line[2:] for line in lines[1:]}
    assert table["Förskoleförvaltningen", ""] == ["25", "12", "5", "8", "0"]
    assert table["Förskoleförvaltningen", "Förskola Syd"] == ["för få"] * 5
    assert table["Förskoleförvaltningen", "Förskola Väst"] == ["7", "7", "0", "0", "0"]
    assert table["Totalt", ""] == ["33", "12", "5", "8", "8"]
    sheet = load_workbook(io.BytesIO(client.get("/tilldelningar/rapport/grundkurs/tabell.xlsx").data)).active
    assert [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        [a, b, *c] for (a, b), c in table.items()]

    hr = _client(city, "hr@malmo.se")
    mine = list(csv.reader(io.StringIO(hr.get("/tilldelningar/rapport/grundkurs/tabell.csv")
                                       .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert [line[:2] for line in mine[1:]] == [["Grundskoleförvaltningen", ""],
                                               ["Grundskoleförvaltningen", "Grundskola Väst"],
                                               ["Grundskoleförvaltningen", "Grundskola Öst"], ["Totalt", ""]]
    assert mine[-1][2:] == ["8", "0", "0", "0", "8"]
    assert hr.get("/tilldelningar/rapport/grundkurs?forvaltning=fsk").status_code == 403
    assert hr.get("/tilldelningar/rapport/grundkurs/tabell.csv?forvaltning=fsk").status_code == 403


def test_a_learner_cannot_open_the_report(city):
    assert _client(city, "p1@malmo.se").get("/tilldelningar/rapport/grundkurs").status_code == 403


def test_the_rule_list_hides_a_rule_whose_figures_describe_fewer_than_five(city):
    with city.app_context():
        add_rule(START, units=["gsf|Grundskola Väst"], due_on=DUE_LATER)
    listing = _client(city).get("/tilldelningar/").get_data(as_text=True)
    rows = [part.split("</tr>")[0] for part in listing.split("<tr>")[2:]]
    assert len(rows) == 3
    assert "för få" in rows[2] and "Grundskola Väst" in rows[2]
    assert "för få" not in rows[0] and ">25<" in rows[0]
