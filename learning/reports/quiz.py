"""Quiz analysis for the content team: which questions are too hard or ambiguous, as SQL aggregates.

The figures describe the part's current question set: attempts made against a revision before the latest
one an editor published with "Deltagarna måste göra om kunskapstestet" are attempts of the old question
set, so they are left out (and counted apart), as the passes they earned count nowhere any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select

from learning.content.services import PublishedCourse, still_counts
from learning.extensions import db
from learning.learn.models import QuizAnswer, QuizAttempt
from learning.learn.services import pass_counts
from learning.privacy import K, shown
from learning.reports.services import percent


@dataclass(frozen=True)
class QuestionStats:
    """How often one question was answered right (None when fewer than K answered it)."""

    text: str
    answered: int
    share_correct: Decimal | None


@dataclass(frozen=True)
class PartAnalysis:
    """One part's quiz in figures; None where fewer than K learners are behind a figure."""

    slug: str
    title: str
    learners: int
    first_attempt_pass_rate: Decimal | None
    mean_attempts_to_pass: Decimal | None
    questions: list[QuestionStats]
    # Passes that count (as on the dashboard), those of them made against an older revision of the part,
    # those voided because an editor published a changed quiz that must be retaken, and attempts of the
    # question set before that change (left out above); None when 1-4 people.
    passed: int | None = 0
    passes_on_older: int | None = 0
    voided: int | None = 0
    earlier_attempts: int | None = 0


def analysis(course: PublishedCourse) -> list[PartAnalysis]:
    """Every required part's quiz figures over all attempts."""
    return [_part(part.file_id, part.revision_id, part.slug, part.doc) for part in course.required_parts]


def _part(file_id: int, revision_id: int, slug: str, doc) -> PartAnalysis:
    attempts = QuizAttempt.__table__
    current = (attempts.c.content_file_id == file_id, still_counts(QuizAttempt))
    first = select(func.min(attempts.c.id).label("id")).where(*current).group_by(attempts.c.user_id).subquery()
    learners, first_passed = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((attempts.c.passed, 1), else_=0)), 0))
        .select_from(attempts.join(first, first.c.id == attempts.c.id))).one()
    first_pass = (select(attempts.c.user_id, func.min(attempts.c.id).label("id"))
                  .where(*current, attempts.c.passed).group_by(attempts.c.user_id)
                  .subquery())
    tries = (select(func.count().label("n")).select_from(attempts.join(first_pass, first_pass.c.user_id == attempts.c.user_id))
             .where(*current, attempts.c.id <= first_pass.c.id)
             .group_by(attempts.c.user_id).subquery())
    passers, mean_tries = db.session.execute(select(func.count(), func.avg(tries.c.n))).one()
    counts = db.session.execute(
        select(QuizAnswer.question_id, func.count(QuizAnswer.id), func.count(QuizAnswer.id).filter(QuizAnswer.correct))
        .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
        .where(*current).group_by(QuizAnswer.question_id)).all()
    answered = {qid: n for qid, n, _right in counts}
    correct = {qid: right for qid, _n, right in counts}
    questions = [
        QuestionStats(q.text, answered.get(q.id, 0),
                      percent(correct.get(q.id, 0), answered.get(q.id, 0)) if answered.get(q.id, 0) >= K else None)
        for q in doc.questions
    ]
    enough = learners >= K
    mean = Decimal(str(mean_tries)).quantize(Decimal("0.01")) if passers >= K and mean_tries is not None else None
    passes = pass_counts(file_id, revision_id)
    earlier = db.session.scalar(select(func.count(QuizAttempt.id))
                                .where(QuizAttempt.content_file_id == file_id, ~still_counts(QuizAttempt)))
    return PartAnalysis(slug, doc.title, learners, percent(first_passed, learners) if enough else None, mean, questions,
                        shown(passes.counting), shown(passes.on_older), shown(passes.voided), shown(earlier or 0))
