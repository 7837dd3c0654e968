"""New courses and parts from the browser, and a course that requires another to be completed first."""

from __future__ import annotations

import re

from sqlalchemy import select

from learning.content.models import ContentFile, Course
from learning.extensions import db
from tests.editor_builders import edit_form, editor_client, submit
from tests.helpers import COURSES, csrf_token, take_quiz

COURSE = """---
title: "Fördjupning om hedersrelaterat våld"
summary: Fortsättning på grundkursen.
requires: grundkurs
---

Välkommen till fördjupningen.
"""


def _without_contacts(text: str) -> str:
    # The shipped part names contacts that only the shipped course declares.
    return re.sub(r"^.*\{\{kontakt:[a-z0-9-]+\}\}.*\n", "", text, flags=re.MULTILINE)


def _create_course(editor, slug: str = "fordjupning", title: str = "Fördjupning"):
    token = csrf_token(editor, "/redaktor/")
    return editor.post("/redaktor/ny-kurs", data={"csrf_token": token, "slug": slug, "title": title})


def _file_id(location: str) -> int:
    return int(re.search(r"/redaktor/fil/(\d+)$", location).group(1))


def _course_id(editor) -> int:
    page = editor.get("/redaktor/").get_data(as_text=True)
    return int(re.findall(r'action="/redaktor/kurs/(\d+)/ny-del"', page)[-1])


def test_a_new_course_with_a_part_and_a_prerequisite(app, client, learner):
    editor = editor_client(app)
    response = _create_course(editor)
    assert response.status_code == 302
    course_file = _file_id(response.location)
    assert client.get("/kurs/fordjupning/").status_code == 404  # nothing published yet
    assert client.get("/").status_code == 302  # learners still go straight to the one course

    # The course file cannot go live before a part has.
    form = edit_form(editor, course_file)
    assert "title: &#34;Fördjupning&#34;" in editor.get(f"/redaktor/fil/{course_file}").get_data(as_text=True)
    response = submit(editor, course_file, form, "publish", markdown=COURSE, message="Ny kurs")
    assert response.status_code == 400 and "Kursen har ingen publicerad del" in response.get_data(as_text=True)

    token = csrf_token(editor, "/redaktor/")
    response = editor.post(f"/redaktor/kurs/{_course_id(editor)}/ny-del", data={"csrf_token": token, "name": "del-1"})
    part_file = _file_id(response.location)
    part_form = edit_form(editor, part_file)
    assert "## Kunskapstest" in part_form["markdown"]  # starts from a template showing the syntax
    text = _without_contacts(
        (COURSES / "grundkurs" / "del-1.md").read_text(encoding="utf-8").replace("Del 1:", "Fördjupning 1:", 1))
    assert submit(editor, part_file, part_form, "publish", markdown=text, message="Första delen").status_code == 302
    assert client.get("/kurs/fordjupning/").status_code == 404  # the course file is still a draft

    bad = COURSE.replace("requires: grundkurs", "requires: finns-inte")
    response = submit(editor, course_file, edit_form(editor, course_file), "publish", markdown=bad, message="Ny kurs")
    assert "det finns ingen annan publicerad kurs som heter finns-inte" in response.get_data(as_text=True)
    response = submit(editor, course_file, edit_form(editor, course_file), "publish", markdown=COURSE, message="Ny kurs")
    assert response.status_code == 302

    page = client.get("/kurs/fordjupning/")
    assert page.status_code == 403 and "Gå först kursen Grundkurs" in page.get_data(as_text=True)
    assert client.get("/kurs/fordjupning/del-1").status_code == 403
    for n in range(1, 6):
        take_quiz(client, app, f"del-{n}")
    page = client.get("/kurs/fordjupning/").get_data(as_text=True)
    assert "Fördjupning 1:" in page and "Välkommen till fördjupningen." in page
    assert "Fördjupning om hedersrelaterat våld" in client.get("/").get_data(as_text=True)
    assert editor.get("/kurs/fordjupning/").status_code == 200  # editors check courses without the prerequisite

    # The base course cannot in turn require the in-depth course: nobody could start either.
    with app.app_context():
        base_file = db.session.scalar(select(ContentFile.id).join(Course, Course.id == ContentFile.course_id)
                                      .where(Course.slug == "grundkurs", ContentFile.filename == "course.md"))
    base_form = edit_form(editor, base_file)
    circular = base_form["markdown"].replace("---\n", "---\nrequires: fordjupning\n", 1)
    response = submit(editor, base_file, base_form, "publish", markdown=circular, message="Cirkel")
    assert response.status_code == 400
    assert "fordjupning kräver i sin tur den här kursen" in response.get_data(as_text=True)


def test_course_and_part_names_are_checked(app):
    editor = editor_client(app)
    response = _create_course(editor, slug="../etc")
    assert response.status_code == 400 and "får bara innehålla a–z" in response.get_data(as_text=True)
    response = _create_course(editor, slug="grundkurs")
    assert response.status_code == 400 and "Det finns redan en kurs som heter grundkurs." in response.get_data(as_text=True)
    token = csrf_token(editor, "/redaktor/")
    course_id = _course_id(editor)
    for name, message in (("del-1", "Det finns redan en fil som heter del-1.md"), ("course", "får bara innehålla"),
                          ("Del 7/..", "får bara innehålla"), ("d" * 98, "Högst 97 tecken.")):
        response = editor.post(f"/redaktor/kurs/{course_id}/ny-del", data={"csrf_token": token, "name": name})
        assert response.status_code == 400 and message in response.get_data(as_text=True), name


def test_a_requirement_added_later_does_not_lock_out_learners_who_had_started(app, client, learner):
    from tests.helpers import login, make_user

    editor = editor_client(app)
    course_file = _file_id(_create_course(editor).location)
    token = csrf_token(editor, "/redaktor/")
    part_file = _file_id(editor.post(f"/redaktor/kurs/{_course_id(editor)}/ny-del",
                                     data={"csrf_token": token, "name": "del-1"}).location)
    text = _without_contacts(
        (COURSES / "grundkurs" / "del-1.md").read_text(encoding="utf-8").replace("Del 1:", "Fördjupning 1:", 1))
    submit(editor, part_file, edit_form(editor, part_file), "publish", markdown=text, message="Del")
    open_course = COURSE.replace("requires: grundkurs\n", "")
    assert submit(editor, course_file, edit_form(editor, course_file), "publish", markdown=open_course,
                  message="Öppen").status_code == 302
    assert client.get("/kurs/fordjupning/del-1").status_code == 200  # the learner starts the open course

    assert submit(editor, course_file, edit_form(editor, course_file), "publish", markdown=COURSE,
                  message="Kräver grundkursen").status_code == 302
    assert client.get("/kurs/fordjupning/del-1").status_code == 200  # already started: not locked out
    make_user(app, "ny@malmo.se")
    newcomer = app.test_client()
    login(newcomer, "ny@malmo.se")
    assert newcomer.get("/kurs/fordjupning/").status_code == 403  # not started, base course not done
