"""Error pages, and keeping a learner's quiz answers when their session has expired."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, flash, make_response, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError

from learning.extensions import db
from learning.navigation import who_can
from learning.transactions import Busy

MESSAGES = {
    400: ("Felaktig förfrågan", "Sidan kunde inte ta emot det som skickades. Gå tillbaka och försök igen."),
    403: ("Åtkomst nekad", "Du har inte behörighet att se den här sidan."),
    404: ("Sidan finns inte", "Sidan du letar efter finns inte. Kontrollera adressen eller gå till startsidan."),
    405: ("Felaktig förfrågan", "Sidan kan inte användas på det sättet."),
    413: ("För stort", "Det du skickade är för stort."),
    429: ("För många försök", "Du har gjort för många försök på kort tid. Vänta en stund och försök igen."),
    503: ("Hög belastning just nu", "Många skickar in samtidigt och det du skickade kunde inte sparas. Inget har sparats "
          "till hälften: skicka samma sida igen om en liten stund."),
    500: ("Något gick fel", "Ett fel uppstod hos oss. Försök igen om en liten stund."),
}


def _page(code: int, error=None):
    title, text = MESSAGES[code]
    if request.path.startswith("/api/"):
        # Programs read the API: they get JSON for every error, also for routes that do not exist.
        from learning.api.views import json_error

        response = json_error(code, text)
        if getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
    who = who_can(request.endpoint) if code == 403 else None
    return render_template("errors/error.html", title=title, text=text, code=code, who=who), code


def csrf_error(error: CSRFError):
    """An expired or missing form token: keep quiz answers and send the learner back to the part."""
    if request.endpoint == "learn.submit" and _same_site():
        from learning.learn.views import PENDING_KEY, kept_answers

        part_url = url_for("learn.part", **request.view_args)
        answers = kept_answers(request.view_args["course_slug"], request.view_args["part_slug"], request.form)
        if answers:
            session[PENDING_KEY] = {"part": part_url, "answers": answers}
            flash("Din inloggning eller sidan hade gått ut innan du skickade in, så svaren rättades inte. "
                  "Dina svar är sparade.", "warning")
            return redirect(part_url)
    title = "Formuläret har gått ut"
    text = "Sidan var öppen för länge eller din inloggning har gått ut. Ladda om sidan och försök igen."
    return render_template("errors/error.html", title=title, text=text, code=400), 400


def _same_site() -> bool:
    # A post from another site must not be able to plant answers (or a new session) in the browser.
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    return origin is None or urlsplit(origin).netloc == request.host


def register(app: Flask) -> None:
    """Attach the handlers to the app."""
    for code in MESSAGES:
        app.register_error_handler(code, lambda error, code=code: _page(code, error))
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(DataError, lambda error: _data_error())
    app.register_error_handler(Busy, lambda error: _busy())


def _data_error():
    # A value the database cannot hold (too long, out of range): the user's input, not our fault.
    db.session.rollback()
    return _page(400)


def _busy():
    # Every retry of a write met a lock (write_transaction rolled each back): nothing was stored.
    db.session.rollback()
    response = make_response(_page(503))
    response.headers["Retry-After"] = "2"
    return response
