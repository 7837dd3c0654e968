"""The production app plus one bench-only route, served by bench/part_page.py (never in production).

/bench/bare does no work of its own but passes through everything the app does around a request:
the session and user loading, the before_request hooks and the after_request security headers.
It is the baseline the part page is measured against.
"""

from learning import create_app

app = create_app()


@app.get("/bench/bare")
def bare():
    """The cheapest page the app can serve."""
    return "ok"
