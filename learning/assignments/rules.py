"""Assignment rules: checking a coordinator's or HR's rule, previewing whom it reaches, saving, closing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, or_, select

from learning import words
from learning.accounts.models import ORG_ROLES, Organisation
from learning.assignments.models import ORGANISATION, ROLE, UNIT, AssignmentRule, AssignmentTarget
from learning.assignments.status import DONE, OVERDUE, PENDING, assignments, course_titles
from learning.content.services import published_course
from learning.extensions import db
from learning.privacy import K
from learning.staff.models import StaffAssignment
from learning.staff.services import valid_at
from learning.transactions import write_transaction

MAX_DAYS = 365


class RuleError(ValueError):
    """A rule that cannot be saved; field names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "targets"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RuleInput:
    """A rule as typed into the form."""

    course_slug: str
    everyone: bool = False
    organisation_codes: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # "<förvaltning code>|<unit name>"
    roles: list[str] = field(default_factory=list)
    due_on: date | None = None
    within_days: int | None = None


@dataclass(frozen=True)
class Preview:
    """How many people a rule reaches, and how many of them have already completed the course."""

    matched: int
    done: int

    def sentence(self) -> str:
        """'Regeln träffar 1 240 personer. 310 av dem har redan klarat kursen.'"""
        return f"Regeln träffar {people(self.matched)}. {number(self.done)} av dem har redan klarat kursen."


@dataclass(frozen=True)
class RuleSummary:
    """A rule on the list page, with its figures within the viewer's scope."""

    rule: AssignmentRule
    course_title: str
    target: str
    counts: dict[str, int] | None  # None when a figure describes 1 to 4 people (learning.privacy.K)


def number(n: int) -> str:
    """1240 as '1 240' (a non-breaking space between thousands, as Swedish writes it)."""
    return words.number(n, words.NBSP)


def people(n: int) -> str:
    """'1 person', '2 personer'."""
    return words.plural(n, "person", "personer", space=words.NBSP)


def build(data: RuleInput, scope: frozenset[int] | None, today: date) -> AssignmentRule:
    """The rule the input describes, not saved; raises RuleError for input that cannot become a rule."""
    course = published_course(data.course_slug) if data.course_slug else None
    if course is None:
        raise RuleError("Välj en kurs i listan.", "course")
    if data.due_on is None and data.within_days is None:
        raise RuleError("Fyll i ett datum då kursen ska vara klar, eller inom hur många dagar.", "due_on")
    if data.due_on is not None and data.due_on < today:
        raise RuleError("Datumet har redan passerat. Välj i dag eller ett senare datum.", "due_on")
    if data.within_days is not None and not 1 <= data.within_days <= MAX_DAYS:
        raise RuleError(f"Skriv ett antal dagar från 1 till {MAX_DAYS}.", "within_days")
    if data.everyone and scope is not None:
        raise RuleError("Du kan bara tilldela kursen inom dina förvaltningar. Välj förvaltningar eller enheter.")
    codes = {o.code: o for o in db.session.scalars(select(Organisation))}
    targets = []
    for code in data.organisation_codes:
        targets.append(AssignmentTarget(kind=ORGANISATION, organisation_id=_allowed(codes, code, scope).id))
    for value in data.units:
        code, _, unit = value.partition("|")
        if not unit:
            raise RuleError("Välj enheter i listan.", "units")
        targets.append(AssignmentTarget(kind=UNIT, organisation_id=_allowed(codes, code, scope).id, value=unit))
    for role in data.roles:
        if role not in ORG_ROLES:
            raise RuleError("Välj roller i listan.", "roles")
        targets.append(AssignmentTarget(kind=ROLE, value=role))
    if not data.everyone and not targets:
        raise RuleError("Välj vilka kursen ska tilldelas: alla, förvaltningar, enheter eller roller.")
    if scope is not None and all(t.kind == ROLE for t in targets):
        raise RuleError("Välj också förvaltningar eller enheter: du kan bara tilldela kursen inom dina förvaltningar.")
    rule = AssignmentRule(course_id=course.id, everyone=data.everyone, due_on=data.due_on,
                          within_days=data.within_days, starts_on=today, active=True)
    rule.targets = targets
    return rule


def _allowed(codes: dict[str, Organisation], code: str, scope: frozenset[int] | None) -> Organisation:
    organisation = codes.get(code)
    if organisation is None:
        raise RuleError("Välj förvaltningar i listan.", "organisations")
    if scope is not None and organisation.id not in scope:
        raise RuleError(f"{organisation.name} ligger utanför dina förvaltningar.", "organisations")
    return organisation


