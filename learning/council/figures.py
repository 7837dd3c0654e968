"""The council report's figures for a period, as SQL aggregates, in a JSON-ready dict (snapshots store it as is).

Definitions, stated on the page:
- web course: course completions in the period (the learner's förvaltning when they completed);
- group viewing: the others a learner registered as having taken the course with them, by viewing date;
- live sessions: named attendees (distinct per type) plus attendees given as counts per förvaltning,
  for sessions held in the period;
- total: people known by e-mail address (completers and named attendees) count once across sources;
  people known only as a number (group viewing, counts) cannot be matched and are added as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select, union_all

from learning.accounts.models import GENDERS, Organisation, User
from learning.content.services import PublishedCourse
from learning.extensions import db
from learning.groups.models import GroupViewing, GroupViewingCount
from learning.learn.models import CourseCompletion
from learning.periods import Period, half_years
from learning.privacy import Decide, Shown, beside, hide_rows
from learning.reports.tables import completion_tables, main_table
from learning.sessions.models import KINDS, LiveSession, SessionAttendee, SessionCount
from learning.survey import results
from learning.survey import services as survey
from learning.visits.services import totals as visit_totals

GENDER_LABELS = {"kvinna": "Kvinnor", "man": "Män", "annat": "Annat", None: "Uppgift saknas"}
TOP_THEMES = 5


@dataclass(frozen=True)
class Scope:
    """What a report counts: these courses' completions and group viewings, and the sessions matching `sessions`."""

    course_ids: tuple[int, ...]
    sessions: tuple  # SQL conditions on LiveSession, besides the period


def course_scope(course_id: int) -> Scope:
    """A course's report: its own completions, group viewings and sessions; no other course's."""
    return Scope((course_id,), (LiveSession.course_id == course_id,))


def _sessions_in(scope: Scope, period: Period, today: date):
    return (LiveSession.held_on.between(period.first_day(), min(period.last_day(), today)), *scope.sessions)


def _completions(scope: Scope, period: Period):
    return (CourseCompletion.course_id.in_(scope.course_ids),
            CourseCompletion.completed_month.between(period.start, period.end))


def _groups(scope: Scope, period: Period):
    return (GroupViewing.course_id.in_(scope.course_ids),
            GroupViewing.viewed_on.between(period.first_day(), period.last_day()))


def _known_people(scope: Scope, period: Period, today: date):
    """(person key, förvaltning, gender) for everyone known by address: completers and named attendees."""
    completers = (select(func.lower(User.email).label("person"), CourseCompletion.organisation_id.label("org"),
                         User.gender.label("gender"))
                  .join(User, User.id == CourseCompletion.user_id).where(*_completions(scope, period)))
    attendees = (select(SessionAttendee.person_key.label("person"), SessionAttendee.organisation_id.label("org"),
                        User.gender.label("gender"))
                 .join(LiveSession, LiveSession.id == SessionAttendee.session_id)
                 .outerjoin(User, User.id == SessionAttendee.user_id).where(*_sessions_in(scope, period, today)))
    rows = union_all(completers, attendees).subquery()
    # One row per person: a person seen in two förvaltningar counts in one of them (the lowest id), never twice.
    return (select(rows.c.person, func.min(rows.c.org).label("org"), func.max(rows.c.gender).label("gender"))
            .group_by(rows.c.person).subquery())


def _by_kind(scope: Scope, period: Period, today: date) -> dict[str, dict]:
    where = _sessions_in(scope, period, today)
    named = dict(db.session.execute(
        select(LiveSession.kind, func.count(func.distinct(SessionAttendee.person_key)))
        .join(LiveSession, LiveSession.id == SessionAttendee.session_id).where(*where)
        .group_by(LiveSession.kind)).all())
    counted = dict(db.session.execute(
        select(LiveSession.kind, func.sum(SessionCount.attendees))
        .join(LiveSession, LiveSession.id == SessionCount.session_id).where(*where)
        .group_by(LiveSession.kind)).all())
    sessions = dict(db.session.execute(select(LiveSession.kind, func.count(LiveSession.id))
                                       .where(*where).group_by(LiveSession.kind)).all())
    return {kind: {"named": int(named.get(kind, 0)), "counted": int(counted.get(kind) or 0),
                   "sessions": int(sessions.get(kind, 0))} for kind in KINDS}


def _per_organisation(scope: Scope, period: Period, today: date, people) -> dict:
    per_org: dict = {}

    def add(query):
        for key, n in db.session.execute(query).all():
            per_org[key] = per_org.get(key, 0) + int(n or 0)

    add(select(people.c.org, func.count()).group_by(people.c.org))
    add(select(GroupViewingCount.organisation_id, func.sum(GroupViewingCount.people))
        .join(GroupViewing, GroupViewing.id == GroupViewingCount.group_id).where(*_groups(scope, period))
        .group_by(GroupViewingCount.organisation_id))
    add(select(SessionCount.organisation_id, func.sum(SessionCount.attendees))
        .join(LiveSession, LiveSession.id == SessionCount.session_id).where(*_sessions_in(scope, period, today))
        .group_by(SessionCount.organisation_id))
    return per_org


