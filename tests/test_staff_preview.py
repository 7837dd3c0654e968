"""The staff import shows what it would change and changes nothing before it is confirmed; a second, explicit
question when more than a tenth of the active staff would be marked as having left."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from learning.extensions import db
from learning.staff import services
from learning.staff.models import StaffMember
from tests.helpers import csrf_token, login, make_user
from tests.test_concurrency import parallel
from tests.test_staff import confirm_import, csv_bytes, person


def _staff(app, count: int) -> None:
    with app.app_context():
        services.import_staff(csv_bytes([person(str(1000 + n)) for n in range(count)]), date(2026, 1, 15))


def _active(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StaffMember.id)).where(StaffMember.active.is_(True)))


def _preview(app, client, rows):
    make_user(app, "samordnare@malmo.se", role="coordinator")
    login(client, "samordnare@malmo.se")
    return client.post("/personal/importera", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/personal/importera"),
        "file": (io.BytesIO(csv_bytes(rows)), "personal.csv")})


def test_the_preview_names_every_change_and_changes_nothing(app, client):
    _staff(app, 10)
    rows = [person(str(1000 + n)) for n in range(10) if n != 3]  # 1003 left
    rows[0] = person("1000", name="Person 1000 Nyberg")  # renamed
    rows[1] = person("1001", org="gsf")  # moved
    rows.append(person("2000", name="Ny Nilsson"))  # new
    response = _preview(app, client, rows)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for line in ("Nya i listan: <strong>1 person</strong>", "Markeras som slutade: <strong>1 person</strong>",
                 "Byter förvaltning, enhet eller roll: <strong>1 person</strong>",
                 "Får nytt namn eller ny e-postadress: <strong>1 person</strong>"):
        assert line in page
    for name in ("Ny Nilsson", "Person 1003", "Person 1001", "Person 1000 Nyberg"):
        assert f"<li>{name}</li>" in page
    assert "Många markeras som slutade" not in page  # 1 of 10 is not more than a tenth
    assert _active(app) == 10
    with app.app_context():
        assert db.session.scalar(select(StaffMember.name).filter_by(employee_id="1000")) == "Person 1000"
    done = confirm_import(client, page)
    assert done.status_code == 200 and "Personallistan är inläst" in done.get_data(as_text=True)
    assert _active(app) == 10  # 1003 left, 2000 came


def test_many_leaving_needs_a_second_explicit_yes(app, client):
    _staff(app, 10)
    page = _preview(app, client, [person("1000")]).get_data(as_text=True)  # 9 of 10 would leave
    assert "Många markeras som slutade" in page and "9 personer av 10 aktiva" in page
    assert "Ja, 9 personer ska markeras som slutade" in page
    refused = confirm_import(client, page)
    assert refused.status_code == 400
    assert "Kryssa i rutan om 9 personer verkligen ska markeras som slutade" in refused.get_data(as_text=True)
    assert _active(app) == 10
    done = confirm_import(client, refused.get_data(as_text=True), confirm_departures="y")
    assert done.status_code == 200 and "Markerade som slutade: 9" in done.get_data(as_text=True)
    assert _active(app) == 1


def test_a_list_changed_after_the_preview_is_shown_again(app, client):
    _staff(app, 10)
    page = _preview(app, client, [person(str(1000 + n)) for n in range(10)] + [person("2000")]).get_data(
        as_text=True)
    with app.app_context():  # someone else imports meanwhile
        services.import_staff(csv_bytes([person(str(1000 + n)) for n in range(9)]), date(2026, 2, 1))
    again = confirm_import(client, page)
    assert again.status_code == 409
    assert "Personallistan har ändrats sedan du såg ändringarna" in again.get_data(as_text=True)
    assert _active(app) == 9


def test_a_damaged_confirmation_changes_nothing(app, client):
    _staff(app, 10)
    page = _preview(app, client, [person("1000")]).get_data(as_text=True)
    response = client.post("/personal/importera", data={
        "csrf_token": csrf_token(client, "/personal/importera"), "steg": "bekrafta", "file_data": "!!!",
        "fingerprint": "x", "confirm_departures": "y"})
    assert response.status_code == 400 and "Ingenting har ändrats" in response.get_data(as_text=True)
    assert _active(app) == 10 and "Läs in listan" in page


def test_two_confirmations_at_once_import_one_list_and_show_the_other_the_change(app):
    """Two coordinators previewed different files against the same list and press "Läs in listan" together.

    Both previews were true when shown; only the first import to take the list's lock may go ahead. The
    second is checked again under the lock and gets the preview of what its file would now change.
    """
    _staff(app, 10)
    make_user(app, "samordnare@malmo.se", role="coordinator")
    make_user(app, "hr-samordnare@malmo.se", role="coordinator")
    first, second = app.test_client(), app.test_client()
    login(first, "samordnare@malmo.se")
    login(second, "hr-samordnare@malmo.se")
    pages = []
    for client, rows in ((first, [person(str(1000 + n)) for n in range(10)] + [person("2000")]),
                         (second, [person(str(1000 + n)) for n in range(10)] + [person("3000")])):
        pages.append(client.post("/personal/importera", content_type="multipart/form-data", data={
            "csrf_token": csrf_token(client, "/personal/importera"),
            "file": (io.BytesIO(csv_bytes(rows)), "personal.csv")}).get_data(as_text=True))
    statuses = parallel([lambda: confirm_import(first, pages[0]).status_code,
                         lambda: confirm_import(second, pages[1]).status_code])
    assert sorted(statuses) == [200, 409]
    with app.app_context():
        new = set(db.session.scalars(select(StaffMember.employee_id).where(StaffMember.employee_id.in_(["2000", "3000"]))))
    assert len(new) == 1  # one file's person, never both
