"""The council report as a tagged PDF (PDF/UA), as public-sector documents must be accessible."""

from __future__ import annotations

from learning.config import PROJECT_ROOT


def render(html: str, base_url: str) -> bytes:
    """HTML -> tagged PDF; the stylesheet is read from static/ rather than fetched over HTTP."""
    from weasyprint import CSS, HTML  # imported here: a slow import that only this download needs

    stylesheet = CSS(filename=str(PROJECT_ROOT / "static" / "council-pdf.css"))
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1",
                                                          pdf_tags=True)
