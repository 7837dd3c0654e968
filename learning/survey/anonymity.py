"""Privacy at rest for survey responses: how much of who answered a released response may keep.

A response carries (förvaltning, role, gender). Stored as given, a combination that only one or a few
of a month's respondents share singles them out to anyone who reads the database. When a month is
released (learning/survey/pool.py) its whole batch is known, and `generalise` decides for each response
the tuple to store, dropping the finest attributes first (gender, then role, then förvaltning).

Pure functions, no database: the migration that generalised the rows stored before uses them too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from learning.privacy import K

Attributes = tuple[int | None, str | None, str | None]  # (organisation_id, org_role, gender)
NOTHING: Attributes = (None, None, None)  # the residual group: says nothing about who answered


def coarser(attributes: Attributes) -> Attributes:
    """One step coarser: without gender, else without role, else without förvaltning."""
    organisation, role, gender = attributes
    if gender is not None:
        return organisation, role, None
    if role is not None:
        return organisation, None, None
    return NOTHING


def _missing(attributes: Attributes) -> int:
    return sum(value is None for value in attributes)


def generalise(batch: Sequence[Attributes], stored: Sequence[Attributes] = (), k: int = K) -> list[Attributes]:
    """The tuple to store for each response of a month's batch (same order), given the month's stored rows.

    `stored` are the course's rows already stored for that month (a response that reached the pool
    just as its month was released comes out later on its own): they count as members of their groups
    but are never changed. A batch row keeps its tuple if at least k of the month's rows end up with
    exactly that tuple; otherwise it loses gender, then role, then förvaltning, a step at a time. Rows
    with nothing left (the residual) must be k or more too: the batch's rows that a group can spare
    beyond k join it first (largest groups first), then whole groups (smallest first).

    Guarantee: every tuple other than (None, None, None) given to a batch row is shared by at least k
    of the month's rows (batch and stored). When the month has fewer than k rows, every batch row gets
    (None, None, None). With no stored rows and k or more in the batch, (None, None, None) is shared by
    k or more too (or by none), so no stored tuple is shared by fewer than k. Only when stored rows
    hold the rest of the month can the residual stay smaller: its batch rows and stored residual rows
    are then fewer than k together, and it shows nothing but the course and the month.
    """
    if len(batch) + len(stored) < k:
        return [NOTHING] * len(batch)
    fixed = Counter(stored)
    result = list(batch)
    # A step only moves rows to a tuple with one more attribute missing: settle groups with none
    # missing first, then one, then two, and no group loses or gains rows once it is settled.
    for missing in range(3):
        counts = fixed + Counter(result)
        result = [coarser(t) if _missing(t) == missing and counts[t] < k else t for t in result]
    _fill_residual(result, fixed, k)
    return result


def _fill_residual(result: list[Attributes], fixed: Counter, k: int) -> None:
    counts = fixed + Counter(result)
    if not 0 < counts[NOTHING] < k:
        return
    rows: dict[Attributes, list[int]] = {}
    for index, attributes in enumerate(result):
        if attributes != NOTHING:
            rows.setdefault(attributes, []).append(index)
    # Taking only what a group has beyond k leaves every group its tuple; str() orders ties (None does not compare).
    for attributes in sorted(rows, key=lambda t: (-counts[t], str(t))):
        spare = min(counts[attributes] - k, len(rows[attributes]), k - counts[NOTHING])
        for index in rows[attributes][len(rows[attributes]) - max(spare, 0):]:
            result[index] = NOTHING
            rows[attributes].remove(index)
            counts[attributes] -= 1
            counts[NOTHING] += 1
        if counts[NOTHING] >= k:
            return
    for attributes in sorted((t for t in rows if rows[t]), key=lambda t: (counts[t], str(t))):
        for index in rows[attributes]:
            result[index] = NOTHING
        counts[NOTHING] += len(rows[attributes])
        if counts[NOTHING] >= k:
            return
