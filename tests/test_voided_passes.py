"""A pass voided by a required retake counts nowhere, and every surface says how many were voided, alike."""

from __future__ import annotations

import csv
import html
import io
import json
import re

from tests.api_builders import api_json, new_token
from tests.editor_builders import edit_form, editor_client, file_id, submit
from tests.helpers import login, make_user, published, take_quiz

OLD = "### Vad är det som främst skiljer"
NEW = "### Vad är det som framför allt skiljer"
API = "/api/v1/courses/grundkurs"


def _learner(app, n: int):
    make_user(app, f"deltagare{n}@malmo.se", name=f"Deltagare {n:02d}")
    client = app.test_client()
    assert login(client, f"deltagare{n}@malmo.se").status_code == 302
    return client


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def _surfaces(app, admin, secret: str, title: str, voided_text: str) -> dict[str, tuple]:
    """(passed, voided) for the first part, and the voided sentence's presence, as each surface shows them."""
    found = {}
    page = html.unescape(admin.get("/rapporter/grundkurs/").get_data(as_text=True))
    table = page.split("<caption>Godkända per del")[1].split("</table>")[0]
    cells = re.search(r'<th scope="row">' + re.escape(title) + r"</th><td>([^<]*)</td><td>([^<]*)</td>", table)
    found["dashboard"] = (int(cells.group(1)), int(cells.group(2)), voided_text in page)
    parts = _csv(admin.get("/rapporter/grundkurs/delar.csv"))
    row = next(r for r in parts if r[0] == title)
    assert parts[0] == ["Del", "Godkända", "Godkännanden som inte räknas längre (kunskapstestet ändrades och måste göras om)"]
    found["dashboard csv"] = (int(row[1]), int(row[2]), None)

    page = html.unescape(admin.get("/rapporter/grundkurs/personer").get_data(as_text=True))
    rows = [r.split("</td>") for r in page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]]
    column = 4  # after förvaltning, enhet, roll, status: the first part
    states = [r[column] for r in rows]
    found["people"] = (sum("✓ Godkänd" in s for s in states), sum("Måste göra om" in s for s in states),
                       voided_text in page)
    people = _csv(admin.get("/rapporter/grundkurs/personer.csv"))
    index = people[0].index(title)
    found["people csv"] = (sum(r[index] == "Godkänd" for r in people[1:]),
                           sum(r[index].startswith("Måste göra om") for r in people[1:]), None)

    page = html.unescape(admin.get("/rapporter/grundkurs/kunskapstest").get_data(as_text=True))
    section = page.split(f"<h2>{title}</h2>")[1].split("<h2>")[0]
    passed = re.search(r"Godkända: (\d+), varav", section)
    numbers = re.search(r"(\d+) godkännanden? räknas inte längre: kunskapstestet ändrades", section)
    found["quiz analysis"] = (int(passed.group(1)), int(numbers.group(1)) if numbers else 0, None)

    api = api_json(app, API + "/participation", secret)["parts"][0]
    found["api participation"] = (api["passed"], api["voided"], None)
    api = api_json(app, API + "/quiz", secret)["parts"][0]
    found["api quiz"] = (api["passed"], api["voided"], None)

    page = html.unescape(admin.get(f"/redaktor/fil/{file_id(app)}").get_data(as_text=True))
    passed = re.search(r"Godkända: (\d+) deltagare", page)
    numbers = re.search(r"(\d+) godkännanden? räknas inte längre: kunskapstestet ändrades", page)
    found["editor"] = (int(passed.group(1)), int(numbers.group(1)) if numbers else 0, None)
    return found


def test_a_retake_voids_passes_on_every_surface_alike_and_completions_stay(app):
    course = published(app)
    title = course.part("del-1").doc.title
    learners = [_learner(app, n) for n in range(12)]
    for client in learners:
        assert take_quiz(client, app, "del-1").status_code == 302
    for part in course.required_parts[1:]:  # learner 0 completes the whole course before the change
        take_quiz(learners[0], app, part.slug)
    for client in learners[1:6]:  # another part, untouched by the change
        take_quiz(client, app, "del-2")
    admin = editor_client(app, "admin@malmo.se", role="admin")
    secret = new_token(admin)
    sentence = f"räknas inte längre: kunskapstestet i ”{title}” ändrades och måste göras om."

    before = _surfaces(app, admin, secret, title, sentence)
    assert {name: figures[:2] for name, figures in before.items()} == {name: (12, 0) for name in before}
    assert sentence not in html.unescape(admin.get("/rapporter/grundkurs/").get_data(as_text=True))

    fid = file_id(app)
    form = edit_form(admin, fid)
    response = submit(admin, fid, form, "publish", markdown=form["markdown"].replace(OLD, NEW), message="Ny fråga",
                      earlier="retake")
    assert response.status_code == 302
    # From the moment of the publish: all twelve passes are void, and nothing else changed.
    after = _surfaces(app, admin, secret, title, sentence)
    assert {name: figures[:2] for name, figures in after.items()} == {name: (0, 12) for name in after}
    assert after["dashboard"][2] and after["people"][2]

    for client in learners[7:]:  # five learners pass the new quiz: their passes count again
        assert take_quiz(client, app, "del-1").status_code == 302
    after = _surfaces(app, admin, secret, title, sentence)
    assert {name: figures[:2] for name, figures in after.items()} == {name: (5, 7) for name in after}
    dashboard = html.unescape(admin.get("/rapporter/grundkurs/").get_data(as_text=True))
    assert f"7 godkännanden {sentence}" in dashboard
    assert f"7 godkännanden {sentence}" in html.unescape(admin.get("/rapporter/grundkurs/personer").get_data(as_text=True))
    quiz = html.unescape(admin.get("/rapporter/grundkurs/kunskapstest").get_data(as_text=True))
    assert "<li>5 personer har gjort testet.</li>" in quiz  # the new question set's attempts only
    assert "12 försök på testet före ändringen räknas inte här." in quiz
    other = api_json(app, API + "/participation", secret)["parts"][1]
    assert (other["passed"], other["voided"]) == (6, 0)

    # Learner 0 completed the course before the change: the completion and its certificate stay.
    people = _csv(admin.get("/rapporter/grundkurs/personer.csv"))
    header = people[0]
    row = next(r for r in people if r[0] == "Deltagare 00")
    assert (row[header.index("Status")], row[header.index(title)]) == ("Klar", "Måste göra om (testet ändrades)")
    page = learners[0].get("/kurs/grundkurs/").get_data(as_text=True)
    assert "Du har klarat 4 av 5 delar." in page and "Visa ditt intyg" in page
    mine = json.loads(learners[0].get("/mina-sidor/mina-uppgifter.json").get_data(as_text=True))["godkända_delar"]
    assert [(p["del"], p["räknas"]) for p in mine[:2]] == [("grundkurs/del-1.md", False), ("grundkurs/del-2.md", True)]
