"""The programme report's text for the tjänsteskrivelse, written from the figures and nothing else."""

from __future__ import annotations

from learning.council.text import evaluation_sentences, gender_sentences
from learning.periods import period_words
from learning.sessions.models import KINDS
from learning.words import number, plural

_KIND_WORDS = {"grundutbildning": "grundutbildningstillfällen", "workshop": "workshoppar",
               "fordjupning": "fördjupningstillfällen"}


def programme_text(figures: dict) -> str:
    """Paragraphs a coordinator can paste into the report back to the council."""
    period = period_words(figures["period"]["start"], figures["period"]["end"])
    split = figures["split"]
    about = "cirka " if figures["anonymous"] else ""
    opening = [f"Totalt deltog {about}{plural(figures['total'], 'person', 'personer')} i stadens utbildningsinsatser "
               f"mot hedersrelaterat våld och förtryck under {period}, varav {number(split['base'])} i "
               f"grundutbildningen och {number(split['deeper'])} i fördjupningar och workshoppar."]
    if split["both"]:
        opening.append(f"Av dem deltog {plural(split['both'], 'person', 'personer')} i båda och räknas en gång i "
                       "totalen.")
    if figures["anonymous"]:
        known_as = ("deltagare är bara känd som ett antal (i en gruppvisning eller ett antal per förvaltning) och "
                    "läggs till som den är" if figures["anonymous"] == 1 else
                    "deltagare är bara kända som ett antal (gruppvisningar och antal per förvaltning) och läggs "
                    "till som de är")
        opening.append("Den som är känd till namn och e-postadress räknas en gång även om hen deltog i flera "
                       f"insatser. {number(figures['anonymous'])} {known_as}, därav ”cirka”.")

    activities = []
    for course in figures["courses"]:
        sentence = f"{plural(course['web'], 'person', 'personer')} slutförde webbutbildningen ”{course['title']}”"
        if course["group"]:
            sentence += f" och {plural(course['group'], 'person', 'personer')} gick den i grupp med en kollega"
        activities.append(sentence + ".")
    for source in figures["sources"]:
        if source["key"] in KINDS and source["sessions"]:
            activities.append(f"{plural(source['participants'], 'person', 'personer')} deltog i "
                              f"{_KIND_WORDS[source['key']]} ({plural(source['sessions'], 'tillfälle', 'tillfällen')}).")
    visitors = sum(v["unique"] for v in figures["visits"])
    activities.append(f"Webbutbildningarnas startsidor hade {plural(visitors, 'unik besökare', 'unika besökare')} "
                      "under perioden (räknat per dag).")
    activities += gender_sentences(figures)

    evaluation = []
    for survey in figures["evaluations"]:
        evaluation += evaluation_sentences(survey, survey["themes"], f"”{survey['title']}”")
    return "\n\n".join(" ".join(p) for p in (opening, activities, evaluation) if p)
