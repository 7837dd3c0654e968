"""The answer-key bias check: each kind of bias warned about with file:line; the shipped course is clean."""

from __future__ import annotations

from learning.content.checks import check_tree
from tests.helpers import COURSES
from tests.test_content_checks import part, run_check, write_course

BALANCED = ("### Fråga {n}: vad gör du?\n\n- [ ] Jag väntar en vecka.\n- [x] Jag gör en orosanmälan.\n"
            "- [ ] Jag ringer föräldrarna först.\n\nFörklaring: Därför.\n")


def quiz_file(*questions: str, head: str = "") -> str:
    """A part whose quiz is the given questions (a balanced one fills up to five)."""
    filler = [BALANCED.format(n=n) for n in range(len(questions) + 1, 6)]
    text = part(questions=0, head=head)
    return text.rstrip("\n") + "\n\n" + "\n".join([*questions, *filler])


def line_of(text: str, needle: str) -> int:
    return text.split("\n").index(needle) + 1


def warnings(root) -> list[str]:
    return [str(p) for p in check_tree(root) if p.problem.kind == "warning"]


def test_a_balanced_quiz_gets_no_warning(runner, tmp_path):
    write_course(tmp_path, **{"del-1": quiz_file()})
    result = run_check(runner, tmp_path)
    assert result.exit_code == 0
    assert "0 varningar" in result.output


LONG_KEY = ("### Vad gör du när {n}?\n\n- [ ] Väntar.\n- [x] Gör en orosanmälan till socialtjänsten direkt, "
            "även om du inte är säker, och dokumenterar vad du sett.\n- [ ] Ringer hem.\n\nFörklaring: Därför.\n")


def test_a_key_much_longer_than_the_others_is_warned_on_its_line(runner, tmp_path):
    text = quiz_file(LONG_KEY.format(n="hon är rädd"))
    course = write_course(tmp_path, **{"del-1": text})
    found = warnings(tmp_path)
    line = line_of(text, "### Vad gör du när hon är rädd?")
    assert f"{course / 'del-1.md'}:{line}: varning: Det rätta svaret är mer än 1,5 gånger" in "\n".join(found)
    result = run_check(runner, tmp_path)
    assert result.exit_code == 0  # a warning, not an error
    assert "varning: Det rätta svaret är mer än 1,5 gånger" in result.output


def test_the_key_longest_in_most_questions_is_warned_on_the_quiz_heading(tmp_path):
    slightly = ("### Fråga {n} om vad du gör?\n\n- [ ] Jag väntar en vecka.\n- [x] Jag gör en orosanmälan.\n"
                "- [ ] Jag ringer hem först.\n\nFörklaring: Därför.\n")
    text = quiz_file(*(slightly.format(n=n) for n in range(1, 4)))
    course = write_course(tmp_path, **{"del-1": text})
    found = warnings(tmp_path)
    assert found == [f"{course / 'del-1.md'}:{line_of(text, '## Kunskapstest')}: varning: Det rätta svaret är det "
                     "längsta alternativet i 3 av 5 frågor med ett rätt svar: gör de felaktiga alternativen lika "
                     "långa och precisa."]


def test_right_options_listed_first_are_warned_on_the_question(tmp_path):
    several = ("### Vilka tecken kan tyda på kontroll?\n\n- [x] Hon får inte delta i simning.\n"
               "- [x] Hon hämtas alltid av en bror.\n- [ ] Hon gillar matematik.\n\nFörklaring: Därför.\n")
    text = quiz_file(several)
    course = write_course(tmp_path, **{"del-1": text})
    line = line_of(text, "### Vilka tecken kan tyda på kontroll?")
    assert warnings(tmp_path) == [f"{course / 'del-1.md'}:{line}: varning: Alla rätta alternativ står först: "
                                  "blanda dem med de felaktiga."]
    mixed = several.replace("- [ ] Hon gillar matematik.\n", "").replace(
        "- [x] Hon får inte", "- [ ] Hon gillar matematik.\n- [x] Hon får inte")
    (course / "del-1.md").write_text(quiz_file(mixed))
    assert warnings(tmp_path) == []


def test_keys_in_one_place_are_warned_only_when_options_are_not_shuffled(tmp_path):
    text = quiz_file()  # the key is second in every question
    course = write_course(tmp_path, **{"del-1": text})
    assert warnings(tmp_path) == []
    (course / "course.md").write_text((course / "course.md").read_text().replace("---\n", "---\nshuffle_options: false\n", 1))
    assert warnings(tmp_path) == [f"{course / 'del-1.md'}:{line_of(text, '## Kunskapstest')}: varning: Det rätta "
                                  "svaret står på plats 2 i 5 av 5 frågor och alternativen blandas inte: sprid de "
                                  "rätta svaren över olika platser."]


def test_the_shipped_course_has_no_answer_key_bias():
    assert warnings(COURSES) == []


def test_the_editor_shows_bias_warnings_beside_their_lines(app, client):
    from tests.helpers import csrf_token, login, make_user
    from learning.content.models import ContentFile
    from learning.extensions import db
    from sqlalchemy import select

    make_user(app, "redaktor@malmo.se", role="editor")
    login(client, "redaktor@malmo.se")
    with app.app_context():
        file_id = db.session.scalar(select(ContentFile.id).where(ContentFile.filename == "del-1.md"))
    text = quiz_file(LONG_KEY.format(n="hon är rädd"))
    token = csrf_token(client, f"/redaktor/fil/{file_id}")
    page = client.post(f"/redaktor/fil/{file_id}/forhandsgranska",
                       data={"csrf_token": token, "markdown": text}).get_data(as_text=True)
    line = line_of(text, "### Vad gör du när hon är rädd?")
    assert f"Rad {line}</a> (varning):</strong> Det rätta svaret är mer än 1,5 gånger" in page
    assert '<code class="problem-line">### Vad gör du när hon är rädd?</code>' in page


def test_the_key_shortest_in_most_questions_is_warned_too(tmp_path):
    short = ("### Fråga {n} om vad du gör?\n\n- [ ] Jag väntar en vecka och ser.\n- [x] Jag anmäler.\n"
             "- [ ] Jag ringer föräldrarna först.\n\nFörklaring: Därför.\n")
    text = quiz_file(*(short.format(n=n) for n in range(1, 4)))
    course = write_course(tmp_path, **{"del-1": text})
    assert warnings(tmp_path) == [f"{course / 'del-1.md'}:{line_of(text, '## Kunskapstest')}: varning: Det rätta svaret "
                                  "är det kortaste alternativet i 3 av 5 frågor med ett rätt svar: variera längden så "
                                  "att den inte avslöjar svaret."]
