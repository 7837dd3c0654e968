"""Completion and coverage dashboards on a hand-built city: exact figures, denominators, scope, exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from learning.accounts.services import set_roles
from tests.helpers import login, make_user
from tests.report_builders import MARCH, city  # noqa: F401  (the fixture)
from tests.survey_builders import completed_learner

URL = "/rapporter/grundkurs/"
PERIOD = "?fran=2026-03&till=2026-04"
APRIL = datetime(2026, 4, 30, 22, 30, tzinfo=timezone.utc)  # 1 May 00:30 in Stockholm: counts in May


def _client(app, email="samordnare@malmo.se"):
    client = app.test_client()
    login(client, email)
    return client


def _row(page: str, name: str) -> list[str]:
    row = page.split(f'<th scope="row">{name}</th>')[1].split("</tr>")[0]
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


def test_figures_and_their_denominators(city):
    page = _client(city).get(URL + PERIOD).get_data(as_text=True)
    assert _row(page, "Förskoleförvaltningen") == ["11", "10", "9", "81,8 %", "20", "40,0 %"]
    assert _row(page, "Grundskoleförvaltningen") == ["11", "11", "11", "100,0 %", "50", "22,0 %"]
    assert _row(page, "Totalt") == ["22", "21", "20", "90,9 %", "70", "27,1 %"]
    assert "20 klara av 22 registrerade" in page
    assert "19 av 70 anställda har klarat kursen" in page
    assert '<th scope="row">mar 2026</th><td>15</td>' in page and '<th scope="row">apr 2026</th><td>5</td>' in page


def test_a_completion_counts_in_the_stockholm_month(city):
    completed_learner(city, "sent@malmo.se", "gsf", APRIL)
    page = _client(city).get(URL + "?fran=2026-05&till=2026-05").get_data(as_text=True)
    assert "<dd>1</dd>" not in page  # a single person is too few to show...
    assert "För få personer under perioden" in page  # ...but the completion is in May, not April


def test_opening_parts_makes_a_learner_started_once(city):
    make_user(city, "fsk-ny@malmo.se", organisation="fsk")
    learner = city.test_client()
    login(learner, "fsk-ny@malmo.se")
    for part in ("del-1", "del-2", "del-1"):
        assert learner.get(f"/kurs/grundkurs/{part}").status_code == 200
    this_month = datetime.now(timezone.utc).strftime("%Y-%m")
    page = _client(city).get(f"{URL}?fran=2026-03&till={this_month}").get_data(as_text=True)
    # fsk had 10 who started; the new learner adds one, however many parts they open.
    assert _row(page, "Förskoleförvaltningen")[1] == "11"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_have_the_same_figures(city, fmt):
    body = _client(city).get(f"{URL}forvaltningar.{fmt}{PERIOD}").get_data()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    else:
        rows = [[("" if v is None else str(v)) for v in row]
                for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)]
    by_name = {row[0]: [str(v) for v in row[1:]] for row in rows[1:]}
    assert by_name["Förskoleförvaltningen"] == ["11", "10", "9", "81,8", "20", "8", "40,0", "8"]
    assert by_name["Totalt"] == ["22", "21", "20", "90,9", "70", "19", "27,1", "19"]


def test_small_forvaltning_and_a_second_cell_are_hidden(city):
    for n in range(2):
        completed_learner(city, f"kul{n}@malmo.se", "kul", MARCH)
    page = _client(city).get(URL + PERIOD).get_data(as_text=True)
    assert _row(page, "Kulturförvaltningen") == ["för få"]
    # With Kulturförvaltningen hidden and the total shown, the next smallest group goes too:
    # Förskoleförvaltningen, whose smallest count (8 staff who completed) is below Grundskoleförvaltningen's 11.
    assert _row(page, "Förskoleförvaltningen") == ["för få"]
    assert _row(page, "Grundskoleförvaltningen")[2] == "11"


def test_hr_sees_only_their_forvaltning(city):
    hr = make_user(city, "hr@malmo.se")
    with city.app_context():
        set_roles(hr, "hr", ["fsk"])
    client = _client(city, "hr@malmo.se")
    page = client.get(URL + PERIOD).get_data(as_text=True)
    assert "Förskoleförvaltningen" in page and "Grundskoleförvaltningen" not in page
    assert _row(page, "Totalt") == ["11", "10", "9", "81,8 %", "20", "40,0 %"]
    assert _row(page, "Ingen enhet angiven") == ["20", "8", "40,0 %"]  # coverage per unit from the staff list
    assert client.get(URL + PERIOD + "&forvaltning=gsf").status_code == 403
    assert client.get(f"{URL}forvaltningar.csv{PERIOD}&forvaltning=gsf").status_code == 403
    assert "Grundskoleförvaltningen" not in client.get(f"{URL}forvaltningar.csv{PERIOD}").get_data(as_text=True)


def test_bad_period_gets_a_message(city):
    response = _client(city).get(URL + "?fran=mars")
    assert response.status_code == 400 and "”mars” är inte en månad" in response.get_data(as_text=True)


ROLES = ["learner", "editor", "hr-a", "hr-b", "coordinator", "admin"]
HR_AND_UP = {"hr-a", "hr-b", "coordinator", "admin"}
# Who may open each report route. A new route must be added here, or the matrix test fails.
ACCESS = {
    "/rapporter/": HR_AND_UP,
    "/rapporter/grundkurs/": HR_AND_UP,
    "/rapporter/grundkurs/forvaltningar.csv": HR_AND_UP,
    "/rapporter/grundkurs/delar.csv": HR_AND_UP,
    "/rapporter/grundkurs/personer": HR_AND_UP,
    "/rapporter/grundkurs/personer.csv": HR_AND_UP,
    "/rapporter/grundkurs/kunskapstest": {"editor", "coordinator", "admin"},
    "/rapporter/kunskapstest": {"editor", "coordinator", "admin"},
    "/rapporter/atkomstlogg": {"admin"},
    "/rapporter/aterrapport": {"coordinator", "admin"},
    "/rapporter/aterrapport.csv": {"coordinator", "admin"},
    "/rapporter/grundkurs/aterrapport": {"coordinator", "admin"},
    "/rapporter/grundkurs/aterrapport.csv": {"coordinator", "admin"},
    "/utvardering/": HR_AND_UP | {"editor"},
    "/utvardering/grundkurs/": HR_AND_UP,
    "/utvardering/grundkurs/resultat.csv": HR_AND_UP,
    "/utvardering/grundkurs/fritext": HR_AND_UP | {"editor"},
}
SCOPED = {"/rapporter/grundkurs/", "/rapporter/grundkurs/forvaltningar.csv", "/rapporter/grundkurs/delar.csv",
          "/rapporter/grundkurs/personer",
          "/rapporter/grundkurs/personer.csv", "/utvardering/grundkurs/", "/utvardering/grundkurs/resultat.csv",
          "/utvardering/grundkurs/fritext"}


def _report_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/rapporter", "/utvardering")) or "GET" not in rule.methods:
            continue
        urls.append(rule.rule.replace("<course_slug>", "grundkurs").replace("<fmt>", "csv"))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix_over_every_report_route(city, role):
    """Generated from the URL map, so a new report route cannot be forgotten."""
    email = f"{role}@malmo.se"
    user_id = make_user(city, email, role={"hr-a": "hr", "hr-b": "hr"}.get(role, role))
    if role.startswith("hr"):
        with city.app_context():
            set_roles(user_id, "hr", ["fsk" if role == "hr-a" else "gsf"])
    client = _client(city, email)
    anonymous = city.test_client()
    urls = _report_urls(city)
    assert set(urls) == set(ACCESS), "add the new report route to ACCESS with the roles that may see it"
    for url in urls:
        assert anonymous.get(url).status_code == 302, url
        status = client.get(url + PERIOD).status_code
        if role in ACCESS[url]:
            assert status in (200, 302), (role, url, status)
        else:
            assert status == 403, (role, url, status)
        if role in ("hr-a", "hr-b") and url in SCOPED:
            other = "gsf" if role == "hr-a" else "fsk"
            assert client.get(url + PERIOD + f"&forvaltning={other}").status_code == 403, (role, url)


def test_staff_and_accounts_are_matched_whichever_comes_first(app):
    from learning.content.services import published_course
    from learning.periods import parse_period
    from learning.reports.services import dashboard
    from learning.staff.services import import_staff
    from tests.test_staff import csv_bytes, person

    def fsk_coverage() -> tuple[int | None, int]:
        with app.app_context():
            board = dashboard(published_course("grundkurs"), None, parse_period("2026-03", "2026-04", "2026-04"))
            row = next(r for r in board.rows if r.name == "Förskoleförvaltningen")
            return row.staff, row.covered

    completed_learner(app, "forst@malmo.se", "fsk", MARCH)  # the account exists before the staff list
    staff = [person("1", email="Forst@Malmo.se"), person("2", email="sedan@malmo.se"), person("3")]
    with app.app_context():
        import_staff(csv_bytes(staff), date(2026, 1, 1))
    assert fsk_coverage() == (3, 1)
    completed_learner(app, "sedan@malmo.se", "fsk", MARCH)  # the account comes after the list
    assert fsk_coverage() == (3, 2)
    staff[1] = person("2", email="ny.adress@malmo.se")  # HR changes the address: no account has it
    with app.app_context():
        import_staff(csv_bytes(staff), date(2026, 2, 1))
    assert fsk_coverage() == (3, 1)


def test_a_part_view_without_a_course_start_is_made_good_on_the_next_visit(city):
    from sqlalchemy import delete, func, select

    from learning.extensions import db
    from learning.learn.models import CourseStart
    from tests.helpers import make_user as new_user

    user_id = new_user(city, "glapp@malmo.se", organisation="fsk")
    learner = city.test_client()
    login(learner, "glapp@malmo.se")
    learner.get("/kurs/grundkurs/del-1")
    with city.app_context():  # as if an older app process had written the view but not the start
        db.session.execute(delete(CourseStart).where(CourseStart.user_id == user_id))
        db.session.commit()
    learner.get("/kurs/grundkurs/del-1")
    with city.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseStart).filter_by(user_id=user_id)) == 1
