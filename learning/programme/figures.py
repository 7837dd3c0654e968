"""The programme report's figures for a period: every course, live session and group viewing together.

Definitions, stated on the page:
- per course: the course's own council figures (its completions, group viewings and the sessions tied to it);
- sessions not tied to a course (most workshops) count in the programme only;
- total: people known by e-mail address (completers of any course, named attendees of any session) count
  once across everything; people known only as a number (group viewings, counts per förvaltning) are added;
- grundutbildningen: the base course and grundutbildning sessions; fördjupningar och workshoppar: the rest.

Small groups: a förvaltning's or a gender's figure is hidden as in every report, and also when it differs
from the same figure in a course's report by 1 to 4 people, since the difference would be a small group.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, not_, or_

from learning.content.services import PublishedCourse
from learning.council.figures import (CourseReport, Scope, course_report, gender_rows, organisation_rows,
                                      participants, session_sources)
from learning.periods import Period
from learning.privacy import K
from learning.programme import structure
from learning.sessions.models import LiveSession


def _differs_by_few(value: int, others: list[int | None]) -> bool:
    return any(other is not None and 0 < abs(value - other) < K for other in others)


def _forced(values: dict, views: list[dict]) -> list:
    """Keys whose programme figure is 1-4 people away from a course report's shown figure for the same key."""
    return [key for key, n in values.items() if _differs_by_few(n, [view.get(key, 0) for view in views])]


def _base_sessions(base: PublishedCourse | None):
    """Sessions of grundutbildningen: tied to the base course, or grundutbildning sessions tied to no course."""
    untied = and_(LiveSession.course_id.is_(None), LiveSession.kind == "grundutbildning")
    # coalesce: a NULL course must give false, not NULL, so that not_() selects the other sessions exactly.
    return or_(func.coalesce(LiveSession.course_id, 0) == base.id, untied) if base else untied


def _course_row(course: PublishedCourse, report: CourseReport) -> dict:
    sources = {s["key"]: s for s in report.figures["sources"]}
    return {"slug": course.slug, "title": course.title, "base": structure.is_base(course),
            "web": sources["web"]["participants"], "group": sources["group"]["participants"],
            "sessions": sum(s["sessions"] or 0 for s in report.figures["sources"]),
            "participants": report.figures["total"]}


def compute(period: Period, today: date) -> dict:
    """Every figure of the programme report for a period; small groups already replaced by None."""
    found = structure.courses()
    reports = [(course, course_report(course, period, today)) for course in found]
    everything = participants(Scope(tuple(c.id for c in found), ()), period, today)
    untied = participants(Scope((), (LiveSession.course_id.is_(None),)), period, today)
    base = structure.base_course(found)
    base_condition = _base_sessions(base)
    in_base = participants(Scope((base.id,) if base else (), (base_condition,)), period, today)
    in_deeper = participants(Scope(tuple(c.id for c in found if c is not base), (not_(base_condition),)),
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

    organisations, organisations_total_hidden, _shown = organisation_rows(
        everything.per_org, _forced(everything.per_org, [report.organisations for _c, report in reports]))
    gender, known_gender = gender_rows(
        everything.gender, _forced(everything.gender, [report.genders for _c, report in reports]), total)
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
