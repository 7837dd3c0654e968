"""Filling {{kontakt:key}} into rendered course HTML: values are escaped text, links only https: or tel:."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from learning.content.rendering import CONTACT_RE

_LINK = re.compile(r"https://[^\s<>\"']+[^\s<>\"'.,;:!?)]|tel:\+?[0-9][0-9 -]{3,}[0-9]")


def missing_sentence(label: str) -> str:
    """What a learner reads where no value is set: a neutral pointer, never a yellow gap."""
    return f"Fråga din chef eller HR om {label}."


def render_value(text: str) -> Markup:
    """A contact text as HTML: everything escaped, https and tel: addresses made into links."""
    parts: list[str] = []
    position = 0
    for match in _LINK.finditer(text):
        parts.append(str(escape(text[position:match.start()])))
        address = match.group(0)
        shown = address.removeprefix("tel:").removeprefix("https://")
        href = "tel:" + re.sub(r"[ -]", "", shown) if address.startswith("tel:") else address
        parts.append(f'<a href="{escape(href)}">{escape(shown)}</a>')
        position = match.end()
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))


def fill(html: str, values: dict[str, str], labels: dict[str, str]) -> Markup:
    """Replace every contact in already sanitised HTML with its value, or the neutral sentence."""
    def one(match: re.Match) -> str:
        key = match.group(1)
        if values.get(key):
            return str(render_value(values[key]))
        return str(escape(missing_sentence(labels.get(key, key))))

    return Markup(CONTACT_RE.sub(one, str(html)))