def _gender(scope: Scope, period: Period, people, anonymous: int) -> dict:
    counts = {key: 0 for key in GENDER_LABELS}
    for gender, n in db.session.execute(select(people.c.gender, func.count()).group_by(people.c.gender)).all():
        key = gender if gender in GENDER_LABELS else None
        counts[key] += int(n)
    women, men, others = db.session.execute(
        select(func.coalesce(func.sum(GroupViewing.women), 0), func.coalesce(func.sum(GroupViewing.men), 0),
               func.coalesce(func.sum(select(func.sum(GroupViewingCount.people))
                                      .where(GroupViewingCount.group_id == GroupViewing.id).scalar_subquery()), 0))
        .where(*_groups(scope, period))).one()
    counts["kvinna"] += int(women)
    counts["man"] += int(men)
    # Group members without a stated gender, and every attendee given only as a count, are of unknown gender.
    counts[None] += int(others) - int(women) - int(men) + anonymous
    return counts


@dataclass(frozen=True)
class Participants:
    """Who took part in a scope's activities during a period, before any small group is hidden."""

    web: int  # course completions
    group: int  # people in registered group viewings
    kinds: dict[str, dict]  # per kind of session: named, counted, sessions
    known: int  # people known by address, once each
    per_org: dict  # organisation id (or None) -> participants
    gender: dict  # GENDER_LABELS key -> participants

    @property
    def counted(self) -> int:
        """Session attendees given only as counts."""
        return sum(k["counted"] for k in self.kinds.values())

    @property
    def total(self) -> int:
        """People known by address once each, plus everyone known only as a number."""
        return self.known + self.group + self.counted


def participants(scope: Scope, period: Period, today: date) -> Participants:
    """Every participant figure of a scope for a period, as SQL aggregates."""
    web = db.session.scalar(select(func.count(CourseCompletion.id)).where(*_completions(scope, period)))
    group = int(db.session.scalar(
        select(func.coalesce(func.sum(GroupViewingCount.people), 0))
        .join(GroupViewing, GroupViewing.id == GroupViewingCount.group_id).where(*_groups(scope, period))))
    kinds = _by_kind(scope, period, today)
    people = _known_people(scope, period, today)
    known = db.session.scalar(select(func.count()).select_from(people))
    counted = sum(k["counted"] for k in kinds.values())
    return Participants(web, group, kinds, known, _per_organisation(scope, period, today, people),
                        _gender(scope, period, people, counted))


def session_sources(kinds: dict[str, dict]) -> list[dict]:
    """One source row per kind of session."""
    return [{"key": kind, "label": f"{label}, tillfällen", "participants": k["named"] + k["counted"],
             "named": k["named"], "counted": k["counted"], "sessions": k["sessions"]}
            for kind, label in KINDS.items() for k in (kinds[kind],)]


def hide_forced(forced) -> Decide:
    """The small-group rule of learning/privacy.py, with these keys hidden whatever their count."""
    return lambda values: hide_rows({key: (n,) for key, n in values.items()}, forced=forced)


def organisation_rows(per_org: dict, decide: Decide) -> tuple[list[dict], bool, Shown]:
    """(rows by name, biggest first, hidden ones last; whether the total is hidden; what is shown per id)."""
    names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    hidden, total_hidden = decide(per_org)
    shown = {key: (n, None if key in hidden else n) for key, n in per_org.items()}
    rows = sorted(
        ({"name": names.get(key, "Förvaltning okänd") if key is not None else "Förvaltning okänd",
          "participants": shown[key][1]} for key, n in per_org.items() if n or key in hidden),
        key=lambda r: (r["participants"] is None, -(r["participants"] or 0), r["name"]))
    return rows, total_hidden, shown


def gender_rows(gender_counts: dict, decide: Decide, total: int) -> tuple[list[dict], int | None, Shown]:
    """(rows per gender with shares, the number with known gender, what is shown per key); hidden cells and
    every share as None."""
    gender_hidden, _ = decide(gender_counts)
    # With a hidden cell, the number with known gender (and every share, which gives it away) would let
    # the hidden cells be worked out from the total: then only the shown counts remain.
    known_gender = None if gender_hidden else sum(n for key, n in gender_counts.items() if key is not None)
    rows = [{"key": key or "okant", "label": GENDER_LABELS[key],
             "n": None if key in gender_hidden else n,
             "share": None if gender_hidden else _share(n, known_gender if key else total)}
            for key, n in gender_counts.items()]
    return rows, known_gender, {key: (n, None if key in gender_hidden else n) for key, n in gender_counts.items()}


