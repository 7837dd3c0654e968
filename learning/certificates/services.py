"""Looking up certificates for their owner and for anyone holding a verification code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from learning.content.models import Course
from learning.extensions import db
from learning.learn.models import CourseCompletion
from learning.renewals.models import CourseRenewal

_CODE_RE = re.compile(r"[^A-Z0-9]")


@dataclass(frozen=True)
class Certificate:
    """What a certificate shows."""

    name: str
    course_slug: str
    code: str
    completed_at: datetime


def normalise_code(code: str) -> str:
    """Accept codes typed in lower case, with spaces or without dashes."""
    raw = _CODE_RE.sub("", code.upper())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else ""


def verify(code: str) -> Certificate | None:
    """The certificate with this verification code, if it exists."""
    normalised = normalise_code(code)
    if not normalised:
        return None
    for record in (CourseCompletion, CourseRenewal):  # a first completion's or a renewal's certificate
        row = db.session.execute(
            select(record.name, Course.slug, record.verification_code, record.completed_at)
            .join(Course, Course.id == record.course_id)
            .where(record.verification_code == normalised)
        ).one_or_none()
        if row:
            return Certificate(*row)
    return None
