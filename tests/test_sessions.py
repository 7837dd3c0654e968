"""Live sessions: registration, counts, attendance import (encodings, separators, re-import), unmatched rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from learning.extensions import db
from learning.sessions.models import LiveSession, SessionAttendee, SessionCount, UnmatchedRow
from learning.timeutil import stockholm_today
from tests.helpers import csrf_token, login, make_user
from tests.report_builders import staff_list

TEAMS = ("Namn;E-post;Anslutningstid\n"
         "Anna Andersson;anna.andersson@malmo.se;2026-03-14 09:01\n"
         "Örjan Åkesson;ORJAN.AKESSON@malmo.se;2026-03-14 09:02\n"
         "Anna Andersson;anna.andersson@malmo.se;2026-03-14 09:40\n"
         "Extern Gäst;gast@example.com;2026-03-14 09:05\n")


@pytest.fixture
def coordinator(app):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    make_user(app, "anna.andersson@malmo.se", organisation="fsk", gender="kvinna")
    staff_list(app, ["orjan.akesson@malmo.se"], "gsf", extra=0)
    client = app.test_client()
    login(client, "samordnare@malmo.se")
    return client


def _create(client, held_on: date, kind: str = "grundutbildning") -> int:
    response = client.post("/tillfallen/nytt", data={
        "csrf_token": csrf_token(client, "/tillfallen/nytt"), "kind": kind, "mode": "digital",
        "title": "Grundutbildning mars", "held_on": held_on.isoformat(), "organiser": "Resursteam heder",
        "targets": ["fsk", "gsf"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _upload(client, session_id: int, data: bytes):
    token = csrf_token(client, f"/tillfallen/{session_id}")
    return client.post(f"/tillfallen/{session_id}/importera", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (__import__("io").BytesIO(data), "narvaro.csv")})


def _table(app, model, session_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)).where(model.session_id == session_id))


def test_teams_file_matches_accounts_and_staff_and_reimport_adds_nobody(app, coordinator):
    session_id = _create(coordinator, date(2026, 3, 14))
    page = _upload(coordinator, session_id, TEAMS.encode("utf-8-sig")).get_data(as_text=True)
    assert "Nya deltagare som hittades bland konton eller i personallistan: 2" in page
    assert "väntar på dig nedan: 1" in page and "Extern Gäst" in page
    with app.app_context():
        orgs = dict(db.session.execute(select(SessionAttendee.email, SessionAttendee.organisation_id)).all())
        assert set(orgs) == {"anna.andersson@malmo.se", "orjan.akesson@malmo.se"} and None not in orgs.values()
    page = _upload(coordinator, session_id, TEAMS.encode("utf-8")).get_data(as_text=True)
    assert "redan fanns registrerade och inte lades till igen: 3" in page
    assert _table(app, SessionAttendee, session_id) == 2 and _table(app, UnmatchedRow, session_id) == 1


def test_windows_1252_semicolon_file_from_excel(app, coordinator):
    session_id = _create(coordinator, date(2026, 3, 14))
    data = "sep=;\r\nFullständigt namn;E-postadress\r\nÖrjan Åkesson;orjan.akesson@malmo.se\r\n".encode("cp1252")
    page = _upload(coordinator, session_id, data).get_data(as_text=True)
    assert "Nya deltagare som hittades bland konton eller i personallistan: 1" in page
    assert "Örjan Åkesson" in page


def test_comma_separated_teams_export_with_a_summary_above(app, coordinator):
    session_id = _create(coordinator, date(2026, 3, 14))
    data = ("1. Sammanfattning\nMötets rubrik,Grundutbildning\n\n2. Deltagare\n"
            "Name,First Join,Email\nAnna Andersson,3/14/26 9:01 AM,anna.andersson@malmo.se\n").encode("utf-16")
    page = _upload(coordinator, session_id, data).get_data(as_text=True)
    assert "Nya deltagare som hittades bland konton eller i personallistan: 1" in page


@pytest.mark.parametrize("data, message", [
    (b"Anst\xe4llningsnummer;Namn;F\xf6rvaltning\n1;Anna;fsk\n", "Filen är inte en närvarolista"),
    (b"PK\x03\x04binary", "Excel-arbetsbok"),
    ("Namn;E-post\nAnna;anna.andersson@malmo.se\nBo;inte-en-adress\n".encode(), "rad 3: ”inte-en-adress”"),
    (b"Namn;E-post\n", "inga deltagare"),
])
def test_a_bad_file_gets_a_message_and_nothing_is_imported(app, coordinator, data, message):
    session_id = _create(coordinator, date(2026, 3, 14))
    response = _upload(coordinator, session_id, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "Ingenting har lästs in." in page
    assert _table(app, SessionAttendee, session_id) == 0 and _table(app, UnmatchedRow, session_id) == 0


def test_a_future_session_cannot_have_attendance(app, coordinator):
    session_id = _create(coordinator, stockholm_today() + timedelta(days=3))
    response = _upload(coordinator, session_id, TEAMS.encode())
    assert response.status_code == 400 and "i framtiden" in response.get_data(as_text=True)
    response = coordinator.post(f"/tillfallen/{session_id}/antal", data={
        "csrf_token": csrf_token(coordinator, f"/tillfallen/{session_id}"), "organisation": "fsk", "attendees": "12"})
    assert response.status_code == 400 and "i framtiden" in response.get_data(as_text=True)
    assert _table(app, SessionAttendee, session_id) == 0 and _table(app, SessionCount, session_id) == 0


@pytest.mark.parametrize("value, message", [("-3", "från 0 till 5000"), ("99999", "från 0 till 5000"),
                                            ("tolv", "Skriv ett heltal")])
def test_absurd_counts_get_a_message(app, coordinator, value, message):
    session_id = _create(coordinator, date(2026, 3, 14))
    response = coordinator.post(f"/tillfallen/{session_id}/antal", data={
        "csrf_token": csrf_token(coordinator, f"/tillfallen/{session_id}"), "organisation": "fsk", "attendees": value})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _table(app, SessionCount, session_id) == 0


def test_counts_and_resolving_unmatched_rows(app, coordinator):
    session_id = _create(coordinator, date(2026, 3, 14))
    token = csrf_token(coordinator, f"/tillfallen/{session_id}")
    coordinator.post(f"/tillfallen/{session_id}/antal", data={"csrf_token": token, "organisation": "fsk",
                                                              "attendees": "1 200"})
    _upload(coordinator, session_id, TEAMS.encode())
    with app.app_context():
        row_id = db.session.scalar(select(UnmatchedRow.id))
    page = coordinator.get(f"/tillfallen/{session_id}").get_data(as_text=True)
    assert "<td>1200</td>" in page
    coordinator.post(f"/tillfallen/{session_id}/omatchade/{row_id}", data={
        "csrf_token": token, f"rad{row_id}-csrf_token": token, f"rad{row_id}-organisation": "kul"})
    assert _table(app, SessionAttendee, session_id) == 3 and _table(app, UnmatchedRow, session_id) == 0
    _upload(coordinator, session_id, TEAMS.encode())  # the placed guest is not brought back
    assert _table(app, SessionAttendee, session_id) == 3 and _table(app, UnmatchedRow, session_id) == 0
    assert "Rader att hantera" not in coordinator.get(f"/tillfallen/{session_id}").get_data(as_text=True)


def test_dismissed_row_stays_dismissed_after_reimport(app, coordinator):
    session_id = _create(coordinator, date(2026, 3, 14))
    _upload(coordinator, session_id, TEAMS.encode())
    with app.app_context():
        row_id = db.session.scalar(select(UnmatchedRow.id))
    coordinator.post(f"/tillfallen/{session_id}/omatchade/{row_id}/avvisa",
                     data={"csrf_token": csrf_token(coordinator, f"/tillfallen/{session_id}")})
    _upload(coordinator, session_id, TEAMS.encode())
    assert "Rader att hantera" not in coordinator.get(f"/tillfallen/{session_id}").get_data(as_text=True)


def test_bad_session_form_gets_messages(app, coordinator):
    response = coordinator.post("/tillfallen/nytt", data={
        "csrf_token": csrf_token(coordinator, "/tillfallen/nytt"), "kind": "konsert", "mode": "digital",
        "title": "", "held_on": "14 mars", "organiser": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Fyll i en rubrik." in page and "Skriv datumet som år-månad-dag" in page
    # A value that is not among the options (a tampered or outdated form) is told in Swedish too.
    assert "Välj ett av alternativen i listan." in page and "valid choice" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(LiveSession.id))) == 0


ROLES = ["learner", "editor", "hr", "coordinator", "admin"]
ALLOWED = {"coordinator", "admin"}


def _session_routes(app, session_id: int) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/tillfallen"):
            url = rule.rule.replace("<int:session_id>", str(session_id)).replace("<int:row_id>", "1")
            routes += [(method, url) for method in ("GET", "POST") if method in rule.methods]
    return routes


@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix_over_every_session_route(app, role):
    """Generated from the URL map, so a new session route cannot be forgotten: coordinators and admins only."""
    with app.app_context():
        row = LiveSession(kind="workshop", mode="digital", title="W", held_on=date(2026, 3, 1), organiser="R",
                          targets=[])
        db.session.add(row)
        db.session.commit()
        session_id = row.id
    make_user(app, f"{role}@malmo.se", role=role)
    client = app.test_client()
    login(client, f"{role}@malmo.se")
    token = csrf_token(client, "/kurs/grundkurs/")
    anonymous = app.test_client()
    routes = _session_routes(app, session_id)
    assert len(routes) >= 9
    for method, url in routes:
        assert anonymous.open(url, method=method).status_code in (302, 400), (method, url)
        status = client.open(url, method=method, data={"csrf_token": token}).status_code
        if role in ALLOWED:
            assert status != 403, (role, method, url, status)
        else:
            assert status == 403, (role, method, url, status)
    with app.app_context():
        assert db.session.get(LiveSession, session_id) is not None or role in ALLOWED  # nobody else could delete it


def test_deleting_a_session_asks_first_and_removes_its_attendance(app, coordinator):
    session_id = _create(coordinator, date(2026, 3, 14))
    _upload(coordinator, session_id, TEAMS.encode())
    page = coordinator.get(f"/tillfallen/{session_id}/ta-bort").get_data(as_text=True)
    assert "Ta bort tillfället?" in page and "2 namngivna deltagare" in page
    assert _table(app, SessionAttendee, session_id) == 2  # only asked so far
    coordinator.post(f"/tillfallen/{session_id}/ta-bort",
                     data={"csrf_token": csrf_token(coordinator, f"/tillfallen/{session_id}/ta-bort")})
    assert _table(app, SessionAttendee, session_id) == 0 and _table(app, UnmatchedRow, session_id) == 0
    assert coordinator.get(f"/tillfallen/{session_id}").status_code == 404


def test_long_names_and_addresses_in_an_attendance_file_are_kept_within_their_columns(app, coordinator):
    session_id = _create(coordinator, date(2026, 3, 14))
    long_email = "a" * 64 + "@" + ".".join(c * 60 for c in "bcd") + ".se"  # 250 characters, a valid address
    long_name = "ß" * 200  # folds to 400 characters
    data = f"Namn;E-post\n;{long_email}\n{long_name};\n".encode("utf-8")
    response = _upload(coordinator, session_id, data)
    assert response.status_code in (200, 302) and "väntar på dig nedan: 2" in response.get_data(as_text=True)
    with app.app_context():
        names = db.session.scalars(select(UnmatchedRow.name).where(UnmatchedRow.session_id == session_id)).all()
    assert sorted(len(n) for n in names) == [200, 200]


def test_target_forvaltningar_are_a_labelled_group_of_checkboxes(coordinator):
    page = coordinator.get("/tillfallen/nytt").get_data(as_text=True)
    group = page.split("<fieldset>")[1].split("</fieldset>")[0]
    assert "<legend>" in group and 'type="checkbox"' in group and 'name="targets"' in group
    assert '<label for="targets">' not in page  # a label pointing at a list labels nothing
