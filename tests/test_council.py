"""The council report: the seed scenario's figures exactly, the generated text, CSV, PDF, snapshots, suppression."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from learning.accounts.models import Organisation, User
from learning.content.services import published_course
from learning.extensions import db
from tests.council_builders import cells, completion, pdf_text, seed_scenario
from tests.helpers import csrf_token, login, make_user, published
from tests.programme_builders import completers, register_session

URL = "/rapporter/grundkurs/aterrapport"
PERIOD = "?fran=2026-01&till=2026-06"  # a half-year: the evaluation is shown for whole half-years only


@pytest.fixture
def scenario(app):
    seed_scenario(app)
    make_user(app, "samordnare@malmo.se", role="coordinator", name="Sara Samordnare")
    client = app.test_client()
    login(client, "samordnare@malmo.se")
    return client



def test_the_seed_scenario_shows_every_figure_exactly(scenario):
    page = scenario.get(URL + PERIOD).get_data(as_text=True)
    assert cells(page, "Webbutbildningen, slutförd")[0] == "83"
    assert cells(page, "Gruppvisning av webbutbildningen")[0] == "4"
    assert cells(page, "Grundutbildning, tillfällen") == ["1 800", "50", "1 750", "10"]
    # The workshops belong to no course: the programme report counts them, the course's report does not.
    assert cells(page, "Workshop, tillfällen") == ["0", "0", "0", "0"]
    assert cells(page, "Summa av källorna")[0] == "1 887"
    assert cells(page, "Totalt antal personer")[0] == "1 867"
    names = re.findall(r'<th scope="row">([^<]*förvaltningen)</th><td>([^<]*)</td>', page.split('id="forvaltningar"')[1])
    assert names[:3] == [("Förskoleförvaltningen", "1 054"), ("Grundskoleförvaltningen", "783"),
                         ("Kulturförvaltningen", "30")]
    assert cells(page, "Kvinnor") == ["97", "85 %"] and cells(page, "Män") == ["17", "15 %"]
    assert cells(page, "Uppgift saknas") == ["1 753", "94 %"]
    assert 'href="/rapporter/aterrapport?fran=2026-01&amp;till=2026-06"' in page
    assert "25 svar av 83 som slutförde webbutbildningen under perioden, en svarsfrekvens på 30,1 %" in page
    assert cells(page, "Hur nöjd är du med denna utbildning?") == ["4,28", "25"]
    assert cells(page, "Kommer du ha användning för detta i ditt arbete?") == ["4,00", "25"]
    assert "748 unika besökare och 880 besök" in page
    assert "Stöd från chefer (6 svar)" in page


def test_the_generated_text_states_the_figures(scenario):
    page = scenario.get(URL + PERIOD).get_data(as_text=True)
    text = page.split('id="radtext">')[1].split("</div>")[0]
    assert "workshoppar" not in text
    for phrase in ("Totalt deltog 1 867 personer", "under januari–juni 2026", "83 personer slutförde webbutbildningen",
                   "4 personer gick den tillsammans", "1 800 personer deltog i den digitala eller fysiska "
                   "grundutbildningen vid 10 tillfällen",
                   "748 unika besökare", "85 % kvinnor och 15 % män", "saknas för 94 %", "Ca 30 %",
                   "Hur nöjd är du med denna utbildning? Resultat 4,28 av 5.",
                   "Kommer du ha användning för detta i ditt arbete? Resultat 4,00 av 5.",
                   "20 färre än summan", "stöd från chefer"):
        assert phrase in text, phrase


def test_csv_of_the_figures(scenario):
    body = scenario.get(URL + ".csv" + PERIOD).get_data().decode("utf-8").lstrip("\ufeff")
    rows = {(r[0], r[1]): r[2] for r in csv.reader(io.StringIO(body), delimiter=";")}
    assert rows[("Deltagare per källa", "Grundutbildning, tillfällen")] == "1800"
    assert rows[("Deltagare per källa", "Totalt antal personer (kända personer räknas en gång)")] == "1867"
    assert rows[("Utvärdering", "Hur nöjd är du med denna utbildning?")] == "4,28"
    assert rows[("Startsidan", "Unika besökare (per dag, summerat)")] == "748"


def test_a_frozen_snapshot_keeps_its_figures_after_new_completions(app, scenario):
    token = csrf_token(scenario, URL + PERIOD)
    response = scenario.post(URL + "/frys" + PERIOD, data={"csrf_token": token})
    assert response.status_code == 302
    frozen_url = response.headers["Location"]
    with app.app_context():
        course_id = published_course("grundkurs").id
        for n in range(3):
            user = User(email=f"sen{n}@malmo.se", name="Sen", password_hash="x", organisation_id=None)
            db.session.add(user)
            completion(user, course_id, datetime(2026, 3, 30, tzinfo=timezone.utc))
        db.session.commit()
    live = scenario.get(URL + PERIOD).get_data(as_text=True)
    assert cells(live, "Webbutbildningen, slutförd")[0] == "86"
    frozen = scenario.get(frozen_url).get_data(as_text=True)
    assert "frysta av Sara Samordnare" in frozen
    assert cells(frozen.split('id="deltagare"')[1], "Webbutbildningen, slutförd")[0] == "83"
    assert cells(frozen, "Webbutbildningen, slutförd") == ["83", "86", "Ja"]  # the comparison table
    assert cells(frozen, "Grundutbildning, tillfällen") == ["1800", "1800", "Nej"]
    assert "Totalt deltog 1 867 personer" in frozen
    body = scenario.get(frozen_url.replace("aterrapport?", "aterrapport.csv?")).get_data().decode("utf-8")
    assert "Webbutbildningen, slutförd;83;" in body
    assert scenario.get(URL + PERIOD + "&ogonblick=99999").status_code == 404


def test_small_groups_are_hidden_in_the_report(app):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    for n in range(3):
        make_user(app, f"a{n}@malmo.se", organisation="kul", gender="kvinna")
    with app.app_context():
        course_id = published_course("grundkurs").id
        for user in db.session.scalars(select(User).where(User.email.like("a%@malmo.se"))):
            completion(user, course_id)
        db.session.commit()
    client = app.test_client()
    login(client, "samordnare@malmo.se")
    page = client.get(URL + PERIOD).get_data(as_text=True)
    # One förvaltning with three people: listing it as "för få" beside a total of 3 would give it away.
    assert "För få deltagare under perioden för att visa dem per förvaltning." in page
    assert 'Kulturförvaltningen' not in page.split('id="forvaltningar"')[1].split('id="kon"')[0]
    assert cells(page, "Kvinnor")[0] == "för få"
    assert "har för få svar" in page


def test_hidden_gender_cells_cannot_be_worked_out_from_the_shares(app):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    people = [("kvinna", 20), ("man", 15), ("annat", 2), (None, 10)]
    with app.app_context():
        course_id = published_course("grundkurs").id
    for gender, count in people:
        for n in range(count):
            make_user(app, f"{gender}{n}@malmo.se", organisation="fsk", gender=gender)
    with app.app_context():
        for user in db.session.scalars(select(User).where(User.role == "learner")):
            completion(user, course_id)
        db.session.commit()
    client = app.test_client()
    login(client, "samordnare@malmo.se")
    page = client.get(URL + PERIOD).get_data(as_text=True)
    assert cells(page, "Kvinnor") == ["20", "–"] and cells(page, "Män") == ["15", "–"]
    assert cells(page, "Annat") == ["för få", "–"] and cells(page, "Uppgift saknas") == ["för få", "–"]
    assert "vars kön är känt" not in page  # 37 known would give Annat = 37 - 35 away


def test_the_evaluation_is_shown_for_whole_half_years_only(scenario):
    march = scenario.get(URL + "?fran=2026-03&till=2026-03").get_data(as_text=True)
    assert "Utvärderingen visas bara för hela halvår" in march
    assert "Hur nöjd är du med denna utbildning?" not in march.split('id="utvardering"')[1].split('id="besok"')[0]
    assert "Stöd från chefer" not in march  # themes are survey answers too
    assert "4,28" in scenario.get(URL + PERIOD).get_data(as_text=True)


def test_bad_period_gets_a_message(scenario):
    response = scenario.get(URL + "?fran=mars")
    assert response.status_code == 400 and "”mars” är inte en månad" in response.get_data(as_text=True)


def test_the_pdf_is_tagged(scenario, tmp_path):
    info, text = pdf_text(scenario, URL + ".pdf" + PERIOD, tmp_path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert "Återrapport" in info  # the title
    assert "Totalt deltog 1 867 personer" in text


def test_a_session_does_not_let_the_report_undo_what_the_dashboard_hides(app):
    """Completions: kul 3, asf 7, fsk 20, gsf 20; the dashboard hides kul and asf. A session adds 6 from fri.

    On its own the report would hide kul and fri (6, its smallest other) and show asf 7: the dashboard's
    completions less fsk, gsf and that 7 would be kul's 3. The report hides what the dashboard hides.
    """
    make_user(app, "samordnare@malmo.se", role="coordinator")
    client = app.test_client()
    login(client, "samordnare@malmo.se")
    with app.app_context():
        names = {code: db.session.scalar(select(Organisation.name).filter_by(code=code))
                 for code in ("kul", "asf", "fri", "fsk", "gsf")}
    completers(app, published(app).id, {"kul": 3, "asf": 7, "fsk": 20, "gsf": 20})
    register_session(client, "grundutbildning", "grundkurs", {"fri": 6})
    page = client.get(URL + "?fran=2026-03&till=2026-03").get_data(as_text=True)
    assert [cells(page, names[c])[0] for c in ("kul", "asf", "fri", "fsk", "gsf")] == [
        "för få", "för få", "6", "20", "20"]
    board = client.get("/rapporter/grundkurs/?fran=2026-03&till=2026-03").get_data(as_text=True)
    assert cells(board, names["asf"])[0] == "för få"
