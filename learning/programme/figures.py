"""The programme report's figures for a period: every course, live session and group viewing together.

Definitions, stated on the page:
- per course: the course's own council figures (its completions, group viewings and the sessions tied to it);
- sessions not tied to a course (most workshops) count in the programme only;
- total: people known by e-mail address (completers of any course, named attendees of any session) count
  once across everything; people known only as a number (group viewings, counts per förvaltning) are added;
- grundutbildningen: the base course and sessions of the grundutbildning kind; fördjupningar och workshoppar:
  the other courses and sessions of the other kinds.

Small groups: a förvaltning's or a gender's figure is hidden as in every report, and also when, beside a
course's report or the course's dashboard, it would give a small group away (`privacy.beside`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import not_

from learning.content.services import PublishedCourse, published_courses
from learning.council.figures import (CourseReport, Scope, course_report, gender_rows, organisation_rows,
                                      participants, session_sources)
from learning.periods import Period
from learning.privacy import beside
from learning.programme import structure
from learning.sessions.models import LiveSession


def _base_sessions():
    """Sessions of grundutbildningen, whichever course they count for: those of the grundutbildning kind."""
    return LiveSession.kind == "grundutbildning"


def _course_row(course: PublishedCourse, report: CourseReport) -> dict:
    sources = {s["key"]: s for s in report.figures["sources"]}
    return {"slug": course.slug, "title": course.title, "base": structure.is_base(course),
            "web": sources["web"]["participants"], "group": sources["group"]["participants"],
            "sessions": sum(s["sessions"] or 0 for s in report.figures["sources"]),
            "participants": report.figures["total"]}


def compute(period: Period, today: date) -> dict:
    """Every figure of the programme report for a period; small groups already replaced by None."""
    found = published_courses()
    reports = [(course, course_report(course, period, today)) for course in found]
    everything = participants(Scope(tuple(c.id for c in found), ()), period, today)
    untied = participants(Scope((), (LiveSession.course_id.is_(None),)), period, today)
    base = structure.base_course(found)
    in_base = participants(Scope((base.id,) if base else (), (_base_sessions(),)), period, today)
    in_deeper = participants(Scope(tuple(c.id for c in found if c is not base), (not_(_base_sessions()),)),
                             period, today)

    courses = [_course_row(course, report) for course, report in reports]
    sources = []
    for row in courses:
        sources.append({"key": "web", "course": row["slug"], "label": f"{row['title']}: webbutbildningen, slutförd",
                        "participants": row["web"], "sessions": None})
        sources.append({"key": "group", "course": row["slug"], "label": f"{row['title']}: gruppvisning",
                        "participants": row["group"], "sessions": None})
    sources += session_sources(everything.kinds)
    source_sum = sum(s["participants"] for s in sources)
    total = everything.total
    in_several = sum(row["participants"] for row in courses) + untied.total - total

    beside_orgs = [view for _c, report in reports for view in (report.organisations, report.dashboard)]
    organisations, organisations_total_hidden, _shown = organisation_rows(everything.per_org, beside(beside_orgs))
    gender, known_gender, _shown = gender_rows(
        everything.gender, beside([report.genders for _c, report in reports]), total)
    return {
        "period": {"start": period.start, "end": period.end},
        "sources": sources, "source_sum": source_sum, "total": total, "known": everything.known,
        "counted_once_less": source_sum - total,
        "anonymous": everything.group + everything.counted,
        "courses": courses,
        "untied": {"participants": untied.total,
                   "sessions": sum(k["sessions"] for k in untied.kinds.values())},
        "in_several": in_several,
        "split": {"base": in_base.total, "deeper": in_deeper.total,
                  "both": in_base.total + in_deeper.total - total},
        "organisations": organisations, "organisations_total_hidden": organisations_total_hidden,
        "gender": gender, "gender_known": known_gender,
        "evaluations": [{"slug": course.slug, "title": course.title, **report.figures["survey"],
                         "themes": report.figures["themes"]} for course, report in reports],
        "visits": [{"slug": course.slug, "title": course.title, **report.figures["visits"]}
                   for course, report in reports],
    }
