"""One error pattern for every form: what the summary at the top lists and what each field says.

Every form that comes back with errors shows the same thing (templates/_forms.html, static/forms.js):
a summary at the top that receives focus, one link per error to the control it concerns, the message
at the field tied with aria-describedby, aria-invalid on the field, and a page title starting "Fel: ".
WTForms forms carry their errors themselves; hand-built forms (the quiz, the survey, report filters)
collect theirs in an Errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_wtf import FlaskForm
from jinja2 import pass_context
from markupsafe import Markup, escape
from wtforms.widgets import ListWidget


@dataclass(frozen=True)
class FieldError:
    """One error: the field it belongs to, the message, the id of the control a summary link focuses, and for
    an error on one line of a text, that line (the link then puts the cursor on it, static/editor-lines.js)."""

    name: str
    message: str
    target: str | None
    line: int | None = None


class LineMessage(str):
    """A WTForms error message about one line of a text area."""

    def __new__(cls, message: str, line: int):
        self = super().__new__(cls, message)
        self.line = line
        return self


class Errors:
    """The errors of a hand-built form, in the order they were found (the order of the fields)."""

    def __init__(self) -> None:
        self._by_name: dict[str, FieldError] = {}

    def add(self, name: str, message: str, target: str | None = "") -> None:
        """Record a field's error (the first one per field is kept); target "" means the control with id name."""
        self._by_name.setdefault(name, FieldError(name, message, name if target == "" else target))

    def __bool__(self) -> bool:
        return bool(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __iter__(self):
        return iter(self._by_name.values())

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def message(self, name: str) -> str | None:
        """The message shown at a field, or None."""
        error = self._by_name.get(name)
        return error.message if error else None

    def attrs(self, name: str, hint: str | None = None) -> Markup:
        """aria-describedby (hint and message) and aria-invalid for a hand-written control."""
        described = " ".join(part for part in (hint, message_id(name) if name in self else None) if part)
        html = f' aria-describedby="{escape(described)}"' if described else ""
        return Markup(html + (' aria-invalid="true"' if name in self else ""))


def message_id(name: str) -> str:
    """The id of the element holding a field's message (what aria-describedby points at)."""
    return f"{name}-fel"


def first_control_id(field) -> str:
    """The id a summary link should focus: the first radio button or checkbox of a group, else the field."""
    if isinstance(field.widget, ListWidget):
        first = next(iter(field), None)
        return first.id if first is not None else field.id
    return field.id


def entries(*sources) -> list[FieldError]:
    """Every error of the given forms (WTForms forms, Errors, things with an Errors as .errors, lists of these,
    or None), as the summary lists them."""
    found: list[FieldError] = []
    for source in sources:
        if isinstance(source, (list, tuple)):
            found.extend(entries(*source))
        elif isinstance(source, Errors):
            found.extend(source)
        elif isinstance(getattr(source, "errors", None), Errors):
            found.extend(source.errors)
        elif isinstance(source, FlaskForm):
            for name, messages in source.errors.items():
                field = source._fields.get(name)
                target = first_control_id(field) if field is not None and field.type != "CSRFTokenField" else None
                found.extend(FieldError(name, str(message), target, getattr(message, "line", None))
                             for message in messages)
    return found


def _has_errors(value) -> bool:
    return not isinstance(value, (list, tuple)) and bool(entries(value))


@pass_context
def page_has_errors(context) -> bool:
    """Whether the page being rendered shows a form with errors (its title then starts "Fel: ")."""
    return any(_has_errors(value) for value in context.get_all().values())


def register(app: Flask) -> None:
    """Make the helpers available to every template."""
    app.jinja_env.globals["error_entries"] = entries
    app.jinja_env.globals["page_has_errors"] = page_has_errors
    app.jinja_env.globals["message_id"] = message_id
