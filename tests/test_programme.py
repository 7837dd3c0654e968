"""The programme report: every course, session and group viewing together, each known person once."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select
from openpyxl import load_workbook

from learning.accounts.models import Organisation, User
from learning.content.services import published_course
from learning.extensions import db
from tests.api_builders import api_json, new_token
from tests.council_builders import cells, completion, pdf_text
from tests.helpers import csrf_token, login, make_user
from tests.programme_builders import completers, publish_fordjupning, register_session, seed_programme
from tests.survey_builders import org_id

URL = "/rapporter/aterrapport"
PERIOD = "?fran=2026-01&till=2026-06"


@pytest.fixture
def coordinator(app):
    make_user(app, "samordnare@malmo.se", role="coordinator", name="Sara Samordnare")
    client = app.test_client()
    login(client, "samordnare@malmo.se")
    return client


@pytest.fixture
def programme(app, coordinator):
    seed_programme(app, coordinator)
    return coordinator



def _number(text: str) -> int:
    return int(text.replace(" ", "").replace("−", ""))


def test_each_known_person_counts_once_across_courses_and_sessions(programme):
    page = programme.get(URL + PERIOD).get_data(as_text=True)
    assert cells(page, "Grundkurs om hedersrelaterat våld och förtryck: webbutbildningen, slutförd")[0] == "83"
    assert cells(page, "Fördjupning om heder: webbutbildningen, slutförd")[0] == "12"
    assert cells(page, "Grundutbildning, tillfällen") == ["1 800", "50", "1 750", "10"]
    assert cells(page, "Workshop, tillfällen") == ["392", "0", "392", "2"]
    assert cells(page, "Fördjupning, tillfällen") == ["16", "6", "10", "1"]
    assert cells(page, "Summa av källorna")[0] == "2 307"
    assert cells(page, "Totalt antal personer")[0] == "2 273"
    # Per course, as each course's own report says, and the people counted in more than one.
    assert cells(page, "Grundkurs om hedersrelaterat våld och förtryck")[0] == "1 867"
    assert cells(page, "Fördjupning om heder")[:3] == ["25", "12", "0"]
    assert cells(page, "Tillfällen utan kurs")[0] == "392"
    assert cells(page, "Kända personer som räknas i flera")[0] == "−11"
    assert cells(page, "Totalt i programmet")[0] == "2 273"
    names = re.findall(r'<th scope="row">([^<]*förvaltningen)</th><td>([^<]*)</td>', page.split('id="forvaltningar"')[1])
    assert names[:3] == [("Förskoleförvaltningen", "1 254"), ("Grundskoleförvaltningen", "989"),
                         ("Kulturförvaltningen", "30")]
    # 101 women in the programme, 97 in the grundkurs's report: the 4 between them would be a small group.
    assert cells(page, "Kvinnor") == ["för få", "–"] and cells(page, "Män") == ["för få", "–"]
    assert "85 % kvinnor" not in page
    text = page.split('id="radtext">')[1].split("</div>")[0]
    for phrase in ("Totalt deltog cirka 2 273 personer i stadens utbildningsinsatser", "under januari–juni 2026",
                   "varav 1 867 i grundutbildningen och 417 i fördjupningar och workshoppar",
                   "Av dem deltog 11 personer i båda", "12 personer slutförde webbutbildningen ”Fördjupning om heder”",
                   "392 personer deltog i workshoppar (2 tillfällen)",
                   "16 personer deltog i fördjupningstillfällen (1 tillfälle)",
                   "Ingen som slutförde ”Fördjupning om heder” under perioden svarade på utvärderingen."):
        assert phrase in text, phrase


def test_no_course_counts_another_course_sessions(programme):
    base = programme.get("/rapporter/grundkurs/aterrapport" + PERIOD).get_data(as_text=True)
    deeper = programme.get("/rapporter/fordjupning/aterrapport" + PERIOD).get_data(as_text=True)
    assert cells(base, "Fördjupning, tillfällen") == ["0", "0", "0", "0"]
    assert cells(base, "Workshop, tillfällen") == ["0", "0", "0", "0"]
    assert cells(base, "Totalt antal personer")[0] == "1 867"
    assert cells(deeper, "Grundutbildning, tillfällen") == ["0", "0", "0", "0"]
    assert cells(deeper, "Fördjupning, tillfällen") == ["16", "6", "10", "1"]
    assert cells(deeper, "Totalt antal personer")[0] == "25"
    # The per-course figures add up to the programme's, less those counted in several.
    whole = programme.get(URL + PERIOD).get_data(as_text=True)
    courses = _number(cells(base, "Totalt antal personer")[0]) + _number(cells(deeper, "Totalt antal personer")[0])
    untied = _number(cells(whole, "Tillfällen utan kurs")[0])
    shared = _number(cells(whole, "Kända personer som räknas i flera")[0])
    assert courses + untied - shared == _number(cells(whole, "Totalt antal personer")[0]) == 2273


def test_page_csv_xlsx_pdf_and_api_give_the_same_figures(app, programme, tmp_path):
    body = programme.get(URL + ".csv" + PERIOD).get_data().decode("utf-8").lstrip("\ufeff")
    rows = {(r[0], r[1]): r[2] for r in csv.reader(io.StringIO(body), delimiter=";")}
    assert rows[("Deltagare per källa", "Totalt antal personer (kända personer räknas en gång)")] == "2273"
    assert rows[("Programmet", "Grundutbildningen")] == "1867"
    assert rows[("Programmet", "Fördjupningar och workshoppar")] == "417"
    assert rows[("Per kurs", "Kända personer som räknas i flera")] == "11"
    assert rows[("Per förvaltning", "Grundskoleförvaltningen")] == "989"
    sheet = load_workbook(io.BytesIO(programme.get(URL + ".xlsx" + PERIOD).get_data())).active
    cells = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells[("Deltagare per källa", "Totalt antal personer (kända personer räknas en gång)")] in (2273, "2273")
    info, text = pdf_text(programme, URL + ".pdf" + PERIOD, tmp_path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M) and "Återrapport för hela programmet" in info
    assert "Totalt deltog cirka 2 273 personer" in " ".join(text.split())
    assert "Kända personer som räknas i flera −11" in " ".join(text.split())
    token = new_token(programme)
    figures = api_json(app, "/api/v1/council" + PERIOD, token)
    assert (figures["total"], figures["split"], figures["in_several"]) == (
        2273, {"base": 1867, "deeper": 417, "both": 11}, 11)
    assert [c["participants"] for c in figures["courses"]] == [1867, 25]
    assert {o["name"]: o["participants"] for o in figures["organisations"]}["Grundskoleförvaltningen"] == 989
    course = api_json(app, "/api/v1/courses/fordjupning/council" + PERIOD, token)
    assert course["total"] == 25
    assert api_json(app, "/api/v1/courses/ingen/council", token, 404)["error"] == "Kursen finns inte."
    assert "2026-13" in api_json(app, "/api/v1/council?fran=2026-13", token, 400)["error"]


def test_a_frozen_programme_report_keeps_its_figures(app, programme):
    response = programme.post(URL + "/frys" + PERIOD, data={"csrf_token": csrf_token(programme, URL + PERIOD)})
    assert response.status_code == 302
    frozen_url = response.headers["Location"]
    with app.app_context():
        user = User(email="sen@malmo.se", name="Sen", password_hash="x")
        db.session.add(user)
        completion(user, published_course("fordjupning").id)
        db.session.commit()
    frozen = programme.get(frozen_url).get_data(as_text=True)
    assert "frysta av Sara Samordnare" in frozen
    assert cells(frozen, "Totalt antal personer") == ["2273", "2274", "Ja"]  # the comparison table
    assert "Totalt deltog cirka 2 273 personer" in frozen
    assert programme.get(URL + PERIOD).get_data(as_text=True).count("2 274") >= 1
    # A course's snapshot is not the programme's, and the other way round.
    snapshot_id = frozen_url.split("ogonblick=")[1]
    assert programme.get(f"/rapporter/grundkurs/aterrapport{PERIOD}&ogonblick={snapshot_id}").status_code == 404


def test_a_difference_of_a_few_people_between_reports_is_hidden(app, coordinator):
    """Kul has 6 in the grundkurs and 2 more only in the fördjupning: the programme's 8 would give the 2 away."""
    course_id = publish_fordjupning(app)
    with app.app_context():
        base_id = published_course("grundkurs").id
        for n in range(8):
            user = User(email=f"k{n}@malmo.se", name=f"k{n}", password_hash="x", organisation_id=org_id("kul"))
            db.session.add(user)
            completion(user, base_id if n < 6 else course_id)
        for n in range(40):
            user = User(email=f"f{n}@malmo.se", name=f"f{n}", password_hash="x",
                        organisation_id=org_id("fsk" if n < 20 else "gsf"))
            db.session.add(user)
            completion(user, base_id)
        db.session.commit()
    page = coordinator.get(URL + "?fran=2026-03&till=2026-03").get_data(as_text=True)
    base = coordinator.get("/rapporter/grundkurs/aterrapport?fran=2026-03&till=2026-03").get_data(as_text=True)
    assert cells(base, "Kulturförvaltningen") == ["6"]
    assert cells(page, "Kulturförvaltningen") == ["för få"]
    # And not from the total either: another förvaltning is hidden with it.
    assert sum(cells(page, name) == ["för få"] for name in ("Förskoleförvaltningen", "Grundskoleförvaltningen")) == 1
    token = new_token(coordinator)
    figures = api_json(app, "/api/v1/council?fran=2026-03&till=2026-03", token)
    assert {o["name"]: o["participants"] for o in figures["organisations"]}["Kulturförvaltningen"] is None


