"""check-content: each kind of broken file is reported with file:line; broken content never starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning import create_app
from learning.content.parsing import parse
from learning.content.services import ContentInvalid
from tests.helpers import app_config

COURSE = "---\ntitle: Testkurs\nsummary: En kurs för tester.\n---\n\nVälkommen.\n"


def part(order: int = 1, body: str = "## Inledning\n\nText om ämnet.\n", questions: int = 5, head: str = "") -> str:
    """A valid part file; tests break one thing in it."""
    quiz = "\n".join(
        f"### Fråga nummer {n}?\n\n- [ ] Fel svar\n- [x] Rätt svar\n\nFörklaring: Därför är det så.\n"
        for n in range(1, questions + 1)
    )
    return (f"---\ntitle: Del {order}\norder: {order}\nestimated_minutes: 10\n{head}---\n\n"
            f"{body}\n## Kunskapstest\n\n{quiz}")


def write_course(root: Path, **files: str) -> Path:
    course = root / "testkurs"
    course.mkdir(parents=True)
    (course / "course.md").write_text(COURSE)
    for name, text in files.items():
        (course / f"{name}.md").write_text(text)
    return course


def run_check(runner, root: Path):
    return runner.invoke(args=["check-content", str(root)])


def test_valid_course_passes(runner, tmp_path):
    write_course(tmp_path, **{"del-1": part(1), "del-2": part(2)})
    result = run_check(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "0 fel, 0 platshållare" in result.output


def test_shipped_course_has_no_errors(runner):
    result = runner.invoke(args=["check-content"])
    assert "\n0 fel," in "\n" + result.output.splitlines()[-1]


@pytest.mark.parametrize("text, line, message", [
    (part(1).replace("title: Del 1\n", "title: [Del 1\n"), 2, "Huvudet går inte att läsa"),
    ("title: Del 1\n\nText\n", 1, "måste börja med ett huvud"),
    (part(1).replace("order: 1", "order: första"), 2, "'order'"),
    (part(1).replace("estimated_minutes: 10\n", "estimated_minutes: 10\npass-mark: 70\n"), 2, "Okänd nyckel"),
    (part(1).replace("- [x] Rätt svar", "- [ ] Rätt svar", 1), 13, "saknar rätt svar"),
    (part(1).replace("\nFörklaring: Därför är det så.\n", "\n", 1), 13, "saknar förklaring"),
    (part(1).replace("- [ ] Fel svar", "- [ Fel svar", 1), 15, "Svarsalternativ skrivs"),
    (part(1, questions=3), 11, "minst 5 behövs"),
    (part(1, body="## Inledning\n\n![](bild.png)\n"), 9, "saknar alt-text"),
    (part(1, body="## Inledning\n\nRing [[SAKNAS: telefonnummer]].\n"), 9, "Platshållare kvar: telefonnummer"),
    (part(1, body="# Stor rubrik\n\nText\n"), 7, "Rubriknivå 1"),
    (part(1, body="## Inledning\n\n#### För djup\n"), 9, "hoppar från 2 till 4"),
    (part(1, body="## Inledning\n\nText\n").replace("## Kunskapstest", "## Kunskapstest\n\n## Efter testet"), 13,
     "måste vara den sista"),
])
def test_broken_part_is_reported_with_file_and_line(runner, tmp_path, text, line, message):
    course = write_course(tmp_path, **{"del-1": text})
    result = run_check(runner, tmp_path)
    assert result.exit_code == 1
    expected = f"{course / 'del-1.md'}:{line}: "
    matching = [row for row in result.output.splitlines() if row.startswith(expected)]
    assert any(message in row for row in matching), result.output


def test_two_parts_with_the_same_order_are_reported(runner, tmp_path):
    course = write_course(tmp_path, **{"del-1": part(1), "del-2": part(1)})
    result = run_check(runner, tmp_path)
    assert result.exit_code == 1
    assert f"{course / 'del-2.md'}:2: fel: Samma 'order' (1) som del-1.md." in result.output


def test_file_that_is_not_utf8_is_reported(runner, tmp_path):
    course = write_course(tmp_path, **{"del-1": part(1)})
    (course / "del-1.md").write_bytes(part(1).encode("cp1252"))
    result = run_check(runner, tmp_path)
    assert f"{course / 'del-1.md'}:1: fel: Filen är inte sparad som UTF-8." in result.output


def test_app_refuses_to_start_on_broken_content(database_url, tmp_path):
    write_course(tmp_path, **{"del-1": part(1).replace("- [x]", "- [ ]")})
    with pytest.raises(ContentInvalid) as error:
        create_app(app_config(database_url, CHECK_CONTENT_ON_START=True, COURSES_DIR=str(tmp_path)))
    assert "saknar rätt svar" in str(error.value)


def test_app_starts_with_placeholders_left_in(database_url, tmp_path):
    write_course(tmp_path, **{"del-1": part(1, body="## Kontakt\n\n[[SAKNAS: telefonnummer]]\n")})
    create_app(app_config(database_url, CHECK_CONTENT_ON_START=True, COURSES_DIR=str(tmp_path)))


def test_markdown_cannot_carry_scripts_or_javascript_links():
    doc = parse(part(1, body=(
        "## Inledning\n\n<script>alert(1)</script>\n\n[Klicka](javascript:alert(2))\n\n"
        '<img src="x" alt="bild" onerror="alert(3)">\n\n<iframe src="https://example.org"></iframe>\n'
    )))
    html = doc.body_html
    assert "<script" not in html and "javascript:" not in html
    assert "onerror" not in html and "<iframe" not in html
    assert '<a rel="noopener noreferrer">Klicka</a>' in html


def test_placeholders_are_shown_as_marked_gaps():
    doc = parse(part(1, body="## Kontakt\n\nRing [[SAKNAS: telefonnummer till <b>teamet</b>]].\n"))
    assert '<mark class="placeholder">[Uppgift saknas: telefonnummer till &lt;b&gt;teamet&lt;/b&gt;]</mark>' in doc.body_html


def test_placeholder_inside_a_link_title_keeps_the_markup_valid():
    doc = parse(part(1, body='## Kontakt\n\n[Teamet](https://malmo.se "[[SAKNAS: titel]]")\n'))
    assert 'title="&lt;mark class=&quot;placeholder&quot;&gt;[Uppgift saknas: titel]&lt;/mark&gt;"' in doc.body_html


def test_table_of_contents_shows_headings_as_written():
    doc = parse(part(1, body="## Barn & unga\n\nText.\n"))
    assert doc.toc[0].title == "Barn & unga"


def test_choose_several_marker_makes_checkboxes_with_one_right_answer():
    doc = parse(part(1).replace("### Fråga nummer 1?", "### Fråga nummer 1? (välj flera)", 1))
    assert not doc.errors
    assert doc.questions[0].multiple and doc.questions[0].correct_ids == {"2"}
    assert doc.questions[0].text == "Fråga nummer 1?"


def test_quiz_is_parsed_with_single_and_multiple_choice():
    text = part(1).replace("- [ ] Fel svar\n- [x] Rätt svar\n\nFörklaring: Därför är det så.",
                           "- [x] Rätt A\n- [x] Rätt B\n- [ ] Fel\n\nFörklaring: Båda.", 1)
    doc = parse(text)
    assert not doc.problems
    first = doc.questions[0]
    assert first.multiple and first.correct_ids == {"1", "2"}
    assert not doc.questions[1].multiple
    assert first.explanation_html == "Båda."


@pytest.mark.parametrize("survey, message", [
    ("survey:\n  scales:\n    - key: nojd\n      text: Nöjd?\n", "ska ha key, text, low, high"),
    ("survey:\n  questions:\n    - key: bra\n      text: Bra?\n", "minst en fråga med skala 1–5"),
    ("survey:\n  scales:\n    - {key: 'Nöjd!', text: a, low: b, high: c}\n", "'key' får bara innehålla"),
    ("survey: ja\n", "'survey' ska ha listorna"),
])
def test_broken_survey_definition_is_reported(runner, tmp_path, survey, message):
    course = write_course(tmp_path, **{"del-1": part(1)})
    (course / "course.md").write_text(COURSE.replace("---\n\n", survey + "---\n\n", 1))
    result = run_check(runner, tmp_path)
    assert result.exit_code == 1
    assert any(row.startswith(f"{course / 'course.md'}:2: fel: ") and message in row
               for row in result.output.splitlines()), result.output
