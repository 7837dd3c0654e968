"""The main menu grouped by what a person does, the page each role lands on, and who may use a page.

One table serves the menu (only what the signed-in person may use), the landing page after sign-in and the
line on a 403 page that says which roles can use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_login import current_user

EVERYONE = ()  # every signed-in person

ROLE_NAMES = {"learner": "deltagare", "hr": "HR", "coordinator": "samordnare", "editor": "redaktörer",
              "admin": "administratörer"}


@dataclass(frozen=True)
class Link:
    """One menu entry: its text, its endpoint, the roles that may use it (EVERYONE: all), more endpoints it covers."""

    label: str
    endpoint: str
    roles: tuple[str, ...] = EVERYONE
    covers: tuple[str, ...] = ()  # endpoint prefixes ("reports.") or names that belong to this entry


MENU: list[tuple[str, list[Link]]] = [
    ("Lära", [Link("Kurser", "learn.index", covers=("learn.", "certificates.mine", "groups.", "survey.answer")),
              Link("Mina sidor", "mypages.index")]),
    ("Följa upp", [Link("Rapporter", "reports.index", ("coordinator", "hr"),
                        ("reports.dashboard", "reports.persons", "reports.index")),
                   Link("Utvärdering", "survey.index", ("coordinator", "hr", "editor"),
                        ("survey.index", "survey.texts")),
                   Link("Återrapport", "programme.report", ("coordinator",), ("council.", "programme.")),
                   Link("Tilldelningar", "assignments.index", ("coordinator", "hr"),
                        ("assignments.index", "assignments.new"))]),
    ("Innehåll", [Link("Redigera", "editor.index", ("editor",), ("editor.",)),
                  Link("Frågeanalys", "reports.quiz_first", ("coordinator", "editor"), ("reports.quiz_",))]),
    ("Administrera", [Link("Användare", "admin.users", ("admin",), ("admin.",)),
                      Link("Personal", "staff.index", ("coordinator",), ("staff.",)),
                      Link("Tillfällen", "sessions.index", ("coordinator",), ("sessions.",)),
                      Link("API-nycklar", "api_tokens.index", ("coordinator",), ("api_tokens.",)),
                      Link("Kontakter", "contacts.index", ("admin",), ("contacts.index",))]),
]
# The editors' way to the contact texts they lack (the admins' full page is in Administrera).
EDITOR_CONTACTS = Link("Kontakter", "contacts.missing", ("editor",), ("contacts.missing",))

# After sign-in, each role lands on the page it uses most.
LANDING = {"admin": "admin.users", "coordinator": "reports.index", "hr": "reports.index", "editor": "editor.index"}

ALL_LINKS = [link for _, links in MENU for link in links] + [EDITOR_CONTACTS]
# Who may use pages that are not menu entries of their own, for the line on a 403 page.
EXTRA_ROLES = {"reports.access_log": ("admin",), "survey.report": ("coordinator", "hr"),
               "assignments.my_units": EVERYONE, "assignments.unit": EVERYONE}


def allowed(user, link: Link) -> bool:
    """True if the user may use the page the link opens."""
    return not link.roles or user.has_role(*link.roles)


def menu_for(user) -> list[tuple[str, list[tuple[Link, bool]]]]:
    """The groups with the entries this user may use, each with whether it is the current page's entry."""
    groups = []
    for name, links in MENU:
        mine = [link for link in links if allowed(user, link)]
        if name == "Innehåll" and user.role == "editor":
            mine.append(EDITOR_CONTACTS)
        if mine:
            groups.append((name, [(link, _current(link)) for link in mine]))
    return groups


def _covers(link: Link, endpoint: str) -> bool:
    """True if the endpoint is the link's page or one it covers (a cover ending in . or _ is a prefix)."""
    return endpoint == link.endpoint or any(
        endpoint.startswith(c) if c.endswith((".", "_")) else endpoint == c for c in link.covers)


def _current(link: Link) -> bool:
    return _covers(link, request.endpoint or "")


def landing_page(user) -> str:
    """The URL a role lands on after sign-in."""
    return url_for(LANDING.get(user.role, "learn.index"))


def who_can(endpoint: str | None) -> str | None:
    """A sentence naming the roles that may use the page at endpoint, or None if it is not known."""
    endpoint = endpoint or ""
    roles = EXTRA_ROLES.get(endpoint)
    if roles is None:
        link = next((link for link in ALL_LINKS if _covers(link, endpoint)), None)
        if link is None:
            return None
        roles = link.roles
    if not roles:
        return None
    names = [ROLE_NAMES[r] for r in roles if r != "admin"] + [ROLE_NAMES["admin"]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]
    return (f"Sidan är till för {listed}. Behöver du den i ditt arbete, be en administratör om behörighet.")


def register(app: Flask) -> None:
    """Make the menu available to every template."""

    @app.context_processor
    def menu():
        if current_user and current_user.is_authenticated:
            return {"menu_groups": menu_for(current_user)}
        return {"menu_groups": []}
