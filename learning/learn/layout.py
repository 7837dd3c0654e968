"""The quiz one attempt shows: which questions of the pool are drawn, and each question's option order.

The layout is derived from a secret-keyed seed (learner, part, revision, how many attempts they had made
before), so opening the page writes nothing and a reload shows the same quiz; the next attempt gets a
new draw. The submitted attempt stores its layout, so its result and Mina sidor show what was seen.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass

from flask import current_app

from learning.content.parsing import Document, Option, Question


@dataclass(frozen=True)
class Layout:
    """Drawn question ids in the order shown, and each one's option ids in the order shown."""

    questions: tuple[str, ...]
    options: dict[str, tuple[str, ...]]

    def as_json(self) -> dict:
        """The form stored with an attempt."""
        return {"questions": list(self.questions), "options": {q: list(o) for q, o in self.options.items()}}

    def shown(self, doc: Document) -> list[tuple[Question, list[Option]]]:
        """The drawn questions with their options in the order the learner saw them."""
        by_id = {q.id: q for q in doc.questions}
        result = []
        for qid in self.questions:
            question = by_id.get(qid)
            if question is None:
                continue
            options = {o.id: o for o in question.options}
            order = [options[o] for o in self.options.get(qid, ()) if o in options]
            order += [o for o in question.options if o not in order]  # never lose an option
            result.append((question, order))
        return result


def in_file_order(doc: Document) -> Layout:
    """Every question and option as written: attempts made before layouts were stored."""
    return Layout(tuple(q.id for q in doc.questions), {q.id: tuple(o.id for o in q.options) for q in doc.questions})


def from_json(data: dict | None, doc: Document) -> Layout:
    """The layout stored with an attempt, or the file order for attempts that have none."""
    if not isinstance(data, dict):
        return in_file_order(doc)
    return Layout(tuple(data.get("questions", ())),
                  {q: tuple(o) for q, o in (data.get("options") or {}).items()})


def _seed(user_id: int, file_id: int, revision_id: int, round_: int) -> int:
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"quiz-layout:{user_id}:{file_id}:{revision_id}:{round_}".encode()
    return int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:16], "big")


def draw(doc: Document, *, user_id: int, file_id: int, revision_id: int, round_: int, shuffle: bool) -> Layout:
    """The layout of a learner's attempt number round_ (0 for the first) on this revision."""
    if not shuffle and not doc.questions_per_attempt:
        return in_file_order(doc)
    rng = random.Random(_seed(user_id, file_id, revision_id, round_))
    questions = list(doc.questions)
    if doc.questions_per_attempt and doc.questions_per_attempt < len(questions):
        # The drawn questions keep the file's order: a part may build from one question to the next.
        picked = set(rng.sample(range(len(questions)), doc.questions_per_attempt))
        questions = [q for i, q in enumerate(questions) if i in picked]
    options = {}
    for question in questions:
        ids = [o.id for o in question.options]
        if shuffle:
            rng.shuffle(ids)
        options[question.id] = tuple(ids)
    return Layout(tuple(q.id for q in questions), options)