def _survey_withheld(course_id: int, period: Period, scale_ids: list[int], whole) -> str | None:
    """Why the evaluation cannot be shown for this period, or None if it can (whole: the period's breakdown)."""
    halves = half_years(period)
    if halves is None:
        return ("Utvärderingen visas bara för hela halvår (januari–juni, juli–december) eller flera hela halvår "
                "i följd, så att ingen kan räkna fram enskilda svar genom att jämföra perioder.")
    # One half-year is the period itself: its breakdown is already at hand.
    parts = [whole] if len(halves) == 1 else (
        results.breakdown(course_id, half, None, "organisation", scale_ids) for half in halves)
    if any(part.total.hidden for part in parts):
        return "Ett av halvåren under perioden har för få svar, så utvärderingen visas inte för perioden."
    return None


def _share(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("1"), ROUND_HALF_UP))


def _evaluation(course: PublishedCourse, period: Period) -> dict:
    current_ids = [q.id for q in survey.questions(course) if q.kind == "scale"]
    breakdown = results.breakdown(course.id, period, None, "organisation", current_ids)
    withheld = _survey_withheld(course.id, period, current_ids, breakdown)
    survey_hidden = breakdown.total.hidden or withheld is not None
    items = [{"text": item.text, "mean": None if survey_hidden or item.id not in breakdown.total.items
              else str(breakdown.total.items[item.id].mean), "n": breakdown.total.items.get(item.id).n
              if item.id in breakdown.total.items and not survey_hidden else None}
             for item in breakdown.items]
    themes = [] if survey_hidden else [
        [name, n] for name, n in results.theme_counts(course.id, period, None)[:TOP_THEMES]]
    return {"withheld": withheld, "responses": None if survey_hidden else breakdown.total.responses,
            "completions": breakdown.total.completions,
            "rate": None if survey_hidden or breakdown.total.rate is None else str(breakdown.total.rate),
            "items": items, "themes": themes}


@dataclass(frozen=True)
class CourseReport:
    """A course's council figures, and what its view shows per förvaltning and gender (for the programme)."""

    figures: dict
    organisations: Shown  # organisation id -> (participants, shown or None)
    genders: Shown  # GENDER_LABELS key -> (participants, shown or None)
    dashboard: Shown  # organisation id -> (completions, shown or None) on the course's dashboard for the period


def dashboard_view(main) -> Shown:
    """The dashboard's completions per förvaltning for the period, as shown (learning.reports.tables.main_table)."""
    keys = {row for row, _measure in main.cells}
    return {key: (main.cells[(key, "completed")],
                  None if (key, "completed") in main.hidden or main.hidden_totals else main.cells[(key, "completed")])
            for key in keys}


def course_report(course: PublishedCourse, period: Period, today: date) -> CourseReport:
    """Every figure of a course's council report for a period; small groups already replaced by None."""
    found = participants(course_scope(course.id), period, today)
    sources = [{"key": "web", "label": "Webbutbildningen, slutförd", "participants": found.web, "sessions": None},
               {"key": "group", "label": "Gruppvisning av webbutbildningen", "participants": found.group,
                "sessions": None}, *session_sources(found.kinds)]
    source_sum = sum(s["participants"] for s in sources)
    total = found.total

    # A förvaltning's participants sit beside its completions on the dashboard: decided so that neither table,
    # read with the other, gives a small group away (with only the web course in the period they are the same
    # figures, and what the dashboard hides is hidden here too). Participants per gender are the dashboard's
    # completions per gender then, and hidden where it hides them.
    main, _with_staff = main_table(course.id, period)
    board = dashboard_view(main)
    organisations, organisations_total_hidden, shown_orgs = organisation_rows(found.per_org, beside([board]))
    genders_hidden = (completion_tables(course.id, period, main)[1].hidden_totals if total == found.web
                      else frozenset())
    forced_genders = [key for key in found.gender if GENDERS.get(key, "Ej angivet") in genders_hidden
                      or key is None and "Vill ej ange" in genders_hidden]
    gender, known_gender, shown_genders = gender_rows(found.gender, hide_forced(forced_genders), total)
    evaluation = _evaluation(course, period)
    visits, unique_visitors = visit_totals(course.id, period)
    figures = {
        "period": {"start": period.start, "end": period.end},
        "sources": sources, "source_sum": source_sum, "total": total, "known": found.known,
        "counted_once_less": source_sum - total,
        "organisations": organisations, "organisations_total_hidden": organisations_total_hidden,
        "gender": gender, "gender_known": known_gender,
        "survey": {key: value for key, value in evaluation.items() if key != "themes"},
        "visits": {"visits": visits, "unique": unique_visitors},
        "themes": evaluation["themes"],
    }
    return CourseReport(figures, shown_orgs, shown_genders, board)


def compute(course: PublishedCourse, period: Period, today: date) -> dict:
    """Every figure of the council report for a period; small groups already replaced by None."""
    return course_report(course, period, today).figures
