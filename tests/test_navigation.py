"""The menu grouped by activity shows only what a role may use; each role lands on its page; a 403 says who can."""

from __future__ import annotations

import re

import pytest

from tests.api_builders import as_role
from tests.helpers import csrf_token, make_user

GROUPS = {
    "learner": {"Lära": ["Kurser", "Mina sidor"]},
    "hr": {"Lära": ["Kurser", "Mina sidor"], "Följa upp": ["Rapporter", "Utvärdering", "Tilldelningar"]},
    "editor": {"Lära": ["Kurser", "Mina sidor"], "Följa upp": ["Utvärdering"],
               "Innehåll": ["Redigera", "Frågeanalys", "Kontakter"]},
    "coordinator": {"Lära": ["Kurser", "Mina sidor"],
                    "Följa upp": ["Rapporter", "Utvärdering", "Återrapport", "Tilldelningar"],
                    "Innehåll": ["Frågeanalys"], "Administrera": ["Personal", "Tillfällen", "API-nycklar"]},
    "admin": {"Lära": ["Kurser", "Mina sidor"],
              "Följa upp": ["Rapporter", "Utvärdering", "Återrapport", "Tilldelningar"],
              "Innehåll": ["Redigera", "Frågeanalys"],
              "Administrera": ["Användare", "Personal", "Tillfällen", "API-nycklar", "Kontakter"]},
}
LANDING = {"learner": "/", "hr": "/rapporter/", "editor": "/redaktor/", "coordinator": "/rapporter/",
           "admin": "/admin/anvandare"}


def _sign_in(app, role: str):
    email = f"{role}@malmo.se"
    make_user(app, email, role=role)
    if role == "hr":
        as_role(app, email, "hr", ["fsk"])
    client = app.test_client()
    response = client.post("/logga-in", data={"csrf_token": csrf_token(client, "/logga-in"), "email": email,
                                              "password": "ett-bra-lösenord-42"})
    return client, response


def _menu(html: str) -> dict[str, list[str]]:
    nav = html[html.index('aria-label="Huvudmeny"'):html.index("</nav>")]
    groups = {}
    for heading, links in re.findall(r'class="menu-heading"[^>]*>([^<]+)</span>\s*<ul[^>]*>(.*?)</ul>', nav, re.S):
        groups[heading] = re.findall(r"<a [^>]*>([^<]+)</a>", links)
    return groups


@pytest.mark.parametrize("role", list(GROUPS))
def test_each_role_sees_its_groups_and_lands_on_its_page(app, role):
    client, response = _sign_in(app, role)
    assert response.status_code == 302 and response.headers["Location"] == LANDING[role]
    page = client.get("/mina-sidor/").get_data(as_text=True)
    assert _menu(page) == GROUPS[role]
    # Every link in the menu opens for the role (a redirect to the first course's page counts).
    for href in re.findall(r'<li><a href="([^"]+)"', page[page.index('id="huvudmeny"'):page.index("</nav>")]):
        assert client.get(href).status_code in (200, 302), (role, href)


def test_a_page_the_role_cannot_use_says_who_can(app):
    client, _ = _sign_in(app, "hr")
    response = client.get("/rapporter/grundkurs/kunskapstest")
    assert response.status_code == 403
    assert "Sidan är till för samordnare, redaktörer och administratörer." in response.get_data(as_text=True)
    response = client.get("/personal/importera")
    assert response.status_code == 403
    assert "Sidan är till för samordnare och administratörer." in response.get_data(as_text=True)


def test_the_current_page_is_marked_in_the_menu(app):
    client, _ = _sign_in(app, "coordinator")
    page = client.get("/tillfallen/").get_data(as_text=True)
    assert '<a href="/tillfallen/" aria-current="page">Tillfällen</a>' in page
