"""The programme report's figures for a period: every course, live session and group viewing together.

Definitions, stated on the page:
- per course: the course's own council figures (its completions, group viewings and the sessions tied to it);
- sessions not tied to a course (most workshops) count in the programme only;
- total: people known by e-mail address (completers of any course, named attendees of any session) count
  once across everything; people known only as a number (group viewings, counts per förvaltning) are added;
- grundutbildningen: the base course and sessions of the grundutbildning kind; fördjupningar och workshoppar:
  the other courses and sessions of the other kinds.

Small groups: a förvaltning's or a gender's figure is hidden as in every report, and also when, beside a
course's report, it would give a small group away (`joint_decision`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import not_

from learning.content.services import PublishedCourse
from learning.council.figures import (CourseReport, Decide, Scope, Shown, course_report, gender_rows,
                                      organisation_rows, participants, session_sources)
from learning.periods import Period
from learning.privacy import K, hide_rows
from learning.programme import structure
from learning.sessions.models import LiveSession


def _forced(values: dict, views: list[Shown]) -> set:
    """Keys whose programme figure would give a course report's small group away.

    A course shows a figure: the programme's must not differ from it by 1-4 (the difference is a small
    group). A course hides a figure: the programme's must not lie within 4 of it (it would pin it down).
    """
    forced = set()
    for key, n in values.items():
        for view in views:
            people, shown = view.get(key, (0, 0))
            if (0 < abs(n - shown) < K) if shown is not None else (abs(n - people) < K and (n or people)):
                forced.add(key)
    return forced


def _exposed(values: dict, hidden, view: Shown) -> bool:
    """Whether a course's shown figures, standing in for the programme's hidden ones, give one away.

    A key hidden here but shown by the course within 4 of the programme's figure is as good as known; the
    rest of the hidden keys are then the programme's hidden total less it, so they must still hold at
    least two groups with people and K people together.
    """
    known = {key for key in hidden if view.get(key, (0, None))[1] is not None
             and abs(values.get(key, 0) - view[key][1]) < K}
    rest = [values.get(key, 0) for key in hidden if key not in known and values.get(key, 0)]
    return bool(known) and bool(rest) and (len(rest) < 2 or sum(rest) < K)


def joint_decision(views: list[Shown]) -> Decide:
    """Decide a programme table so that no course report's table, beside it, gives a small group away."""
    def decide(values: dict) -> tuple[frozenset, bool]:
        forced = _forced(values, views)
        while True:
            hidden, total_hidden = hide_rows({key: (n,) for key, n in values.items()}, forced=forced)
            more = sorted((n, str(key), key) for key, n in values.items() if n and key not in hidden)
            if total_hidden or not more or not any(_exposed(values, hidden, view) for view in views):
                return hidden, total_hidden
            forced = set(hidden) | {more[0][2]}  # the smallest shown group goes too, and the rest is decided again
    return decide


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
    found = structure.courses()
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

    organisations, organisations_total_hidden, _shown = organisation_rows(
        everything.per_org, joint_decision([report.organisations for _c, report in reports]))
    gender, known_gender, _shown = gender_rows(
        everything.gender, joint_decision([report.genders for _c, report in reports]), total)
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
