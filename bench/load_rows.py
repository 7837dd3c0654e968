"""bench/load.py's accounting: rows expected (what the learners were told) against rows found, and the table.

Expected rows come from the responses the learners saw: a quiz form answered with a redirect to its result
is an acknowledged attempt, a result page saying "Godkänd" a part the learner was told they passed, a survey
form answered with the thanks a response. Found rows are read from the database afterwards; a survey
response is traced to its learner by the marker the harness wrote in a free-text answer, in the pending
pool (survey_pending) and among released responses (survey_answers) alike.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter

from sqlalchemy import create_engine, text


def count_rows(url: str, forms: list, learners: list, quiz_steps: dict[str, list[str]], survey_step: str,
               course: str, edited_part: str) -> list[dict]:
    """Rows expected (what learners were told) against rows found, per kind and step.

    quiz_steps maps each quiz wave to its parts, in the course's order; the course completion belongs to the last.
    """
    ids = {learner.id for learner in learners}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            files = dict(conn.execute(text(
                "SELECT f.id, f.filename FROM content_files f JOIN courses c ON c.id = f.course_id "
                "WHERE c.slug = :s"), {"s": course}).all())
            attempts = [r for r in conn.execute(text(
                "SELECT user_id, token, content_file_id, revision_id, passed FROM quiz_attempts")) if r[0] in ids]
            completions = Counter((u, f) for u, f in conn.execute(text(
                "SELECT user_id, content_file_id FROM part_completions")) if u in ids)
            courses = Counter(u for (u,) in conn.execute(text("SELECT user_id FROM course_completions")) if u in ids)
            answered = Counter(u for u, a in conn.execute(text(
                "SELECT user_id, answered FROM survey_participations")) if u in ids and a)
            pending = [p if isinstance(p, dict) else json.loads(p)
                       for (p,) in conn.execute(text("SELECT payload FROM survey_pending"))]
            released = [t for (t,) in conn.execute(text("SELECT text FROM survey_answers WHERE text LIKE 'bench-load %'"))]
    finally:
        engine.dispose()
    part_of = {fid: name.removesuffix(".md") for fid, name in files.items()}
    texts = released + [v for p in pending for v in p["answers"].values() if str(v).startswith("bench-load ")]
    responses = Counter(t.rsplit(" ", 1)[0].split(" ", 1)[1] for t in texts)  # per learner e-mail
    by_token = Counter((u, t) for u, t, *_ in attempts)
    passed_tokens = {(u, t) for u, t, _f, _r, passed in attempts if passed}
    revision_of = {(u, t): r for u, t, _f, r, _p in attempts}
    quiz = [f for f in forms if f.part]
    thanked = {f.learner.email for f in forms if f.marker and f.acknowledged}
    told = {(f.learner.id, f.part) for f in quiz if f.told_passed}
    finished = {u for u in ids if all((u, p) in told for parts in quiz_steps.values() for p in parts)}
    email_of = {learner.id: learner.email for learner in learners}
    id_of = {e: i for i, e in email_of.items()}
    rows = []

    def row(step, kind, expected: int, found: int, duplicates: int, lost: int, note: str = "") -> None:
        rows.append({"step": step, "rows": kind, "expected": expected, "found": found, "duplicates": duplicates,
                     "lost": lost, "note": note})

    for step, parts in quiz_steps.items():
        acked = {(f.learner.id, f.token): f for f in quiz if f.part in parts and f.acknowledged}
        mine = [a for a in attempts if part_of.get(a[2]) in parts]
        regraded = sum(1 for k, f in acked.items() if k in revision_of and revision_of[k] != f.revision)
        shown = Counter(f.revision for f in acked.values() if f.part == edited_part)
        note = f"{regraded} graded on another revision than shown" if regraded else ""
        if len(shown) > 1:
            note += f"acknowledged forms per revision shown: {dict(sorted(shown.items()))}"
        row(step, "quiz attempts", len(acked), len(mine), sum(by_token[(u, t)] - 1 for u, t, *_ in mine),
            sum(1 for k in acked if k not in passed_tokens), note)
        expected = {(u, fid) for fid, p in part_of.items() if p in parts for u in ids if (u, p) in told}
        found = {k: n for k, n in completions.items() if part_of.get(k[1]) in parts}
        row(step, "part completions", len(expected), sum(found.values()),
            sum(n - 1 for n in found.values()), len(expected - found.keys()))
    row(step, "course completions", len(finished), sum(courses.values()),
        sum(n - 1 for n in courses.values()), len(finished - courses.keys()))
    row(survey_step, "survey participations", len(thanked), sum(answered.values()),
        sum(n - 1 for n in answered.values()), len({e for e in thanked if not answered[id_of[e]]}))
    marked_no_response = {email_of[u] for u in answered if not responses[email_of[u]]}
    row(survey_step, "survey responses (pending + released)", len(thanked), sum(responses.values()),
        sum(n - 1 for n in responses.values() if n > 1),
        len({e for e in thanked if not responses[e]} | marked_no_response),
        f"{len(pending)} pending, {len(released)} released; {len(marked_no_response)} marked as answered "
        "with no response")
    return rows


def request_stats(requests: list[tuple[str, int | None, float]], steps: tuple[str, ...]) -> dict[str, dict]:
    """Per step and in total: requests by outcome and the latency of those answered."""
    stats = {}
    for step in (*steps, "total"):
        mine = [r for r in requests if step in (r[0], "total")]
        times = sorted(s * 1000 for _, status, s in mine if status is not None)
        codes = [status for _, status, _ in mine]
        stats[step] = {
            "requests": len(mine), "2xx/3xx": sum(1 for c in codes if c is not None and c < 400),
            "4xx": sum(1 for c in codes if c is not None and 400 <= c < 500),
            "5xx": sum(1 for c in codes if c is not None and c >= 500), "no response": codes.count(None),
            "p50_ms": statistics.median(times) if times else 0,
            "p99_ms": times[min(len(times) - 1, int(0.99 * len(times)))] if times else 0,
        }
    return stats


def markdown_table(kind: str, stats: dict[str, dict], rows: list[dict], steps: tuple[str, ...]) -> str:
    """One table per database: each step's requests, and the rows it wrote, expected against found."""
    lines = [f"**{kind}**", "", "| step | requests | 2xx/3xx | 4xx | 5xx | no response | p50 ms | p99 ms | rows | "
             "expected | found | duplicates | lost |", "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
    for step in (*steps, "total"):
        s = stats[step]
        head = (f"| {step} | {s['requests']} | {s['2xx/3xx']} | {s['4xx']} | {s['5xx']} | {s['no response']} | "
                f"{s['p50_ms']:.0f} | {s['p99_ms']:.0f} |")
        mine = [r for r in rows if r["step"] == step] if step != "total" else [{
            "rows": "all", **{k: sum(r[k] for r in rows) for k in ("expected", "found", "duplicates", "lost")}}]
        for i, r in enumerate(mine or [{"rows": "", "expected": "", "found": "", "duplicates": "", "lost": ""}]):
            lines.append((head if i == 0 else "| | | | | | | | |")
                         + f" {r['rows']} | {r['expected']} | {r['found']} | {r['duplicates']} | {r['lost']} |")
    return "\n".join(lines)
