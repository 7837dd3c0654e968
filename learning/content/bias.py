"""Answer-key bias: warnings when a quiz's right options can be told from their shape alone.

A reader who knows nothing and picks the longest (or shortest) option, or the option in the usual place, must fail.
These are warnings (the file can still be published), reported on the line of the quiz or the question.
"""

from __future__ import annotations

from collections import Counter

from markupsafe import Markup

from learning.content.parsing import Document, Option, Problem, Question

LENGTH_RATIO = 1.5  # a right option this many times the mean length of the others stands out
_RATIO_TEXT = f"{LENGTH_RATIO:g}".replace(".", ",")  # Swedish decimal comma
MIN_FOR_PATTERN = 4  # fewer single-answer questions than this say nothing about a pattern


def _length(option: Option) -> int:
    # What the learner sees: the text without Markdown marks, so **bold** does not count as longer.
    return len(Markup(option.html).striptags())


def _singles(doc: Document) -> list[Question]:
    return [q for q in doc.questions if len(q.correct_ids) == 1 and len(q.options) > 1]


def _extreme_is_right(question: Question, pick) -> bool:
    # pick is max or min: the one longest (or shortest) option, if it is the right one.
    lengths = [_length(o) for o in question.options]
    extreme = pick(lengths)
    winners = [o for o, n in zip(question.options, lengths) if n == extreme]
    return len(winners) == 1 and winners[0].correct


def _too_long(question: Question) -> bool:
    right = [_length(o) for o in question.options if o.correct]
    wrong = [_length(o) for o in question.options if not o.correct]
    if not right or not wrong:
        return False
    return sum(right) / len(right) > LENGTH_RATIO * (sum(wrong) / len(wrong))


def _right_first(question: Question) -> bool:
    flags = [o.correct for o in question.options]
    count = sum(flags)
    return len(question.correct_ids) > 1 and count < len(flags) and all(flags[:count])


def quiz_bias(doc: Document, *, shuffled: bool = True) -> list[Problem]:
    """Warnings about the answer key's shape; `shuffled` is the course's option shuffling."""
    warnings: list[Problem] = []
    singles = _singles(doc)
    for pick, word, advice in ((max, "längsta", "gör de felaktiga alternativen lika långa och precisa"),
                               (min, "kortaste", "variera längden så att den inte avslöjar svaret")):
        count = sum(_extreme_is_right(q, pick) for q in singles)
        if singles and 2 * count > len(singles):
            warnings.append(Problem(doc.quiz_line, (
                f"Det rätta svaret är det {word} alternativet i {count} av {len(singles)} frågor med ett rätt svar: "
                f"{advice}."), "warning"))
    if not shuffled and len(singles) >= MIN_FOR_PATTERN:
        positions = Counter(next(i for i, o in enumerate(q.options, 1) if o.correct) for q in singles)
        place, count = positions.most_common(1)[0]
        if 2 * count > len(singles):
            warnings.append(Problem(doc.quiz_line, (
                f"Det rätta svaret står på plats {place} i {count} av {len(singles)} frågor och alternativen "
                "blandas inte: sprid de rätta svaren över olika platser."), "warning"))
    for question in doc.questions:
        if _too_long(question):
            warnings.append(Problem(question.line, (
                f"Det rätta svaret är mer än {_RATIO_TEXT} gånger så långt som de andra alternativen i snitt: "
                "korta det eller gör de andra lika utförliga."), "warning"))
        if _right_first(question):
            warnings.append(Problem(question.line, (
                "Alla rätta alternativ står först: blanda dem med de felaktiga."), "warning"))
    return warnings
