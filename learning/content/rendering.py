"""Markdown to sanitised HTML: the one pipeline for learners, previews and checks."""

from __future__ import annotations

import re
from html import unescape
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markupsafe import escape

PLACEHOLDER_RE = re.compile(r"\[\[SAKNAS:\s*(.*?)\s*\]\]")
# A local contact: the text stays in the rendered HTML and is filled in per learner (learning/contacts).
CONTACT_RE = re.compile(r"\{\{kontakt:([a-z0-9][a-z0-9-]{0,49})\}\}")
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, **{h: {"id"} for h in _HEADINGS}}
_ATTRIBUTES["th"] = _ATTRIBUTES["th"] | {"scope"}
_ATTRIBUTES["mark"] = {"class"}


@dataclass(frozen=True)
class TocEntry:
    """One heading of a part's table of contents."""

    anchor: str
    title: str
    level: int


def _converter() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["toc", "tables", "sane_lists"],
        extension_configs={"toc": {"slugify": slugify_unicode, "toc_depth": "2-3"}},
        output_format="html",
    )


IMAGES_PATH = "/bilder/"
_IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(png|jpg|webp)$")


def _image_source(tag: str, attribute: str, value: str) -> str:
    # `![alt](bild.png)` names an uploaded image; the file stays portable for git, the page gets its address.
    if tag == "img" and attribute == "src" and _IMAGE_NAME.match(value):
        return IMAGES_PATH + value
    return value


def sanitise(html: str) -> str:
    """Strip everything but harmless markup; scripts, handlers and javascript: links go."""
    return nh3.clean(html, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto", "tel"},
                     attribute_filter=_image_source)


def _mark_placeholders(text: str) -> str:
    # Runs on the Markdown source, before the sanitiser, so what it produces is sanitised like the rest.
    return PLACEHOLDER_RE.sub(lambda m: f'<mark class="placeholder">[Uppgift saknas: {escape(m.group(1))}]</mark>', text)


def render_block(text: str) -> tuple[str, list[TocEntry]]:
    """Render a Markdown body to sanitised HTML and its table of contents."""
    md = _converter()
    html = sanitise(md.convert(_mark_placeholders(text)))
    # Heading names come back HTML-escaped; the template escapes them again.
    toc = [TocEntry(t["id"], unescape(t["name"]), t["level"]) for t in _flatten(md.toc_tokens)]
    return html, toc


def render_inline(text: str) -> str:
    """Render a short Markdown text (a question, an option) without the wrapping paragraph."""
    html = sanitise(markdown.markdown(_mark_placeholders(text)))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html or str(escape(text))


def _flatten(tokens: list[dict]) -> list[dict]:
    out: list[dict] = []
    for token in tokens:
        out.append(token)
        out.extend(_flatten(token.get("children", [])))
    return out
