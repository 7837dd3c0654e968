"""Which course is the base course, and which course a live session counts for.

The base course is the first published course that builds on no other (its course file has no
`requires`); a course that requires another is a fördjupning. The migration that tied existing sessions
to courses (c3d8e1f4a2b6) applies the same rule.
"""

from __future__ import annotations

from learning.content.services import PublishedCourse


def base_course(found: list[PublishedCourse]) -> PublishedCourse | None:
    """The first course that requires no other."""
    return next((c for c in found if is_base(c)), None)


def is_base(course: PublishedCourse) -> bool:
    """Whether a course counts as grundutbildning in the programme (it builds on no other course)."""
    return not course.requires


def default_course(kind: str, found: list[PublishedCourse]) -> PublishedCourse | None:
    """The course a new session of this kind counts for unless the coordinator says otherwise."""
    if kind == "grundutbildning":
        return base_course(found)
    deeper = [c for c in found if not is_base(c)]
    return deeper[0] if kind == "fordjupning" and len(deeper) == 1 else None


def fits(kind: str, course: PublishedCourse) -> str | None:
    """Why a session of this kind cannot count for the course, or None when it can."""
    if kind == "grundutbildning" and not is_base(course):
        return (f"”{course.title}” bygger på en annan kurs. Ett grundutbildningstillfälle kan bara höra till en "
                "grundkurs.")
    if kind == "fordjupning" and is_base(course):
        return (f"”{course.title}” är en grundkurs. Ett fördjupningstillfälle kan bara höra till en kurs som "
                "bygger på en annan, eller till ingen kurs.")
    return None
