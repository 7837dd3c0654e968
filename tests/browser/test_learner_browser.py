"""A learner in a real browser: sign up, fail and pass a quiz, take every part, get the certificate.

Every page on the way is checked with axe-core for WCAG 2.1 A/AA violations.
"""

from __future__ import annotations

import re

from tests.helpers import link_in_mail, published

COURSE = "/kurs/grundkurs"
NAME = "Saga Browserström"
EMAIL = "saga.browserstrom@malmo.se"
PASSWORD = "ett-långt-lösenord-7"


def _option(page, question_id: str, option_id: str):
    return page.locator(f'input[id="q-{question_id}-{option_id}"]')


def answer_quiz(page, part, *, right: bool) -> None:
    """Tick the answers on the open part page: all correct ones, or for each question a wrong one."""
    for question in part.doc.questions:
        if right:
            chosen = sorted(question.correct_ids)
        else:
            chosen = [next(o.id for o in question.options if not o.correct)]
        for option_id in chosen:
            _option(page, question.id, option_id).check()
        if right and question.multiple:
            for option in question.options:
                if not option.correct:
                    assert not _option(page, question.id, option.id).is_checked()


def submit_quiz(page, part_slug: str) -> None:
    page.get_by_role("button", name="Skicka in svaren").click()
    page.wait_for_url(re.compile(rf"{COURSE}/{part_slug}/resultat/\d+$"))


def test_learner_signs_up_takes_the_course_and_gets_a_certificate(app, page, axe, mailbox):
    course = published(app)
    slugs = [p.slug for p in course.required_parts]
    assert slugs == ["del-1", "del-2", "del-3", "del-4", "del-5"]

    # Sign-in page, signed out.
    page.goto("/logga-in")
    assert page.get_by_role("heading", level=1).inner_text() == "Logga in"
    axe(page, "the sign-in page")

    # Sign up through the real form.
    page.get_by_role("link", name="Skapa ett konto med din e-post i tjänsten").click()
    page.wait_for_url("**/registrera")
    assert page.get_by_role("heading", level=1).inner_text() == "Skapa konto"
    axe(page, "the sign-up page")
    page.get_by_label("Namn", exact=True).fill(NAME)
    page.get_by_label("E-postadress i tjänsten").fill(EMAIL)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_label("Upprepa lösenordet").fill(PASSWORD)
    page.get_by_label("Förvaltning").select_option(label="Grundskoleförvaltningen")
    page.get_by_label("Roll i organisationen").select_option(label="Medarbetare")
    page.get_by_role("button", name="Skapa konto").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kolla din e-post"
    axe(page, "the check-your-mail page")

    # Confirms the address through the link in the mail, then signs in.
    page.goto(link_in_mail(mailbox, "/bekrafta/"))
    page.wait_for_url("**/logga-in")
    assert "Din e-postadress är bekräftad" in page.content()
    page.get_by_label("E-postadress").fill(EMAIL)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    # Lands on the course start page.
    page.wait_for_url(f"**{COURSE}/")
    assert page.get_by_role("heading", level=1).inner_text() == course.title
    assert "Du har klarat 0 av 5 delar." in page.inner_text("main")
    axe(page, "the course start page")

    # Del 1: a wrong attempt first.
    del_1 = course.part("del-1")
    page.get_by_role("link", name=del_1.doc.title).click()
    page.wait_for_url(f"**{COURSE}/del-1")
    assert page.get_by_role("heading", level=1).inner_text() == del_1.doc.title
    axe(page, "the part page (del-1)")
    answer_quiz(page, del_1, right=False)
    submit_quiz(page, "del-1")
    main = page.inner_text("main")
    assert "Inte godkänd ännu" in main
    assert "Du hade 0 av" in main
    assert main.count("Förklaring:") == len(del_1.doc.questions)
    assert "Rätt alternativ" not in main  # a failed attempt does not give away the key
    axe(page, "the quiz result page (failed)")

    # Retry with the right answers.
    page.get_by_role("link", name="Gör testet igen").click()
    page.wait_for_url(f"**{COURSE}/del-1#kunskapstest")
    answer_quiz(page, del_1, right=True)
    submit_quiz(page, "del-1")
    main = page.inner_text("main")
    assert "Godkänd." in main and "Inte godkänd" not in main
    assert "Förklaring:" in main and "Rätt alternativ" in main
    axe(page, "the quiz result page (passed)")

    # The other parts, each reached from the previous result's "Fortsätt till" link.
    for slug in slugs[1:]:
        part = course.part(slug)
        page.get_by_role("link", name=f"Fortsätt till {part.doc.title}").click()
        page.wait_for_url(f"**{COURSE}/{slug}")
        answer_quiz(page, part, right=True)
        submit_quiz(page, slug)
        assert "Godkänd." in page.inner_text("main")

    # Every part passed: the result page offers the certificate.
    assert "Grattis! Du har klarat alla delar" in page.inner_text("main")

    page.get_by_role("link", name="Mina sidor").click()
    page.wait_for_url("**/mina-sidor/")
    assert "Du har klarat 5 av 5 delar." in page.inner_text("main")
    axe(page, "Mina sidor")

    page.goto(f"{COURSE}/")
    page.get_by_role("link", name="Visa ditt intyg").click()
    page.wait_for_url(f"**{COURSE}/intyg")
    certificate = page.locator(".certificate")
    assert certificate.locator(".name").inner_text() == NAME
    assert course.title in certificate.inner_text()
    axe(page, "the certificate page")