def preview(rule: AssignmentRule, scope: frozenset[int] | None, today: date) -> Preview:
    """Whom the (unsaved) rule reaches today and how many of them are already done."""
    found = assignments(today, rules=[rule], scope=scope, per_rule=True)
    return Preview(len(found), sum(a.status == DONE for a in found))


@write_transaction
def create(data: RuleInput, scope: frozenset[int] | None, user_id: int, today: date) -> tuple[AssignmentRule, Preview]:
    """Save a rule after checking it and that it reaches somebody; nothing is saved if it raises RuleError."""
    rule = build(data, scope, today)
    reach = preview(rule, scope, today)
    if reach.matched == 0:
        raise RuleError("Regeln träffar ingen i personallistan i dag. Ändra urvalet.")
    rule.created_by = user_id
    db.session.add(rule)
    db.session.flush()
    return rule, reach


def visible(scope: frozenset[int] | None):
    """The query for the rules a user may see: HR only rules whose every förvaltning is theirs."""
    query = select(AssignmentRule).where(AssignmentRule.active.is_(True)).order_by(AssignmentRule.id)
    if scope is not None:
        outside = exists().where(AssignmentTarget.rule_id == AssignmentRule.id, AssignmentTarget.kind != ROLE,
                                 or_(AssignmentTarget.organisation_id.is_(None),
                                     AssignmentTarget.organisation_id.not_in(scope or {0})))
        inside = exists().where(AssignmentTarget.rule_id == AssignmentRule.id, AssignmentTarget.kind != ROLE)
        query = query.where(AssignmentRule.everyone.is_(False), inside, ~outside)
    return query


def summaries(scope: frozenset[int] | None, today: date) -> list[RuleSummary]:
    """The rules the user may see, each with assigned, done, overdue and not yet due within the scope."""
    rules = list(db.session.scalars(visible(scope)))
    found = assignments(today, rules=rules, scope=scope, per_rule=True) if rules else []
    counts: dict[int, Counter] = {rule.id: Counter() for rule in rules}
    for item in found:
        counts[item.rule_id][item.status] += 1
    names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    titles = course_titles()
    return [RuleSummary(rule, titles[rule.course_id][0], describe(rule, names), _protected({
        "assigned": sum(counts[rule.id].values()), DONE: counts[rule.id][DONE],
        OVERDUE: counts[rule.id][OVERDUE], PENDING: counts[rule.id][PENDING]})) for rule in rules]


def _protected(counts: dict[str, int]) -> dict[str, int] | None:
    # A rule's row stands alone (no total across rules), so hiding the whole row hides its small groups.
    return None if any(0 < n < K for n in counts.values()) else counts


def describe(rule: AssignmentRule, names: dict[int, str]) -> str:
    """The rule's target in words: 'Förskoleförvaltningen; roll: Chef'."""
    parts = ["alla anställda"] if rule.everyone else []
    parts += [names.get(t.organisation_id, "?") for t in rule.targets if t.kind == ORGANISATION]
    parts += [f"{t.value} ({names.get(t.organisation_id, '?')})" for t in rule.targets if t.kind == UNIT]
    roles = [ORG_ROLES.get(t.value, t.value).lower() for t in rule.targets if t.kind == ROLE]
    if roles:
        parts.append(("roll: " if len(roles) == 1 else "roller: ") + ", ".join(roles))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def unit_choices(scope: frozenset[int] | None, today: date) -> list[tuple[str, str]]:
    """Today's units in the staff list within the scope, as ("<code>|<unit>", "<unit> (<förvaltning>)")."""
    query = (select(Organisation.code, Organisation.name, StaffAssignment.unit).distinct()
             .join(Organisation, Organisation.id == StaffAssignment.organisation_id)
             .where(StaffAssignment.unit != "", *valid_at(today)))
    if scope is not None:
        query = query.where(StaffAssignment.organisation_id.in_(scope or {0}))
    rows = sorted(db.session.execute(query).all(), key=lambda r: (r[1], r[2].casefold()))
    return [(f"{code}|{unit}", f"{unit} ({name})") for code, name, unit in rows]


@write_transaction
def close(rule_id: int, scope: frozenset[int] | None) -> AssignmentRule | None:
    """End a rule the user may see (its people are no longer assigned); None if there is no such rule."""
    rule = db.session.scalar(visible(scope).where(AssignmentRule.id == rule_id))
    if rule is not None:
        rule.active = False
    return rule
