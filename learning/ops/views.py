"""/healthz and /readyz for a load balancer: plain text, no session, no sign-in, no database write."""

from __future__ import annotations

from flask import Blueprint, Response

from learning.extensions import csrf, limiter
from learning.ops import services

bp = Blueprint("ops", __name__)
# Probes come every few seconds from the balancer's own address: never throttled, and GET only.
limiter.exempt(bp)
csrf.exempt(bp)


@bp.get("/healthz")
def healthz() -> Response:
    """200 while the process answers; it looks at nothing else."""
    return _plain("ok", 200)


@bp.get("/readyz")
def readyz() -> Response:
    """200 when the database answers and is migrated to this code's head, otherwise 503 and why."""
    state = services.readiness()
    return _plain("ok", 200) if state.ready else _plain(state.reason, 503)


def _plain(text: str, status: int) -> Response:
    response = Response(text + "\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response
