"""The programme report's rows for CSV/XLSX, and its headline figures for comparing a snapshot with live ones."""

from __future__ import annotations

from learning.council.services import evaluation_rows, organisation_and_gender_rows, source_rows


def headline(figures: dict) -> list[tuple[str, str, object]]:
    """(key, label, value) for the figures compared between a snapshot and the live report."""
    rows = [(f"{s['key']}:{s.get('course', '')}", s["label"], s["participants"]) for s in figures["sources"]]
    rows += [("total", "Totalt antal personer", figures["total"]),
             ("base", "Varav i grundutbildningen", figures["split"]["base"]),
             ("deeper", "Varav i fördjupningar och workshoppar", figures["split"]["deeper"])]
    rows += [(f"course:{c['slug']}", f"{c['title']}: deltagare", c["participants"]) for c in figures["courses"]]
    for survey in figures["evaluations"]:
        rows += [(f"responses:{survey['slug']}", f"{survey['title']}: svar på utvärderingen", survey["responses"]),
                 (f"rate:{survey['slug']}", f"{survey['title']}: svarsfrekvens (%)", survey["rate"])]
    return rows


def csv_rows(figures: dict) -> list[list]:
    """Every figure of the programme report as rows of (section, what, value, note)."""
    rows = source_rows(figures, f"varav {figures['anonymous']} kända bara som antal")
    rows += [["Per kurs", c["title"], c["participants"], f"kursens egen återrapport; tillfällen: {c['sessions']}"]
             for c in figures["courses"]]
    rows.append(["Per kurs", "Tillfällen utan kurs", figures["untied"]["participants"],
                 f"bara i programmet; tillfällen: {figures['untied']['sessions']}"])
    rows.append(["Per kurs", "Kända personer som räknas i flera", figures["in_several"],
                 "dras av från summan av kurserna"])
    rows.append(["Programmet", "Grundutbildningen", figures["split"]["base"], ""])
    rows.append(["Programmet", "Fördjupningar och workshoppar", figures["split"]["deeper"], ""])
    rows.append(["Programmet", "Deltog i båda", figures["split"]["both"], "räknas en gång i totalen"])
    rows += organisation_and_gender_rows(figures)
    for survey in figures["evaluations"]:
        rows += evaluation_rows(survey, survey["themes"], f"Utvärdering: {survey['title']}",
                                f"Fritext: {survey['title']}")
    for visits in figures["visits"]:
        rows.append([f"Startsidan: {visits['title']}", "Besök", visits["visits"], ""])
        rows.append([f"Startsidan: {visits['title']}", "Unika besökare (per dag, summerat)", visits["unique"], ""])
    return rows
