"""No subtraction across views: a city with a förvaltning of four, read as an outsider would.

Every figure on every surface (the dashboard page for the city, for each förvaltning and for HR with
several förvaltningar; its CSV and XLSX; the JSON API) is collected, and tests/disclosure.py checks
that no cell hidden in one view can be worked out from all the others together.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timezone
from itertools import combinations

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from learning.accounts.models import Organisation, User
from learning.accounts.services import set_roles
from learning.api.services import create_token
from learning.content.services import published_course
from learning.extensions import db
from learning.learn.models import CourseCompletion, PartCompletion, QuizAttempt
from learning.staff.models import StaffAssignment, StaffMember
from tests.api_builders import api_json
from tests.disclosure import K, Published
from tests.helpers import login, make_user
from tests.report_builders import MARCH, city  # noqa: F401  (the fixture)
from tests.survey_builders import completed_learner, org_id

PERIOD = "?fran=2026-03&till=2026-04"
APRIL = datetime(2026, 4, 15, 12, tzinfo=timezone.utc)
HR_SETS = {"hr-kf@malmo.se": ["kul", "fsk"], "hr-fg@malmo.se": ["fsk", "gsf"], "hr-kg@malmo.se": ["kul", "gsf"]}
MAIN = ("registered", "started", "completed", "staff", "covered", "covered_ever")


def _pass_every_part(app, user_ids: list[int], parts: int | None = None) -> None:
    with app.app_context():
        course = published_course("grundkurs")
        for user_id in user_ids:
            for part in course.required_parts[:parts]:
                attempt = QuizAttempt(user_id=user_id, content_file_id=part.file_id, revision_id=part.revision_id,
                                      token=f"t{user_id}-{part.file_id}", answers={}, correct_count=1,
                                      question_count=1, score=100, passed=True, created_at=MARCH)
                db.session.add(attempt)
                db.session.flush()
                db.session.add(PartCompletion(user_id=user_id, content_file_id=part.file_id,
                                              revision_id=part.revision_id, attempt_id=attempt.id, completed_at=MARCH))
        db.session.commit()


@pytest.fixture
def small_city(city):
    """The report city (fsk 9 completed, gsf 11) and Kulturförvaltningen, where 4 people passed and completed.

    Small cells elsewhere too: 2 chefs (women) in gsf, 1 completion in fsk in April, a unit of fsk
    with 2 of 5 staff done, 3 in gsf who passed only the first part.
    """
    for n in range(4):
        completed_learner(city, f"kul{n}@malmo.se", "kul", MARCH, gender="kvinna" if n < 2 else "man",
                          org_role="chef" if n == 0 else "medarbetare")
    for n in range(2):
        completed_learner(city, f"gsf-chef{n}@malmo.se", "gsf", APRIL, gender="kvinna", org_role="chef")
    completed_learner(city, "fsk-april@malmo.se", "fsk", APRIL, gender="man")
    partial = [make_user(city, f"gsf-del{n}@malmo.se", organisation="gsf") for n in range(3)]
    with city.app_context():
        for user_id in partial:
            db.session.get(User, user_id).created_at = MARCH
        db.session.commit()
        completers = list(db.session.scalars(select(CourseCompletion.user_id)))
    _pass_every_part(city, completers)
    _pass_every_part(city, partial, parts=1)
    with city.app_context():
        members = db.session.execute(select(StaffAssignment, StaffMember.email).join(StaffMember)
                                     .where(StaffAssignment.organisation_id == org_id("fsk"))
                                     .order_by(StaffMember.employee_id)).all()
        small = {"FSK0@MALMO.SE", "FSK1@MALMO.SE", "INGENFSK0@MALMO.SE", "INGENFSK1@MALMO.SE", "INGENFSK2@MALMO.SE"}
        for assignment, email in members:
            assignment.unit = "Avdelning B" if email in small else "Avdelning A"
        db.session.commit()
    for email, codes in HR_SETS.items():
        user_id = make_user(city, email)
        with city.app_context():
            set_roles(user_id, "hr", codes)
    return city


def _codes(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Organisation.name, Organisation.code)
                                       .where(Organisation.active.is_(True))).all())


def _number(text: str) -> int | None:
    text = html.unescape(text).strip()
    return None if text.startswith("för få") else int(text)


def _table(page: str, caption: str) -> list[tuple[str, list[str]]] | None:
    match = re.search(r"<caption>" + re.escape(caption) + r"[^<]*</caption>(.*?)</table>", page, re.S)
    if match is None:
        return None
    return [(html.unescape(label), re.findall(r"<td[^>]*>([^<]*)</td>", cells))
            for label, cells in re.findall(r'<th scope="row">([^<]*)</th>(.*?)</tr>', match.group(1), re.S)]


def _read_page(published: Published, page: str, rows: frozenset, names: dict[str, str], surface: str) -> None:
    for label, cells in _table(page, "Per förvaltning"):
        scope = rows if label == "Totalt" else frozenset({names[label]})
        hidden = cells == ["för få"]
        for key, text in zip(("registered", "started", "completed"), cells[:3] if not hidden else [None] * 3):
            published.add(scope, ("main", key), None if hidden else int(text), surface)
        if hidden:
            published.add(scope, ("main", "staff"), None, surface)
        elif cells[4] != "–":
            published.add(scope, ("main", "staff"), int(cells[4]), surface)
    covered = re.search(r"(\d+) av (\d+) anställda har klarat kursen", page)
    if covered:
        published.add(rows, ("main", "covered"), int(covered.group(1)), surface)
    families = [("part", "Godkända per del"), ("role", "Klara per roll"), ("gender", "Klara per kön"),
                ("month", "Klara per månad")]
    for family, caption in families:
        for label, cells in _table(page, caption) or []:
            published.add(rows, (family, label), _number(cells[0]), surface)
    for label, cells in _table(page, "Täckning per enhet") or []:
        hidden = cells == ["för få"]
        published.add(rows, ("unit-staff", label), None if hidden else int(cells[0]), surface)
        published.add(rows, ("unit-covered", label), None if hidden else int(cells[1]), surface)


def _read_export(published: Published, body: bytes, fmt: str, rows: frozenset, names: dict, surface: str) -> None:
    if fmt == "csv":
        table = list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    else:
        table = [["" if v is None else str(v) for v in row]
                 for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)]
    for name, registered, started, completed, _rate, staff, covered, _coverage, ever in table[1:]:
        scope = rows if name == "Totalt" else frozenset({names[name]})
        for key, text in zip(MAIN, (registered, started, completed, staff, covered, ever)):
            if text != "":
                published.add(scope, ("main", key), _number(text), surface)


def _read_api(published: Published, participation: dict, completion: dict, rows: frozenset, surface: str) -> None:
    for row in completion["rows"] + [completion["total"]]:
        scope = rows if row["forvaltning"] is None else frozenset({row["forvaltning"]})
        for key in MAIN:
            if row[key] is not None or row["hidden"]:
                published.add(scope, ("main", key), row[key], surface)
    for key in MAIN:
        if participation["totals"][key] is not None or participation["totals"]["hidden"]:
            published.add(rows, ("main", key), participation["totals"][key], surface)
    for part in participation["parts"]:
        published.add(rows, ("part", part["title"]), part["passed"], surface)
    for family, entries in (("role", participation["by_role"]), ("gender", participation["by_gender"])):
        for entry in entries:
            published.add(rows, (family, entry["label"]), entry["completed"], surface)
    for entry in participation["trend"]:
        published.add(rows, ("month", entry["month"]), entry["completed"], surface)


def _api_token(app, email: str, codes: list[str] | None) -> str:
    user_id = make_user(app, email, role="coordinator")
    with app.app_context():
        _token, secret = create_token(db.session.get(User, user_id), "Kontroll")
        if codes:
            set_roles(user_id, "hr", codes)  # the token stays, the scope narrows
    return secret


def _every_view(app) -> tuple[Published, frozenset]:
    """Every figure of every dashboard surface, for the city, each förvaltning and each HR user."""
    names = _codes(app)
    city_rows = frozenset(names.values())
    published = Published()
    views = [("samordnare@malmo.se", city_rows, "")]
    views += [("samordnare@malmo.se", frozenset({code}), f"&forvaltning={code}") for code in sorted(city_rows)]
    views += [(email, frozenset(codes), "") for email, codes in HR_SETS.items()]
    for email, rows, narrow in views:
        client = app.test_client()
        login(client, email)
        page = client.get("/rapporter/grundkurs/" + PERIOD + narrow).get_data(as_text=True)
        _read_page(published, page, rows, names, f"sidan ({email}{narrow})")
        for fmt in ("csv", "xlsx"):
            body = client.get(f"/rapporter/grundkurs/forvaltningar.{fmt}{PERIOD}{narrow}").get_data()
            _read_export(published, body, fmt, rows, names, f"{fmt} ({email}{narrow})")
    tokens = [(_api_token(app, "api@malmo.se", None), city_rows, "")]
    tokens += [(_api_token(app, f"api-{code}@malmo.se", None), frozenset({code}), f"&forvaltning={code}")
               for code in ("kul", "fsk", "gsf")]
    tokens += [(_api_token(app, f"api-{n}@malmo.se", codes), frozenset(codes), "")
               for n, codes in enumerate(HR_SETS.values())]
    for secret, rows, narrow in tokens:
        base = "/api/v1/courses/grundkurs/"
        _read_api(published, api_json(app, base + "participation" + PERIOD + narrow, secret),
                  api_json(app, base + "completion" + PERIOD + narrow, secret), rows, f"API {sorted(rows)}")
    return _with_unlisted_zeros(published), city_rows


def _with_unlisted_zeros(published: Published) -> Published:
    """A category a view does not list has no one in it there (the page lists what it has)."""
    labels: dict[str, set] = {}
    for _rows, (family, label) in published.figures:
        labels.setdefault(family, set()).add(label)
    views = {rows for rows, _key in published.figures}
    for family in ("role", "gender", "month"):
        for rows in views:
            for label in labels.get(family, ()):
                if (rows, (family, label)) not in published.figures:
                    published.add(rows, (family, label), 0, "an unlisted category")
    return published


def _identities(published: Published, city_rows: frozenset) -> list[dict]:
    """What anyone knows: completions per role, gender and month add up to completions; units to staff."""
    labels: dict[str, set] = {}
    for _rows, (family, label) in published.figures:
        labels.setdefault(family, set()).add(label)
    identities = []
    for code in city_rows:
        for family in ("role", "gender", "month"):
            identities.append({(code, ("main", "completed")): -1,
                               **{(code, (family, label)): 1 for label in labels.get(family, ())}})
    for unit_key, main_key in (("unit-staff", "staff"), ("unit-covered", "covered")):
        for code in city_rows:
            units = {label for rows, (family, label) in published.figures if family == unit_key and code in rows}
            if units:
                identities.append({(code, ("main", main_key)): -1, **{(code, (unit_key, u)): 1 for u in units}})
    return identities


def test_no_hidden_cell_can_be_worked_out_from_other_views(small_city):
    published, city_rows = _every_view(small_city)
    hidden = published.hidden_cells()
    # The city really has small cells in every table, each hidden in its förvaltning's own view.
    families = {key[0] for _code, key in hidden}
    assert {"main", "part", "role", "gender", "month", "unit-staff", "unit-covered"} <= families, families
    assert ("kul", ("part", next(k[1] for _c, k in hidden if k[0] == "part"))) in hidden
    assert ("gsf", ("role", "Chef")) in hidden and ("fsk", ("month", "2026-04")) in hidden
    # The plain attack: the city minus every other förvaltning's own view.
    for code, key in hidden:
        others = [published.figures.get((frozenset({other}), key)) for other in city_rows - {code}]
        city_figure = published.figures.get((city_rows, key))
        assert city_figure is None or None in others, (code, key, city_figure, others)
    # Every figure together, with what anyone knows about how they add up.
    solved = published.solved(_identities(published, city_rows))
    given_away = {cell: value for cell, value in solved.items() if cell in hidden and value != 0}
    assert not given_away
    # And no two views differ by a small group.
    for key in {key for _rows, key in published.figures}:
        shown = [(rows, value) for (rows, k), value in published.figures.items() if k == key and value is not None]
        for (small, a), (large, b) in combinations(sorted(shown, key=lambda item: len(item[0])), 2):
            if small < large:
                assert not 0 < b - a < K, (key, sorted(small), a, sorted(large), b)


def test_a_forvaltning_of_four_is_hidden_in_every_view_that_holds_it_alone(small_city):
    published, city_rows = _every_view(small_city)
    kul = frozenset({"kul"})
    for key in [("main", m) for m in ("registered", "completed")] + [
            ("part", title) for _rows, (family, title) in published.figures if family == "part"]:
        assert published.figures[kul, key] is None, key
        # The city's figure is still shown: the decision hides a second cell instead of the total.
        assert published.figures[city_rows, key] is not None, key


def test_the_evaluation_hides_the_completions_that_the_dashboard_hides(small_city):
    # Four more in fsk in June: its completions now outnumber gsf's, but it is still the förvaltning with
    # the smallest group (8 staff who completed), so the dashboard hides it as the second cell.
    for n in range(4):
        completed_learner(small_city, f"fsk-juni{n}@malmo.se", "fsk", datetime(2026, 6, 10, tzinfo=timezone.utc))
    client = small_city.test_client()
    login(client, "samordnare@malmo.se")
    names = _codes(small_city)
    published = Published()
    # The evaluation's half-year is a period of the dashboard too; its "Genomförda kurser" are the same people.
    page = client.get("/rapporter/grundkurs/?fran=2026-01&till=2026-06").get_data(as_text=True)
    _read_page(published, page, frozenset(names.values()), names, "sidan")
    body = client.get("/utvardering/grundkurs/resultat.csv?halvar=2026-1").get_data(as_text=True)
    survey = {row[0]: row[2] for row in list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))[1:]}
    hidden = {code for code, (family, key) in published.hidden_cells() if (family, key) == ("main", "completed")}
    assert {"kul", "fsk"} <= hidden
    for name, code in names.items():
        if name in survey:
            dashboard = published.figures[frozenset({code}), ("main", "completed")]
            assert _number(survey[name]) == dashboard, (name, survey[name], dashboard)
    assert {name for name, code in names.items() if code in hidden} <= set(survey)  # listed, as "för få"


def test_the_council_report_hides_the_forvaltningar_that_the_dashboard_hides(small_city):
    for n in range(4):  # fsk now has more completions than gsf, but still the smallest group (8 staff done)
        completed_learner(small_city, f"fsk-fler{n}@malmo.se", "fsk", APRIL)
    client = small_city.test_client()
    login(client, "samordnare@malmo.se")
    names = _codes(small_city)
    published = Published()
    _read_page(published, client.get("/rapporter/grundkurs/" + PERIOD).get_data(as_text=True),
               frozenset(names.values()), names, "sidan")
    # Only the web course in the period: a förvaltning's participants are its completions.
    for fmt in ("", ".csv"):
        body = client.get(f"/rapporter/grundkurs/aterrapport{fmt}{PERIOD}").get_data(as_text=True)
        if fmt:
            council = {row[1]: row[2] for row in csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")
                       if row and row[0] == "Per förvaltning"}
        else:
            table = body.split('id="forvaltningar"')[1].split("</table>")[0]
            council = dict(re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', table))
        for name, code in names.items():
            dashboard = published.figures[frozenset({code}), ("main", "completed")]
            if dashboard is None or name in council:
                assert _number(council[name]) == dashboard, (fmt, name, council.get(name), dashboard)


@pytest.mark.parametrize("row_totals", [True, False])
def test_no_random_table_lets_a_hidden_cell_be_solved(row_totals):
    """protect and hide_rows on 150 random small tables, checked by solving everything they show."""
    import random

    from learning.privacy import hide_rows, protect

    rng = random.Random(10)
    for _ in range(150):
        rows = [f"f{n}" for n in range(rng.randint(2, 6))]
        columns = [f"c{n}" for n in range(rng.randint(1, 5))]
        cells = {(r, c): rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 12, 30]) for r in rows for c in columns}
        totals = {r: sum(cells[r, c] for c in columns) for r in rows}
        forced, total_hidden = (hide_rows({r: (totals[r], rng.choice([0, 3, 8, 20])) for r in rows})
                                if row_totals else (frozenset(), False))
        decided = protect(cells, rows, columns, row_totals=row_totals, forced=forced, total_hidden=total_hidden)
        if not row_totals:  # the city's view of such a table is read from its totals alone (tables._part_totals)
            assert decided.hidden_totals == {c for c in columns if 0 < sum(cells[r, c] for r in rows) < K}
        published = Published()
        city = frozenset(rows)
        for (r, c), n in cells.items():
            published.add(frozenset({r}), ("cell", c), None if (r, c) in decided.hidden else n, "cell")
        for c in columns:
            published.add(city, ("cell", c), decided.sum(None, c), "city")
        identities = []
        if row_totals:  # the förvaltningar's totals and the city's, as the main table shows them
            for r in rows:
                published.add(frozenset({r}), ("total",), None if r in forced else totals[r], "row")
                identities.append({(r, ("total",)): -1, **{(r, ("cell", c)): 1 for c in columns}})
            published.add(city, ("total",), None if total_hidden else sum(totals.values()), "city")
        solved = published.solved(identities)
        assert not {cell: v for cell, v in solved.items() if cell in published.hidden_cells() and v}, cells