def test_the_programme_hides_so_that_a_course_report_beside_it_gives_nothing_away(app, coordinator):
    """Course: kul 3, asf 7, fri 6, fsk 20; it hides kul and fri. A workshop of no course adds 6 in fri.

    On its own the programme would hide kul and asf (7, its smallest other) and show fri 12: then the
    course's shown asf 7 and the programme's total less fsk and fri give kul's 3 back. So fri is hidden too.
    """
    with app.app_context():
        base_id = published_course("grundkurs").id
    completers(app, base_id, {"kul": 3, "asf": 7, "fri": 6, "fsk": 20})
    register_session(coordinator, "workshop", "", {"fri": 6})
    query = "?fran=2026-03&till=2026-03"
    course = coordinator.get("/rapporter/grundkurs/aterrapport" + query).get_data(as_text=True)
    whole = coordinator.get(URL + query).get_data(as_text=True)
    names = {"kul": "Kulturförvaltningen", "asf": "Arbetsmarknads- och socialförvaltningen",
             "fri": "Fritidsförvaltningen", "fsk": "Förskoleförvaltningen"}
    with app.app_context():
        names = {code: db.session.scalar(select(Organisation.name).filter_by(code=code)) for code in names}
    assert [cells(course, names[c])[0] for c in ("kul", "asf", "fri", "fsk")] == ["för få", "7", "för få", "20"]
    assert [cells(whole, names[c])[0] for c in ("kul", "asf", "fri", "fsk")] == ["för få", "för få", "för få", "20"]
    assert cells(whole, "Totalt antal personer")[0] == "42"


