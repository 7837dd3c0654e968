"""Survey tables. A response has no user id and no timestamp finer than the month.

Responses first wait in `survey_pending` (one row each, ids random, re-shuffled on every insert) and
are released into `survey_responses` in random order when their month is over, so neither row order
nor id ties a response to the moment a learner answered, and nothing finer than the month is kept.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.extensions import db
from learning.timeutil import utcnow


def random_id() -> str:
    """A random id that says nothing about when the row was written."""
    return uuid.uuid4().hex


class SurveyItem(db.Model):
    """One question as it was worded; a reworded question is a new item, so old answers keep theirs."""

    __tablename__ = "survey_items"
    __table_args__ = (UniqueConstraint("course_id", "kind", "key", "text", "low", "high"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(500))
    low: Mapped[str] = mapped_column(String(100), default="")
    high: Mapped[str] = mapped_column(String(100), default="")


class SurveyParticipation(db.Model):
    """That a learner answered (or declined) a course's survey, with no date: it only stops a second answer."""

    __tablename__ = "survey_participations"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    answered: Mapped[bool] = mapped_column(Boolean)


class SurveyPending(db.Model):
    """A response waiting to be released with others; the whole response as one blob."""

    __tablename__ = "survey_pending"

    __table_args__ = (Index("ix_survey_pending_course_month", "course_id", "month"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    # The month the response carries anyway: lets readers find due responses without reading payloads.
    month: Mapped[str] = mapped_column(String(7))
    payload: Mapped[dict] = mapped_column(JSON)


class SurveyResponse(db.Model):
    """One anonymous response: who in broad terms (förvaltning, role, gender), and the month.

    An attribute is None when it was not given or when fewer than five of the month's responses shared
    it (survey/anonymity.py): no stored combination singles anyone out.
    """

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_course_month", "course_id", "month"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    month: Mapped[str] = mapped_column(String(7))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    org_role: Mapped[str | None] = mapped_column(String(20))
    gender: Mapped[str | None] = mapped_column(String(20))

    answers: Mapped[list[SurveyAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    """The answer to one item: a score 1-5 or a text."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "item_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    response_id: Mapped[str] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id"), index=True)
    score: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class SurveyTheme(db.Model):
    """A theme that free-text answers can be tagged with, e.g. 'stöd från chef'."""

    __tablename__ = "survey_themes"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SurveyAnswerTheme(db.Model):
    """A free-text answer tagged with a theme."""

    __tablename__ = "survey_answer_themes"
    __table_args__ = (UniqueConstraint("answer_id", "theme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("survey_answers.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("survey_themes.id", ondelete="CASCADE"), index=True)
