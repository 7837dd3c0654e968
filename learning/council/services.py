"""Snapshots of the council report, the comparison with live figures, and the CSV rows of the figures."""

from __future__ import annotations

from sqlalchemy import select

from learning.accounts.models import User
from learning.council.models import CouncilSnapshot
from learning.extensions import db
from learning.periods import Period
from learning.privacy import TOO_FEW
from learning.transactions import write_transaction

CSV_HEADER = ["Avsnitt", "Uppgift", "Värde", "Källa"]


@write_transaction
def freeze(course_id: int | None, period: Period, figures: dict, user: User) -> CouncilSnapshot:
    """Store the figures as they are now, with who froze them (course None: the programme report)."""
    snapshot = CouncilSnapshot(course_id=course_id, period_start=period.start, period_end=period.end,
                               figures=figures, created_by_id=user.id, created_by_name=user.name)
    db.session.add(snapshot)
    return snapshot


def snapshots(course_id: int | None, period: Period) -> list[CouncilSnapshot]:
    """The snapshots of exactly this period, newest first."""
    return list(db.session.scalars(select(CouncilSnapshot).filter_by(
        course_id=course_id, period_start=period.start, period_end=period.end)
        .order_by(CouncilSnapshot.created_at.desc(), CouncilSnapshot.id.desc())))


def snapshot(course_id: int | None, snapshot_id: int) -> CouncilSnapshot | None:
    """One snapshot of the course."""
    return db.session.scalar(select(CouncilSnapshot).filter_by(id=snapshot_id, course_id=course_id))


def headline(figures: dict) -> list[tuple[str, str, object]]:
    """(key, label, value) for the figures compared between a snapshot and the live report."""
    rows = [(s["key"], s["label"], s["participants"]) for s in figures["sources"]]
    rows += [("total", "Totalt antal personer", figures["total"]),
             ("unique", "Unika besökare på startsidan", figures["visits"]["unique"]),
             ("responses", "Svar på utvärderingen", figures["survey"]["responses"]),
             ("rate", "Svarsfrekvens (%)", figures["survey"]["rate"])]
    rows += [(f"item{i}", item["text"], item["mean"]) for i, item in enumerate(figures["survey"]["items"])]
    return rows


def compare(frozen: dict, live: dict, headline_of=headline) -> list[tuple[str, object, object, bool]]:
    """(label, frozen value, live value, changed) for each headline figure (of the course or programme report)."""
    now = {key: value for key, _label, value in headline_of(live)}
    return [(label, value, now.get(key), now.get(key) != value) for key, label, value in headline_of(frozen)]


def shown(value) -> object:
    """A figure for a CSV cell: hidden ones as 'för få svar', decimals with a comma."""
    return TOO_FEW if value is None else str(value).replace(".", ",")


def organisation_and_gender_rows(figures: dict) -> list[list]:
    """The CSV rows per förvaltning and per gender."""
    rows = [["Per förvaltning", o["name"], shown(o["participants"]), ""] for o in figures["organisations"]]
    rows += [["Kön", g["label"], shown(g["n"]), "" if g["share"] is None else f"{g['share']} %"]
             for g in figures["gender"]]
    return rows


def evaluation_rows(survey: dict, themes: list, section: str = "Utvärdering", theme_section: str = "Fritext") -> list[list]:
    """The CSV rows of one course's evaluation and its free-text themes."""
    rows = [[section, "Svar", shown(survey["responses"]), f"av {survey['completions']} som slutförde"],
            [section, "Svarsfrekvens (%)", shown(survey["rate"]), ""]]
    rows += [[section, item["text"], shown(item["mean"]), "medelvärde 1–5"] for item in survey["items"]]
    rows += [[theme_section, name, n, "antal svar med temat"] for name, n in themes]
    return rows


def source_rows(figures: dict, note: str = "") -> list[list]:
    """The CSV rows of the participants per source, their sum and the total of people."""
    rows = [["Deltagare per källa", s["label"], s["participants"],
             "tillfällen: " + str(s["sessions"]) if s["sessions"] is not None else
             ("kursavslut i perioden" if s["key"] == "web" else "registrerade gruppvisningar")]
            for s in figures["sources"]]
    rows.append(["Deltagare per källa", "Summa av källorna", figures["source_sum"], ""])
    rows.append(["Deltagare per källa", "Totalt antal personer (kända personer räknas en gång)", figures["total"], note])
    return rows


def csv_rows(figures: dict) -> list[list]:
    """Every figure of the report as rows of (section, what, value, source), hidden cells as 'för få svar'."""
    rows = source_rows(figures)
    rows += organisation_and_gender_rows(figures)
    rows += evaluation_rows(figures["survey"], [])
    rows.append(["Startsidan", "Besök", figures["visits"]["visits"], ""])
    rows.append(["Startsidan", "Unika besökare (per dag, summerat)", figures["visits"]["unique"], ""])
    rows += [["Fritext", name, n, "antal svar med temat"] for name, n in figures["themes"]]
    return rows
