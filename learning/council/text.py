"""The report's closing text in the style of a tjänsteskrivelse, written from the figures and nothing else."""

from __future__ import annotations

from datetime import date

from learning.periods import period_words
from learning.timeutil import MONTHS
from learning.words import number, plural


def decimal(value: str) -> str:
    """'4.28' -> '4,28'."""
    return value.replace(".", ",")


def _list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]


def council_text(figures: dict) -> str:
    """A few paragraphs a coordinator can paste into the report back to the council."""
    sources = {s["key"]: s for s in figures["sources"]}
    period = period_words(figures["period"]["start"], figures["period"]["end"])
    lines = [f"Totalt deltog {plural(figures['total'], 'person', 'personer')} i utbildningsinsatserna mot hedersrelaterat våld "
             f"och förtryck under {period}."]
    web, group = sources["web"]["participants"], sources["group"]["participants"]
    lines.append(f"{plural(web, 'person', 'personer')} slutförde webbutbildningen och "
                 f"{plural(group, 'person', 'personer')} gick den "
                 "tillsammans med en kollega som registrerade gruppen (gruppvisning).")
    base = sources["grundutbildning"]
    if base["sessions"]:
        lines.append(f"{plural(base['participants'], 'person', 'personer')} deltog i den digitala eller fysiska "
                     f"grundutbildningen vid {plural(base['sessions'], 'tillfälle', 'tillfällen')}.")
    deeper = sources["workshop"]["participants"] + sources["fordjupning"]["participants"]
    if sources["workshop"]["sessions"] or sources["fordjupning"]["sessions"]:
        lines.append(f"{plural(deeper, 'person', 'personer')} deltog i workshoppar och fördjupningsutbildningar.")
    if figures["counted_once_less"]:
        lines.append(f"Den som deltog i flera insatser räknas en gång i totalen när personen är känd till namn och "
                     f"e-postadress, vilket gav {number(figures['counted_once_less'])} färre än summan av insatserna.")
    visitors = plural(figures["visits"]["unique"], "unik besökare", "unika besökare")
    lines.append(f"Webbutbildningens startsida hade {visitors} under perioden (räknat per dag).")
    lines += gender_sentences(figures)
    lines += evaluation_sentences(figures["survey"], figures["themes"], "webbutbildningen")
    return "\n\n".join([" ".join(lines[:5]), " ".join(lines[5:])]).strip()


def frozen_on(value: date) -> str:
    """'21 november 2026'."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def gender_sentences(figures: dict) -> list[str]:
    """The shares of women and men among participants of known gender, when they are shown."""
    gender = {g["key"]: g for g in figures["gender"]}
    if gender["kvinna"]["share"] is None or gender["man"]["share"] is None:
        return []
    sentence = (f"Av deltagarna med känt kön var {gender['kvinna']['share']} % kvinnor och "
                f"{gender['man']['share']} % män.")
    if gender["okant"]["share"] not in (None, "0"):
        sentence += f" Uppgift om kön saknas för {gender['okant']['share']} % av deltagarna."
    return [sentence]


def evaluation_sentences(survey: dict, themes: list, course_words: str) -> list[str]:
    """The evaluation of one course: response rate, each question's mean, the commonest themes."""
    lines = []
    if survey["responses"] == 0 and survey["completions"]:
        lines.append(f"Ingen som slutförde {course_words} under perioden svarade på utvärderingen.")
    elif survey["rate"] is not None:
        rate = str(round(float(survey["rate"])))
        lines.append(f"Ca {rate} % av deltagarna som slutförde {course_words} svarade på utvärderingen "
                     f"({number(survey['responses'])} svar).")
        for item in survey["items"]:
            if item["mean"] is not None:
                lines.append(f"{item['text']} Resultat {decimal(item['mean'])} av 5.")
    if themes:
        lines.append("I fritextsvaren återkom främst " + _list([name.lower() for name, _ in themes[:3]]) + ".")
    return lines
