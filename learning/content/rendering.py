"""Markdown to sanitised HTML: the one pipeline for learners, previews and checks."""

from __future__ import annotations

import re
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markupsafe import escape

PLACEHOLDER_RE = re.compile(r"\[\[SAKNAS:\s*(.*?)\s*\]\]")
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, **{h: {"id"} for h in _HEADINGS}}
_ATTRIBUTES["th"] = _ATTRIBUTES["th"] | {"scope"}


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


def sanitise(html: str) -> str:
    """Strip everything but harmless markup; scripts, handlers and javascript: links go."""
    return nh3.clean(html, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto", "tel"})


def _mark_placeholders(html: str) -> str:
    # Runs on sanitised output, so the captured text is already escaped.
    return PLACEHOLDER_RE.sub(
        r'<mark class="placeholder">[Uppgift saknas: \1]</mark>', html
    )


def render_block(text: str) -> tuple[str, list[TocEntry]]:
    """Render a Markdown body to sanitised HTML and its table of contents."""
    md = _converter()
    html = _mark_placeholders(sanitise(md.convert(text)))
    toc = [TocEntry(t["id"], t["name"], t["level"]) for t in _flatten(md.toc_tokens)]
    return html, toc


def render_inline(text: str) -> str:
    """Render a short Markdown text (a question, an option) without the wrapping paragraph."""
    html = sanitise(markdown.markdown(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return _mark_placeholders(html) if html else str(escape(text))


def _flatten(tokens: list[dict]) -> list[dict]:
    out: list[dict] = []
    for token in tokens:
        out.append(token)
        out.extend(_flatten(token.get("children", [])))
    return out
