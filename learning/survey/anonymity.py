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
    with nothing left (the residual) must be k or more too, or none: rows that groups have beyond k
    join it if they are enough, else the smallest group's batch rows, and so on until they are.

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
    rows: dict[Attributes, list[int]] = {}
    for index, attributes in enumerate(result):
        if attributes != NOTHING:
            rows.setdefault(attributes, []).append(index)
    # Each round either fills the residual or empties a group of its batch rows: it ends.
    while 0 < counts[NOTHING] < k and rows:
        need = k - counts[NOTHING]
        # What groups have beyond k can go without any group losing its tuple: enough of it, if there is.
        spare = {t: min(counts[t] - k, len(indexes)) for t, indexes in rows.items()}
        if sum(spare.values()) >= need:
            for attributes in sorted(rows, key=lambda t: (-spare[t], str(t))):  # str: None does not compare
                for index in rows[attributes][:min(spare[attributes], need)]:
                    result[index] = NOTHING
                    need -= 1
            return
        smallest = min(rows, key=lambda t: (counts[t], str(t)))
        for index in rows.pop(smallest):
            result[index] = NOTHING
            counts[smallest] -= 1
            counts[NOTHING] += 1
