"""Course files become revisions in the database; every app process serves the newest one."""

from __future__ import annotations

import re
import shutil

from sqlalchemy import func, select

from learning import create_app
from learning.content.models import Revision
from learning.content.services import import_tree
from learning.extensions import db
from learning.learn.models import PartCompletion
from tests.helpers import COURSES, app_config, published, take_quiz


def _revisions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Revision.id)))


def test_import_is_idempotent(app, runner):
    before = _revisions(app)
    assert before == 7  # course.md, five parts and the managers' section
    result = runner.invoke(args=["import-content"])
    assert result.exit_code == 0
    assert "0 nya versioner, 7 oförändrade filer." in result.output
    assert _revisions(app) == before


def test_changed_file_becomes_a_new_revision_that_learners_see(app, client, learner, tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    path = root / "grundkurs" / "del-2.md"
    path.write_text(path.read_text().replace("## Det här lär du dig", "## Det här lär du dig\n\nNy mening från redaktionen.", 1))
    result = app.test_cli_runner().invoke(args=["import-content", str(root)])
    assert "Ny version: grundkurs/del-2.md" in result.output
    assert "1 nya versioner, 6 oförändrade filer." in result.output
    assert "Ny mening från redaktionen." in client.get("/kurs/grundkurs/del-2").get_data(as_text=True)


def test_broken_files_are_not_imported(app, tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    path = root / "grundkurs" / "del-3.md"
    path.write_text(path.read_text().replace("- [x]", "- [ ]"))
    result = app.test_cli_runner().invoke(args=["import-content", str(root)])
    assert result.exit_code == 1
    assert "del-3.md:" in result.output and "saknar rätt svar" in result.output
    assert _revisions(app) == 7


def test_a_second_app_process_serves_a_revision_imported_by_the_first(app, database_url, tmp_path):
    other = create_app(app_config(database_url))  # its own cache, like another gunicorn worker or host
    with other.app_context():
        assert "Ny rubrik" not in published(other).part("del-1").doc.body_html
    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    path = root / "grundkurs" / "del-1.md"
    path.write_text(path.read_text().replace("## Det här lär du dig", "## Ny rubrik\n\nText.\n\n## Det här lär du dig", 1))
    with app.app_context():
        import_tree(root)
    with other.app_context():
        assert "Ny rubrik" in published(other).part("del-1").doc.body_html
        db.engine.dispose()


def test_completion_points_at_the_revision_it_was_made_against(app, client, learner):
    take_quiz(client, app, "del-1")
    part = published(app).part("del-1")
    with app.app_context():
        completion = db.session.scalar(select(PartCompletion))
        assert completion.revision_id == part.revision_id
        assert db.session.get(Revision, completion.revision_id).number == 1


def _import_with(app, tmp_path, name: str, change) -> str:
    root = tmp_path / name
    shutil.copytree(COURSES, root)
    path = root / "grundkurs" / "del-1.md"
    path.write_text(change(path.read_text()))
    return app.test_cli_runner().invoke(args=["import-content", str(root)]).output


def test_undoing_a_change_on_disk_publishes_the_old_text_again(app, client, learner, tmp_path):
    _import_with(app, tmp_path, "b", lambda t: t.replace("## Det här lär du dig", "## Ändrad rubrik", 1))
    assert "Ändrad rubrik" in client.get("/kurs/grundkurs/del-1").get_data(as_text=True)
    output = _import_with(app, tmp_path, "a", lambda t: t)
    assert "Ny version: grundkurs/del-1.md" in output
    page = client.get("/kurs/grundkurs/del-1").get_data(as_text=True)
    assert "Ändrad rubrik" not in page and "Det här lär du dig" in page
    assert _revisions(app) == 9


def test_an_unchanged_file_does_not_override_a_newer_published_revision(app, client, learner):
    with app.app_context():
        part = published(app).part("del-1")
        newest = db.session.get(Revision, part.revision_id)
        text = newest.markdown.replace("## Det här lär du dig", "## Publicerat i webbläsaren", 1)
        db.session.add(Revision(content_file_id=part.file_id, number=newest.number + 1, markdown=text,
                                content_hash="x" * 64))
        db.session.commit()
    assert "0 nya versioner" in app.test_cli_runner().invoke(args=["import-content"]).output
    assert "Publicerat i webbläsaren" in client.get("/kurs/grundkurs/del-1").get_data(as_text=True)


def test_a_quiz_is_graded_against_the_revision_the_learner_saw(app, client, learner, tmp_path):
    from tests.helpers import quiz_form, quiz_page

    seen = published(app).part("del-1")
    csrf, token, round_ = quiz_page(client, "/kurs/grundkurs/del-1")

    def reorder(text: str) -> str:  # an editor swaps every question's first two options
        return re.sub(r"(- \[[ x]\] [^\n]+\n)(- \[[ x]\] [^\n]+\n)", r"\2\1", text)

    _import_with(app, tmp_path, "b", reorder)
    assert published(app).part("del-1").revision_id != seen.revision_id
    response = client.post("/kurs/grundkurs/del-1/kunskapstest", data=quiz_form(seen, token, csrf, round_=round_))
    assert "Godkänd." in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        completion = db.session.scalar(select(PartCompletion))
        assert completion.revision_id == seen.revision_id


def test_a_revision_of_another_part_is_refused(app, client, learner):
    from tests.helpers import quiz_form, quiz_page

    part = published(app).part("del-1")
    csrf, token, round_ = quiz_page(client, "/kurs/grundkurs/del-1")
    data = quiz_form(part, token, csrf, round_=round_)
    data["revision"] = str(published(app).part("del-2").revision_id)
    response = client.post("/kurs/grundkurs/del-1/kunskapstest", data=data)
    assert response.status_code == 400
    assert "Ladda om sidan" in response.get_data(as_text=True)