def test_the_programme_does_not_show_what_a_course_report_hides(app, coordinator):
    """Course: kul 3, asf 7, fsk 20, gsf 20; it hides kul and asf. A workshop of no course has 6 from fri.

    On its own the programme would hide kul and fri (6, its smallest other) and show asf 7: the course's
    total less fsk and gsf less that 7 is kul's 3. The programme's asf is the course's hidden 7: hidden too.
    """
    with app.app_context():
        base_id = published_course("grundkurs").id
        names = {code: db.session.scalar(select(Organisation.name).filter_by(code=code))
                 for code in ("kul", "asf", "fri", "fsk", "gsf")}
    completers(app, base_id, {"kul": 3, "asf": 7, "fsk": 20, "gsf": 20})
    register_session(coordinator, "workshop", "", {"fri": 6})
    query = "?fran=2026-03&till=2026-03"
    course = coordinator.get("/rapporter/grundkurs/aterrapport" + query).get_data(as_text=True)
    whole = coordinator.get(URL + query).get_data(as_text=True)
    assert [cells(course, names[c])[0] for c in ("kul", "asf", "fsk", "gsf")] == ["för få", "för få", "20", "20"]
    assert [cells(whole, names[c])[0] for c in ("kul", "asf", "fri", "fsk", "gsf")] == [
        "för få", "för få", "6", "20", "20"]


def test_the_split_follows_the_kind_of_session(app, coordinator):
    """A workshop tied to the grundkurs counts in its report, and as a workshop in the programme's split."""
    with app.app_context():
        base_id = published_course("grundkurs").id
    completers(app, base_id, {"fsk": 6})
    register_session(coordinator, "workshop", "grundkurs", {"gsf": 10})
    register_session(coordinator, "grundutbildning", "", {"kul": 7})  # no course: grundutbildning all the same
    token = new_token(coordinator)
    whole = api_json(app, "/api/v1/council?fran=2026-03&till=2026-03", token)
    assert whole["split"] == {"base": 13, "deeper": 10, "both": 0} and whole["total"] == 23
    assert api_json(app, "/api/v1/courses/grundkurs/council?fran=2026-03&till=2026-03", token)["total"] == 16


def test_a_session_is_tied_to_a_course_of_its_kind(app, coordinator):
    publish_fordjupning(app)
    form = coordinator.get("/tillfallen/nytt").get_data(as_text=True)
    assert re.search(r'<option selected value="enligt-typen">|<option value="enligt-typen" selected>', form)
    data = {"csrf_token": csrf_token(coordinator, "/tillfallen/nytt"), "kind": "fordjupning", "mode": "digital",
            "title": "Fel kurs", "held_on": "2026-03-02", "organiser": "Resursteam heder", "course": "grundkurs"}
    response = coordinator.post("/tillfallen/nytt", data=data)
    assert response.status_code == 400
    assert "är en grundkurs. Ett fördjupningstillfälle kan bara höra till" in response.get_data(as_text=True)
    response = coordinator.post("/tillfallen/nytt", data={**data, "kind": "workshop", "course": ""})
    assert response.status_code == 302
    detail = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bara programmets återrapport" in detail
    response = coordinator.post("/tillfallen/nytt", data={**data, "course": "okand"})
    assert response.status_code == 400 and "Välj en kurs i listan." in response.get_data(as_text=True)
    # By its kind: a fördjupning session counts for the one fördjupning course.
    response = coordinator.post("/tillfallen/nytt", data={**data, "course": "enligt-typen"})
    assert "Fördjupning om heder och programmet" in coordinator.get(response.headers["Location"]).get_data(as_text=True)


def test_only_coordinators_read_the_programme_report(app):
    make_user(app, "hr@malmo.se", role="hr")
    client = app.test_client()
    login(client, "hr@malmo.se")
    assert client.get(URL).status_code == 403
    assert client.get(URL + ".csv").status_code == 403
