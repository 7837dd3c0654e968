"""export-content writes what is published back in the courses/ layout; importing it again changes nothing."""

from __future__ import annotations

from tests.editor_builders import edit_form, editor_client, file_id, revision_count, submit
from tests.helpers import COURSES


def test_export_then_import_round_trips_with_no_new_revisions(app, runner, tmp_path):
    editor = editor_client(app)
    fid = file_id(app, "del-2.md")
    form = edit_form(editor, fid)
    changed = form["markdown"].replace("## Det här lär du dig", "## Det här lär du dig\n\nÄndrad i webbläsaren.", 1)
    assert submit(editor, fid, form, "publish", markdown=changed.replace("\n", "\r\n"), message="Ny").status_code == 302
    count = revision_count(app)

    result = runner.invoke(args=["export-content", str(tmp_path / "ut")])
    assert result.exit_code == 0 and "7 filer skrivna" in result.output
    exported = tmp_path / "ut" / "grundkurs"
    assert sorted(p.name for p in exported.iterdir()) == sorted(p.name for p in (COURSES / "grundkurs").glob("*.md")
                                                               if p.name != "README.md")
    assert "Ändrad i webbläsaren." in (exported / "del-2.md").read_text(encoding="utf-8")
    assert b"\r" not in (exported / "del-2.md").read_bytes()
    assert (exported / "del-1.md").read_bytes() == (COURSES / "grundkurs" / "del-1.md").read_bytes()

    result = runner.invoke(args=["import-content", str(tmp_path / "ut")])
    assert result.exit_code == 0, result.output
    assert "0 nya versioner, 7 oförändrade filer." in result.output
    assert revision_count(app) == count
    # And a second round trip is just as quiet.
    runner.invoke(args=["export-content", str(tmp_path / "ut")])
    assert "0 nya versioner" in runner.invoke(args=["import-content", str(tmp_path / "ut")]).output


def test_an_exported_file_edited_in_git_comes_back_as_a_new_revision(app, runner, client, learner, tmp_path):
    runner.invoke(args=["export-content", str(tmp_path)])
    path = tmp_path / "grundkurs" / "del-3.md"
    path.write_text(path.read_text(encoding="utf-8").replace("## Det här lär du dig", "## Det här lär du dig\n\nFrån git.", 1),
                    encoding="utf-8")
    result = runner.invoke(args=["import-content", str(tmp_path)])
    assert "1 nya versioner, 6 oförändrade filer." in result.output
    assert "Från git." in client.get("/kurs/grundkurs/del-3").get_data(as_text=True)
