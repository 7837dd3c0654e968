"""The staff list: import with bad rows, re-imports with leavers and movers, headcounts, CLI and pages."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from learning.accounts.models import Organisation
from learning.extensions import db
from learning.staff import services
from learning.staff.models import StaffAssignment, StaffMember
from tests.helpers import csrf_token, login, make_user

HEADER = ["anstallningsnummer", "namn", "epost", "forvaltning", "enhet", "roll"]
JAN, FEB, MAR = date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 1)


def csv_bytes(rows: list[list[str]], header=HEADER, sep: str = ",", encoding: str = "utf-8") -> bytes:
    """A staff list file as the HR system or Excel would save it."""
    return "\r\n".join(sep.join(row) for row in [header, *rows]).encode(encoding) + b"\r\n"


def person(number: str, org: str = "fsk", unit: str = "Förskola Norr", role: str = "medarbetare",
           name: str | None = None, email: str | None = None) -> list[str]:
    """One row of the staff list."""
    return [number, name or f"Person {number}", email or f"p{number}@malmo.se", org, unit, role]


def org_id(code: str) -> int:
    """The database id of a förvaltning."""
    return db.session.scalar(select(Organisation.id).filter_by(code=code))


def history(employee_id: str) -> list[tuple[str, str, date, date | None]]:
    """(förvaltning code, role, valid_from, valid_to) of one person, oldest first."""
    return [tuple(row) for row in db.session.execute(
        select(Organisation.code, StaffAssignment.org_role, StaffAssignment.valid_from, StaffAssignment.valid_to)
        .join(Organisation, Organisation.id == StaffAssignment.organisation_id)
        .join(StaffMember, StaffMember.id == StaffAssignment.staff_id)
        .where(StaffMember.employee_id == employee_id).order_by(StaffAssignment.id))]


def member(employee_id: str) -> StaffMember:
    """The staff member with this employee id."""
    return db.session.scalar(select(StaffMember).filter_by(employee_id=employee_id))


MIXED = csv_bytes([
    person("1001", email="Anna.Andersson@malmo.se"),                     # line 2: good
    person("1002", org="Fritidsförvaltningen", role="Chef"),             # line 3: good, by name
    person("1003", org="okänd"),                                         # line 4
    person("1004", email="dan.dahl@"),                                   # line 5
    person("1001", name="Anna Kopia"),                                   # line 6
    person("", name="Eva Ek"),                                           # line 7
    person("1007", role="vd"),                                           # line 8
    person("1008", unit="", role="HR"),                                  # line 9: good, no unit
    ["1009", "", "p1009@malmo.se", "fsk", "Förskola Norr", "medarbetare"],  # line 10
])


def test_bad_rows_are_reported_by_line_and_the_good_rows_are_imported(app):
    with app.app_context():
        report = services.import_staff(MIXED, JAN)
        assert (report.created, report.updated, report.moved, report.deactivated) == (3, 0, 0, 0)
        assert report.problems == [
            (4, "Förvaltningen ”okänd” finns inte i organisationslistan. Använd förvaltningens kod eller hela namnet."),
            (5, "E-postadressen ”dan.dahl@” är inte giltig."),
            (6, "Anställningsnumret 1001 finns redan på rad 2; bara den första raden läses in."),
            (7, "Anställningsnummer saknas."),
            (8, "Rollen ”vd” är okänd. Använd medarbetare, chef eller HR."),
            (10, "Namn saknas."),
        ]
        assert member("1001").name == "Person 1001" and member("1001").email == "anna.andersson@malmo.se"
        assert history("1002") == [("fri", "chef", JAN, None)]
        assert history("1008") == [("fsk", "hr", JAN, None)]
        assert db.session.scalar(select(func.count(StaffMember.id))) == 3


@pytest.mark.parametrize("encoding, sep", [("cp1252", ";"), ("utf-8-sig", ";"), ("utf-8", "\t")])
def test_excel_files_are_read_whatever_the_encoding_and_separator(app, encoding, sep):
    header = ["Förvaltning", "Namn", "Anställningsnummer", "E-post", "Roll", "Enhet"]
    data = csv_bytes([["hvo", "Åsa Öberg", "2001", "asa.oberg@malmo.se", "chef", "Vård Söder, äldreboende"]],
                     header=header, sep=sep, encoding=encoding)
    with app.app_context():
        report = services.import_staff(data, JAN)
        assert report.created == 1 and report.problems == []
        assert member("2001").name == "Åsa Öberg"
        assert db.session.scalar(select(StaffAssignment.unit)) == "Vård Söder, äldreboende"


def test_excels_sep_line_is_honoured_and_a_stray_separator_is_reported(app):
    rows = [person("1"), ["2", "Berg, Bo", "bo.berg@malmo.se", "fsk", "Enhet", "chef"]]
    data = b"sep=,\r\n" + csv_bytes(rows)
    with app.app_context():
        report = services.import_staff(data, JAN)
        assert report.created == 1 and report.problems[0] == (
            4, "Raden har 7 fält men rubrikraden 6. Kontrollera avgränsare och citattecken.")
        assert history("1") == [("fsk", "medarbetare", JAN, None)]


@pytest.mark.parametrize("data, message", [
    (b"nummer,namn,mejl\r\n1,Anna,a@malmo.se\r\n", "kolumnerna anställningsnummer, e-post, förvaltning, enhet, roll saknas"),
    (b"PK\x03\x04\x14\x00\x06\x00binary", "Excel-arbetsbok"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "inte en textfil"),
    (b"", "Filen är tom"),
    (csv_bytes([]), "bara en rubrikrad"),
    (csv_bytes([person("1", org="okänd"), person("2", role="vd")]), "Ingen rad i filen gick att läsa in"),
])
def test_a_file_that_is_not_a_staff_list_changes_nothing(app, data, message):
    with app.app_context():
        services.import_staff(csv_bytes([person("1001"), person("1002")]), JAN)
        with pytest.raises(services.StaffImportError, match=message):
            services.import_staff(data, FEB)
        assert [m.active for m in db.session.scalars(select(StaffMember))] == [True, True]
        assert history("1001") == [("fsk", "medarbetare", JAN, None)]


def test_reimport_marks_leavers_moves_movers_and_keeps_history(app):
    with app.app_context():
        services.import_staff(csv_bytes([person("1"), person("2"), person("3", org="gsf")]), JAN)
        report = services.import_staff(csv_bytes([
            person("2", org="gsf", role="chef"), person("3", org="gsf"), person("4")]), MAR)
        assert (report.created, report.updated, report.moved, report.deactivated) == (1, 0, 1, 1)
        assert member("1").active is False and history("1") == [("fsk", "medarbetare", JAN, MAR)]
        assert history("2") == [("fsk", "medarbetare", JAN, MAR), ("gsf", "chef", MAR, None)]
        assert history("3") == [("gsf", "medarbetare", JAN, None)]
        assert history("4") == [("fsk", "medarbetare", MAR, None)]
        assert member("2").active and member("3").active and member("4").active

        fsk, gsf = org_id("fsk"), org_id("gsf")
        assert services.headcounts(None, date(2026, 1, 1)) == {}
        assert services.headcounts(None, FEB) == {fsk: 2, gsf: 1}
        assert services.headcounts(None, MAR) == {fsk: 1, gsf: 2}
        assert services.headcounts(frozenset({gsf}), FEB) == {gsf: 1}
        assert services.headcounts(frozenset(), FEB) == {}
        assert services.headcounts_by(None, MAR, "org_role") == {
            (fsk, "medarbetare"): 1, (gsf, "chef"): 1, (gsf, "medarbetare"): 1}
        assert services.headcounts_by(None, FEB, "unit") == {(fsk, "Förskola Norr"): 2, (gsf, "Förskola Norr"): 1}


def test_reimporting_the_same_file_changes_nothing(app):
    data = csv_bytes([person("1"), person("2", org="gsf")])
    with app.app_context():
        services.import_staff(data, JAN)
        stamps = [m.updated_at for m in db.session.scalars(select(StaffMember).order_by(StaffMember.id))]
        report = services.import_staff(data, MAR)
        assert (report.created, report.updated, report.moved, report.deactivated, report.reactivated) == (0, 0, 0, 0, 0)
        assert [m.updated_at for m in db.session.scalars(select(StaffMember).order_by(StaffMember.id))] == stamps
        assert history("1") == [("fsk", "medarbetare", JAN, None)]


def test_new_name_is_an_update_a_bad_row_is_not_a_leaver_and_leavers_can_return(app):
    with app.app_context():
        services.import_staff(csv_bytes([person("1"), person("2"), person("3")]), JAN)
        report = services.import_staff(csv_bytes([person("1", name="Nytt Namn"), person("2", org="okänd")]), FEB)
        assert (report.updated, report.moved, report.deactivated) == (1, 0, 1)
        assert member("1").name == "Nytt Namn" and history("1") == [("fsk", "medarbetare", JAN, None)]
        assert member("2").active and history("2") == [("fsk", "medarbetare", JAN, None)]
        assert not member("3").active
        report = services.import_staff(csv_bytes([person("1", name="Nytt Namn"), person("2"), person("3")]), MAR)
        assert (report.reactivated, report.created, report.deactivated) == (1, 0, 0)
        assert history("3") == [("fsk", "medarbetare", JAN, FEB), ("fsk", "medarbetare", MAR, None)]


def test_hand_entered_headcount_counts_only_where_no_staff_list_exists(app):
    with app.app_context():
        services.set_headcount("fsk", 500, 40)
        services.set_headcount("mil", 120, None)
        assert services.headcounts(None, FEB) == {org_id("fsk"): 500, org_id("mil"): 120}
        services.import_staff(csv_bytes([person("1"), person("2")]), JAN)
        assert services.headcounts(None, FEB) == {org_id("fsk"): 2, org_id("mil"): 120}
        assert services.headcounts(frozenset({org_id("fsk")}), FEB) == {org_id("fsk"): 2}
        services.set_headcount("mil", 130, 12)  # a second entry replaces the first
        assert services.headcounts(None, FEB)[org_id("mil")] == 130


@pytest.mark.parametrize("code, staff, managers, message", [
    ("mil", -1, None, "Antalet anställda ska vara ett heltal från 0 till 200 000."),
    ("mil", 200_001, None, "Antalet anställda ska vara ett heltal från 0 till 200 000."),
    ("mil", 10, 11, "Antalet chefer kan inte vara större än antalet anställda."),
    ("finns-inte", 10, None, "Välj en förvaltning i listan."),
])
def test_unusable_headcounts_are_refused(app, code, staff, managers, message):
    with app.app_context():
        with pytest.raises(services.HeadcountError, match=message):
            services.set_headcount(code, staff, managers)
        assert services.headcounts(None, FEB) == {}


def test_import_staff_command(app, runner, tmp_path):
    good, bad = tmp_path / "personal.csv", tmp_path / "fel.csv"
    good.write_bytes(MIXED)
    bad.write_bytes(b"namn;mejl\nAnna;a@malmo.se\n")
    result = runner.invoke(args=["import-staff", str(good), "--date", "2026-01-15"])
    assert result.exit_code == 0, result.output
    assert "3 nya" in result.output and "6 rader kunde inte läsas in" in result.output
    assert "rad 4: Förvaltningen ”okänd” finns inte i organisationslistan." in result.output
    assert "rad 10: Namn saknas." in result.output
    refused = runner.invoke(args=["import-staff", str(bad)])
    assert refused.exit_code == 1
    assert "Filen är inte en personallista" in refused.output and "Ingenting har ändrats." in refused.output
    with app.app_context():
        assert history("1002") == [("fri", "chef", JAN, None)]


def confirm_import(client, preview_page: str, **extra):
    """Press "Läs in listan" on the preview page (its hidden fields as they are)."""
    fields = dict(re.findall(r'<input [^>]*name="(csrf_token|file_data|fingerprint|steg)"[^>]*value="([^"]*)"',
                             preview_page))
    fields.update(re.findall(r'<input [^>]*id="(csrf_token|file_data|fingerprint)"[^>]*value="([^"]*)"',
                             preview_page))
    return client.post("/personal/importera", data={**fields, "steg": "bekrafta", **extra})


def _coordinator(app, client, role: str = "coordinator"):
    make_user(app, "samordnare@malmo.se", name="Sam Ordnare", role=role)
    assert login(client, "samordnare@malmo.se").status_code == 302


def test_coordinator_uploads_the_staff_list_and_sees_the_problems(app, client):
    _coordinator(app, client)
    assert 'href="/personal/"' in client.get("/mina-sidor/").get_data(as_text=True)  # the menu link
    token = csrf_token(client, "/personal/importera")
    previewed = client.post("/personal/importera", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(MIXED), "personal.csv")})
    assert previewed.status_code == 200 and "Nya i listan: <strong>3 personer</strong>" in previewed.get_data(
        as_text=True)
    response = confirm_import(client, previewed.get_data(as_text=True))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Personallistan är inläst" in page and "Nya: 3" in page
    assert '<th scope="row">rad 5</th><td>E-postadressen ”dan.dahl@” är inte giltig.</td>' in page
    overview = client.get("/personal/").get_data(as_text=True)
    assert "<th scope=\"row\">Förskoleförvaltningen</th>\n      <td>2</td>" in overview

    refused = client.post("/personal/importera", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(b"a;b\n1;2\n"), "fel.csv")})
    assert refused.status_code == 400
    assert "Något behöver rättas" in refused.get_data(as_text=True)
    assert "Ingenting har ändrats." in refused.get_data(as_text=True)
    missing = client.post("/personal/importera", data={"csrf_token": token})
    assert missing.status_code == 400 and "Välj en fil att läsa in." in missing.get_data(as_text=True)


def test_coordinator_enters_a_headcount_by_hand(app, client):
    _coordinator(app, client, role="admin")
    token = csrf_token(client, "/personal/antal?forvaltning=mil")
    wrong = client.post("/personal/antal", data={"csrf_token": token, "organisation": "mil", "staff": "många"})
    assert wrong.status_code == 400 and "Skriv ett heltal med siffror" in wrong.get_data(as_text=True)
    saved = client.post("/personal/antal", data={"csrf_token": token, "organisation": "mil", "staff": "1 200",
                                                 "managers": "80"}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "Antalet anställda för Miljöförvaltningen är sparat." in page and "1200 (inmatat)" in page
    assert 'value="1200"' in client.get("/personal/antal?forvaltning=mil").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/personal/", "/personal/importera", "/personal/antal"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/logga-in")


@pytest.mark.parametrize("role", ["learner", "hr", "editor"])
def test_only_coordinators_and_admins_reach_the_staff_pages(app, client, role):
    _coordinator(app, client, role=role)
    assert 'href="/personal/"' not in client.get("/mina-sidor/").get_data(as_text=True)
    for url in ("/personal/", "/personal/importera", "/personal/antal"):
        assert client.get(url).status_code == 403
    token = csrf_token(client, "/mina-sidor/")
    assert client.post("/personal/importera", data={"csrf_token": token}).status_code == 403
    assert client.post("/personal/antal", data={"csrf_token": token, "organisation": "mil",
                                                "staff": "5"}).status_code == 403
    with app.app_context():
        assert services.headcounts(None, FEB) == {}
