"""Survey results as SQL aggregates, with small groups hidden; free text, themes and redaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, select

from learning.accounts.models import GENDERS, ORG_ROLES, Organisation, User
from learning.content.survey_items import SCALE, TEXT
from learning.extensions import add_unique, db
from learning.learn.models import CourseCompletion
from learning.privacy import K, hide_rows
from learning.words import plural
from learning.reports.tables import hidden_completions
from learning.survey.pool import release_due
from learning.survey.models import SurveyAnswer, SurveyAnswerTheme, SurveyItem, SurveyResponse, SurveyTheme
from learning.periods import Period
from learning.transactions import write_transaction

REDACTED = "[borttaget]"
DIMENSIONS = {"organisation": "Förvaltning", "org_role": "Roll", "gender": "Kön"}
MISSING = "Uppgift saknas"  # the group of responses that lack the attribute (survey/anonymity.py)


class ResultsError(ValueError):
    """A results request that cannot be answered; the message is for the reader."""


@dataclass(frozen=True)
class ItemStats:
    """One 1-5 item in one group."""

    n: int
    total: int
    distribution: tuple[int, int, int, int, int]

    @property
    def mean(self) -> Decimal | None:
        """Mean to two decimals, rounded half up."""
        return (Decimal(self.total) / Decimal(self.n)).quantize(Decimal("0.01"), ROUND_HALF_UP) if self.n else None


@dataclass(frozen=True)
class Row:
    """A group (or the total) in a breakdown; `hidden` means 'för få svar'.

    `missing` marks the group of responses without the attribute: besides those that never had it, it
    holds responses whose attribute was dropped at rest, while their completions count in their own
    groups; so it has no response rate.
    """

    key: object
    label: str
    responses: int
    completions: int
    items: dict[int, ItemStats] = field(default_factory=dict)
    hidden: bool = False
    missing: bool = False

    @property
    def rate(self) -> Decimal | None:
        """Response rate in percent (responses / learners who completed), one decimal."""
        if not self.completions or self.missing:
            return None
        return (Decimal(100 * self.responses) / Decimal(self.completions)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Breakdown:
    """Results per group and in total, with the items they concern."""

    dimension: str
    items: list[SurveyItem]
    rows: list[Row]
    total: Row
    missing: Row | None = None  # the whole organisation's group without the attribute, if it has responses


def _filters(course_id: int, period: Period, scope: frozenset[int] | None) -> list:
    # Every read of responses comes through here: release finished months first, whoever reads first.
    release_due(course_id)
    conditions = [SurveyResponse.course_id == course_id, SurveyResponse.month.between(period.start, period.end)]
    if scope is not None:
        conditions.append(SurveyResponse.organisation_id.in_(scope))
    return conditions


def _group_column(dimension: str):
    return {"organisation": SurveyResponse.organisation_id, "org_role": SurveyResponse.org_role,
            "gender": SurveyResponse.gender}[dimension]


def _completions(course_id: int, period: Period, scope: frozenset[int] | None, dimension: str) -> dict:
    start, end = period.bounds()
    column = {"organisation": CourseCompletion.organisation_id, "org_role": CourseCompletion.org_role,
              "gender": User.gender}[dimension]
    query = (select(column, func.count(CourseCompletion.id)).join(User, User.id == CourseCompletion.user_id)
             .where(CourseCompletion.course_id == course_id, CourseCompletion.completed_at >= start,
                    CourseCompletion.completed_at < end).group_by(column))
    if scope is not None:
        query = query.where(CourseCompletion.organisation_id.in_(scope))
    return dict(db.session.execute(query).all())


def _labels(dimension: str, keys) -> dict:
    if dimension == "organisation":
        names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
        return {k: MISSING if k is None else names.get(k, "Okänd förvaltning") for k in keys}
    labels = ORG_ROLES if dimension == "org_role" else GENDERS
    return {k: MISSING if k is None else labels.get(k, "Ej angivet") for k in keys}


def _dashboard_label(dimension: str, key) -> str:
    """The group's column on the dashboard, which knows every completion's role and gender ("Ej angivet")."""
    return (ORG_ROLES if dimension == "org_role" else GENDERS).get(key, "Ej angivet")


def scale_items(course_id: int, period: Period, scope: frozenset[int] | None, current_ids: list[int]) -> list[SurveyItem]:
    """The current 1-5 items, then any earlier wording that has answers in the period."""
    answered = set(db.session.scalars(
        select(SurveyAnswer.item_id).join(SurveyResponse).where(*_filters(course_id, period, scope)).distinct()))
    rows = db.session.scalars(select(SurveyItem).where(SurveyItem.course_id == course_id, SurveyItem.kind == SCALE,
                                                       SurveyItem.id.in_(answered | set(current_ids))))
    return sorted(rows, key=lambda i: (i.id not in current_ids, current_ids.index(i.id) if i.id in current_ids else i.id))


def _add(stats: list[dict[int, ItemStats]]) -> dict[int, ItemStats]:
    summed: dict[int, list[int]] = {}
    for row in stats:
        for item_id, item in row.items():
            acc = summed.setdefault(item_id, [0, 0, 0, 0, 0, 0, 0])
            for index, value in enumerate((item.n, item.total, *item.distribution)):
                acc[index] += value
    return {i: ItemStats(a[0], a[1], tuple(a[2:])) for i, a in summed.items()}


def breakdown(course_id: int, period: Period, scope: frozenset[int] | None, dimension: str,
              current_ids: list[int]) -> Breakdown:
    """Responses, response rate and per-item statistics per group, all aggregated in SQL.

    Which groups are hidden is always decided on the whole organisation's table: a narrower view
    (HR's förvaltningar, one förvaltning) shows those same rows, and its total only if none of them
    is hidden. Otherwise two allowed views could be subtracted to reveal a hidden group. Role and
    gender breakdowns are offered for the whole organisation only, for the same reason.
    """
    if scope is not None:
        dimension = "organisation"
    city = _whole_breakdown(course_id, period, dimension)
    items = scale_items(course_id, period, None, current_ids)
    if scope is None:
        return Breakdown(dimension, items, city.rows, city.total, city.missing)
    rows = [r for r in city.rows if r.key in scope]
    total = Row(None, "Totalt", sum(r.responses for r in rows), sum(r.completions for r in rows),
                _add([r.items for r in rows]), any(r.hidden for r in rows) or city.total.hidden)
    return Breakdown(dimension, items, rows, total, city.missing)


WHY_MISSING = ("för att ingen ska kunna pekas ut: förvaltning, roll och kön sparas bara i kombinationer "
               "som minst fem svar från samma månad delar")
# Accounts always have a role; a förvaltning or a gender may never have been given.
UNSTATED = {"organisation": "för att förvaltning inte var angiven eller ", "org_role": "",
            "gender": "för att kön inte var angivet eller "}


def missing_note(table: Breakdown, scoped: bool) -> str | None:
    """What the page says about the responses shown as "Uppgift saknas" and why, or None if there are none.

    The count is the group's own cell, so it is given only where the table shows that cell.
    """
    if table.missing is None:
        return None
    if scoped:
        return ("Svar som saknar uppgift om förvaltning, för att den inte var angiven eller för att ingen ska "
                "kunna pekas ut, räknas inte in här.")
    noun = DIMENSIONS[table.dimension].lower()
    count = "Några svar" if table.missing.hidden else plural(table.missing.responses, "svar", "svar")
    return (f"{count} saknar uppgift om {noun}, {UNSTATED[table.dimension]}{WHY_MISSING}. Svarsfrekvensen "
            f"per grupp räknar bara de svar som har uppgiften kvar.")


def hidden_organisations(course_id: int, period: Period) -> tuple[frozenset, bool]:
    """The förvaltningar hidden in the whole organisation's table, and whether its total is hidden."""
    city = _whole_breakdown(course_id, period, "organisation")
    return frozenset(r.key for r in city.rows if r.hidden), city.total.hidden


def _whole_breakdown(course_id: int, period: Period, dimension: str) -> Breakdown:
    group = _group_column(dimension)
    conditions = _filters(course_id, period, None)
    responses = dict(db.session.execute(
        select(group, func.count(SurveyResponse.id)).where(*conditions).group_by(group)).all())
    score = SurveyAnswer.score
    stats_rows = db.session.execute(
        select(group, SurveyAnswer.item_id, func.count(score), func.sum(score),
               *(func.sum(case((score == value, 1), else_=0)) for value in range(1, 6)))
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(*conditions, score.is_not(None)).group_by(group, SurveyAnswer.item_id)
    ).all()
    completions = _completions(course_id, period, None, dimension)
    # The completions column is the dashboard's "klara": what the dashboard hides stays hidden here.
    dashboard = hidden_completions(course_id, period)
    forced = {"organisation": dashboard.organisations, "org_role": dashboard.roles, "gender": dashboard.genders}[dimension]
    keys = set(responses) | set(completions) | (set(forced) if dimension == "organisation" else set())
    forced_keys = [k for k in keys if k in forced] if dimension == "organisation" else [
        k for k in keys if _dashboard_label(dimension, k) in forced]
    labels = _labels(dimension, keys)
    per_group: dict = {k: {} for k in keys}
    for key, item_id, n, total, *dist in stats_rows:
        per_group[key][item_id] = ItemStats(n, int(total or 0), tuple(int(d or 0) for d in dist))
    # A group is hidden whole if its responses or its completions count 1-4 people, then more groups
    # until neither column's total less the shown groups gives a small group back.
    hidden, total_hidden = hide_rows({k: (responses.get(k, 0), completions.get(k, 0)) for k in keys},
                                     forced=forced_keys)
    rows = sorted(
        (Row(k, labels[k], responses.get(k, 0), completions.get(k, 0), per_group.get(k, {}), k in hidden, k is None)
         for k in keys), key=lambda r: (r.missing, r.label))  # "Uppgift saknas" last
    total = Row(None, "Totalt", sum(responses.values()), sum(completions.values()),
                _add(list(per_group.values())), total_hidden or dashboard.total)
    missing = next((r for r in rows if r.missing and r.responses), None)
    return Breakdown(dimension, [], rows, total, missing)


@dataclass(frozen=True)
class FreeText:
    """Free-text answers to show, or why none are shown."""

    answers: list[tuple[SurveyItem, list[tuple[SurveyAnswer, list[str]]]]]
    withheld: bool
    respondents: int


def free_texts(course_id: int, period: Period, scope: frozenset[int] | None, search: str = "",
               theme_id: int | None = None) -> FreeText:
    """Free-text answers without names; withheld when fewer than K people answered in the group."""
    conditions = _filters(course_id, period, scope)
    respondents = db.session.scalar(select(func.count(SurveyResponse.id)).where(*conditions))
    hidden, total_hidden = hidden_organisations(course_id, period)
    if respondents < K or total_hidden or (scope is not None and scope & hidden):
        return FreeText([], True, respondents)
    query = (select(SurveyAnswer, SurveyItem).join(SurveyResponse).join(SurveyItem)
             .where(*conditions, SurveyItem.kind == TEXT, SurveyAnswer.text.is_not(None)))
    if search.strip():
        query = query.where(func.lower(SurveyAnswer.text).contains(search.strip().lower(), autoescape=True))
    if theme_id is not None:
        query = query.where(SurveyAnswer.id.in_(select(SurveyAnswerTheme.answer_id).filter_by(theme_id=theme_id)))
    # Ordered by random id: no order that reflects when anyone answered.
    rows = db.session.execute(query.order_by(SurveyItem.id, SurveyAnswer.id)).all()
    themes = _themes_by_answer([a.id for a, _ in rows])
    grouped: dict[int, tuple[SurveyItem, list]] = {}
    for answer, item in rows:
        grouped.setdefault(item.id, (item, []))[1].append((answer, themes.get(answer.id, [])))
    return FreeText(list(grouped.values()), False, respondents)


def _themes_by_answer(answer_ids: list[str]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    if answer_ids:
        for answer_id, name in db.session.execute(
                select(SurveyAnswerTheme.answer_id, SurveyTheme.name).join(SurveyTheme)
                .where(SurveyAnswerTheme.answer_id.in_(answer_ids)).order_by(SurveyTheme.name)):
            result.setdefault(answer_id, []).append(name)
    return result


def themes(course_id: int) -> list[SurveyTheme]:
    """The course's themes, alphabetically."""
    return list(db.session.scalars(select(SurveyTheme).filter_by(course_id=course_id).order_by(SurveyTheme.name)))


def theme_counts(course_id: int, period: Period, scope: frozenset[int] | None) -> list[tuple[str, int]]:
    """How many answers carry each theme in the period, most common first; none where free text is withheld."""
    hidden, total_hidden = hidden_organisations(course_id, period)
    if total_hidden or (scope is not None and scope & hidden):
        return []
    rows = db.session.execute(
        select(SurveyTheme.name, func.count(SurveyAnswerTheme.id))
        .join(SurveyAnswerTheme, and_(SurveyAnswerTheme.theme_id == SurveyTheme.id))
        .join(SurveyAnswer, SurveyAnswer.id == SurveyAnswerTheme.answer_id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(*_filters(course_id, period, scope)).group_by(SurveyTheme.name)
        .order_by(func.count(SurveyAnswerTheme.id).desc(), SurveyTheme.name)
    ).all()
    return [(name, count) for name, count in rows]


@write_transaction
def add_theme(course_id: int, name: str) -> SurveyTheme:
    """Create a theme; names are unique per course."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        raise ResultsError("Ett tema behöver ett namn på högst 100 tecken.")
    theme = SurveyTheme(course_id=course_id, name=name)
    if not add_unique(theme):
        raise ResultsError(f"Temat ”{name}” finns redan.")
    return theme


def _text_answer(course_id: int, answer_id: str) -> SurveyAnswer:
    answer = db.session.scalar(
        select(SurveyAnswer).join(SurveyResponse)
        .where(SurveyAnswer.id == answer_id, SurveyResponse.course_id == course_id, SurveyAnswer.text.is_not(None))
        .with_for_update(of=SurveyAnswer))  # two coordinators at once: one change after the other
    if answer is None:
        raise ResultsError("Svaret finns inte.")
    return answer


@write_transaction
def set_themes(course_id: int, answer_id: str, theme_ids: list[int]) -> None:
    """Tag a free-text answer with exactly these themes."""
    answer = _text_answer(course_id, answer_id)
    valid = set(db.session.scalars(select(SurveyTheme.id).where(SurveyTheme.course_id == course_id,
                                                                 SurveyTheme.id.in_(theme_ids))))
    if valid != set(theme_ids):
        raise ResultsError("Okänt tema.")
    current = {t.theme_id: t for t in db.session.scalars(select(SurveyAnswerTheme).filter_by(answer_id=answer.id))}
    for theme_id, row in current.items():
        if theme_id not in valid:
            db.session.delete(row)
    for theme_id in valid - current.keys():
        add_unique(SurveyAnswerTheme(answer_id=answer.id, theme_id=theme_id))  # the same form sent twice at once


@write_transaction
def redact(course_id: int, answer_id: str, passage: str) -> None:
    """Replace a passage that identifies someone; the original text is overwritten, not kept."""
    answer = _text_answer(course_id, answer_id)
    passage = passage.strip()
    if not passage:
        raise ResultsError("Skriv eller klistra in den text som ska tas bort.")
    if passage not in answer.text:
        raise ResultsError("Texten som ska tas bort finns inte i svaret. Kopiera den exakt.")
    answer.text = answer.text.replace(passage, REDACTED)
    answer.redacted = True


def table_rows(table: Breakdown) -> tuple[list[str], list[list]]:
    """The breakdown as a flat table for CSV/XLSX, hidden cells written as 'för få svar'."""
    from learning.privacy import TOO_FEW

    header = [DIMENSIONS[table.dimension], "Svar", "Genomförda kurser", "Svarsfrekvens (%)"]
    for item in table.items:
        header += [f"{item.text}: medelvärde", f"{item.text}: antal svar"] + [f"{item.text}: {v}" for v in range(1, 6)]
    rows = []
    for row in [*table.rows, table.total]:
        if row.hidden:
            rows.append([row.label] + [TOO_FEW] * (len(header) - 1))
            continue
        line = [row.label, row.responses, row.completions, str(row.rate).replace(".", ",") if row.rate is not None else ""]
        for item in table.items:
            stats = row.items.get(item.id)
            if stats is None:
                line += ["", 0, 0, 0, 0, 0, 0]
            elif stats.n < K:  # e.g. an earlier wording that few answered
                line += [TOO_FEW] * 7
            else:
                line += [str(stats.mean).replace(".", ","), stats.n, *stats.distribution]
        rows.append(line)
    return header, rows
