"""send-reminders over a generated city: 30,000 staff, 10,000 of them with an assigned course due in 3 days.

For each database (SQLite in a temporary file, PostgreSQL in a throwaway database on BENCH_POSTGRES_URL),
the script loads the staff list with bulk inserts, saves one rule through the service, and runs
send_reminders twice against an SMTP server on loopback (aiosmtpd, in its own process): the first run mails every assigned
person (and the chefs' digests, none here: nobody is overdue), the second finds everything already sent.
Prints time, SQL statements and statements per mail. Run: `.venv/bin/python bench/reminders.py`
(BENCH_DATABASES=sqlite to skip PostgreSQL, BENCH_STAFF to change the size). Figures: bench/README.md.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import event, insert, select  # noqa: E402

from common import cpu_model  # noqa: E402
from reports import app_for, create_schema, throwaway_database  # noqa: E402

from learning.accounts import services as accounts  # noqa: E402
from learning.accounts.models import Organisation  # noqa: E402
from learning.assignments import reminders, rules  # noqa: E402
from learning.content import services as content  # noqa: E402
from learning.extensions import db  # noqa: E402
from learning.staff.models import StaffAssignment, StaffMember  # noqa: E402
from learning.timeutil import stockholm_today  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STAFF = int(os.environ.get("BENCH_STAFF", "30000"))
ASSIGNED = STAFF // 3
UNITS_PER_ORGANISATION = 40


def load_city(today: date) -> list[str]:
    """STAFF people spread over the first 12 förvaltningar; returns the codes whose staff make up ASSIGNED."""
    organisations = list(db.session.execute(select(Organisation.id, Organisation.code).order_by(Organisation.id)))[:12]
    members, places = [], []
    for n in range(STAFF):
        organisation_id, _ = organisations[n % len(organisations)]
        members.append({"id": n + 1, "employee_id": f"E{n:06d}", "name": f"Person {n}", "email": f"p{n}@malmo.se",
                        "active": True})
        places.append({"staff_id": n + 1, "organisation_id": organisation_id,
                       "unit": f"Enhet {n // len(organisations) % UNITS_PER_ORGANISATION}",
                       "org_role": "chef" if n % 25 == 0 else "medarbetare", "valid_from": today - timedelta(days=90)})
    for start in range(0, STAFF, 5000):
        db.session.execute(insert(StaffMember), members[start:start + 5000])
        db.session.execute(insert(StaffAssignment), places[start:start + 5000])
    db.session.commit()
    return [code for _, code in organisations[:max(1, round(12 * ASSIGNED / STAFF))]]


def measure(kind: str, folder: Path) -> dict:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The SMTP server in a process of its own, as a real relay would be (in this process it would compete
    # for the interpreter lock with the run it serves).
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                             "-l", f"127.0.0.1:{port}"])
    _wait_for(port)
    try:
        with throwaway_database(kind, folder) as url:
            app = app_for(url)
            app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                              REMINDER_DAYS_BEFORE=[7], REMINDER_DAYS_AFTER=[7])
            with app.app_context():
                create_schema()
                accounts.sync_organisations(accounts.load_organisation_file(
                    ROOT / "learning" / "organisations" / "malmo.toml"))
                content.import_tree(ROOT / "courses")
                today = stockholm_today()
                codes = load_city(today)
                rules.create(rules.RuleInput("grundkurs", organisation_codes=codes, due_on=today + timedelta(days=3)),
                             None, None, today)
                result = {"database": kind, "staff": STAFF}
                for label in ("first_run", "second_run"):
                    statements = []
                    listener = lambda *args: statements.append(1)  # noqa: E731
                    event.listen(db.engine, "before_cursor_execute", listener)
                    started = time.perf_counter()
                    report = reminders.send_reminders(today)
                    seconds = time.perf_counter() - started
                    event.remove(db.engine, "before_cursor_execute", listener)
                    mails = report.sent
                    result[label] = {"seconds": round(seconds, 1), "mails": mails, "already": report.already,
                                     "statements": len(statements),
                                     "statements_per_mail": round(len(statements) / mails, 2) if mails else None}
                db.session.remove()
                db.engine.dispose()
                return result
    finally:
        sink.terminate()
        sink.wait(timeout=10)


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the SMTP sink did not start on port {port}")


def main() -> int:
    kinds = [k for k in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",") if k]
    print(json.dumps({"cpu": cpu_model()}))
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            print(json.dumps(measure(kind, Path(folder))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
