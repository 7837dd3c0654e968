"""Failed sign-ins cost growing delays, per (account, client address) and, looser, per client address.

The counters live in Flask-Limiter's storage: memory:// for one process, redis:// (RATELIMIT_STORAGE_URI)
shared by every worker and host, so an attacker gets one allowance in all, not one per worker.

- A failed sign-in counts against the pair (account, address) and against the address.
- Past a free allowance each further failure makes that key wait before the next try: 15 s, 30 s, 1 min ...
  up to 15 min. Nothing is locked for good, and failures from another address never delay an account.
- A browser in which the account has signed in before carries a signed cookie: its attempts count against
  (account, that browser) alone, and the address's delay does not apply to them. The address's delay does
  not apply either to an account that has signed in from that address before. So a stranger behind the same
  NAT or proxy cannot keep a colleague out with the right password from their usual place.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer
from limits.storage import Storage

from learning.extensions import limiter

BROWSER_COOKIE = "kand_webblasare"
KNOWN_ADDRESS_SECONDS = 180 * 24 * 3600
BROWSER_COOKIE_SECONDS = 365 * 24 * 3600
REMEMBERED_ACCOUNTS = 5


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: for which account, from which client address, in a browser the account knows?"""

    account: str  # a digest of the normalised e-mail address: no address is kept in the counters
    address: str
    known_browser: bool

    @property
    def pair(self) -> str:
        """The key its failures count against: (account, address), or (account, a browser it knows)."""
        return f"{self.account}:browser" if self.known_browser else f"{self.account}:{self.address}"


def account_digest(email: str) -> str:
    """The throttle's name for an account: a digest of its normalised address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def attempt_for(email: str, request: Request) -> Attempt:
    """The attempt a sign-in request makes."""
    account = account_digest(email)
    return Attempt(account, request.remote_addr or "", account in _browser_accounts(request))


def _storage() -> Storage:
    return limiter.storage


def _key(*parts: str) -> str:
    return ":".join(["signin", current_app.config.get("RATELIMIT_KEY_PREFIX", ""), *parts])


def _remaining(key: str) -> int:
    storage = _storage()
    if storage.get(key) <= 0:
        return 0
    return max(1, math.ceil(storage.get_expiry(key) - time.time()))


def wait_seconds(attempt: Attempt) -> int:
    """Seconds before this attempt may be tried; 0 if now."""
    wait = _remaining(_key("wait", attempt.pair))
    if not attempt.known_browser and _storage().get(_key("known", attempt.account, attempt.address)) <= 0:
        wait = max(wait, _remaining(_key("wait", attempt.address)))
    return wait


def delay(failures: int, free: int) -> int:
    """The wait after the given number of failures on a key that allows `free` of them without one."""
    config = current_app.config
    if failures < free:
        return 0
    return min(int(config["LOGIN_DELAY_FIRST_SECONDS"]) * 2 ** min(failures - free, 20),
               int(config["LOGIN_DELAY_MAX_SECONDS"]))


# Attempts on one account from one address are checked one at a time: parallel requests would otherwise all
# pass the check before the first failure is counted. A request waits its turn this long, then answers "wait".
TURN_SECONDS = 3
_TURN_EXPIRY = 30  # a turn whose process died is given back after this long


@contextmanager
def turn(attempt: Attempt) -> Iterator[bool]:
    """Hold the pair's turn for the check, the password and the count (True), or False if it did not come.

    A double click still signs in: the second request waits for the first and then goes through.
    """
    storage, key = _storage(), _key("turn", attempt.pair)
    deadline = time.monotonic() + TURN_SECONDS
    while storage.incr(key, _TURN_EXPIRY) > 1:
        if time.monotonic() > deadline:
            yield False
            return
        time.sleep(0.02)
    try:
        yield True
    finally:
        storage.clear(key)


def record_failure(attempt: Attempt) -> None:
    """Count a wrong password (or unknown account) against the pair and the address."""
    config = current_app.config
    window = int(config["LOGIN_FAILURE_WINDOW_SECONDS"])
    keys = [(attempt.pair, int(config["LOGIN_FREE_FAILURES_PER_ACCOUNT"]))]
    if not attempt.known_browser:
        keys.append((attempt.address, int(config["LOGIN_FREE_FAILURES_PER_ADDRESS"])))
    storage = _storage()
    for name, free in keys:
        seconds = delay(storage.incr(_key("failed", name), window), free)
        if seconds:
            storage.incr(_key("wait", name), seconds)


def record_success(attempt: Attempt) -> None:
    """Forget the pair's failures and remember the address as one the account signs in from."""
    storage = _storage()
    for kind in ("failed", "wait"):
        storage.clear(_key(kind, attempt.pair))
        storage.clear(_key(kind, f"{attempt.account}:{attempt.address}"))
    storage.incr(_key("known", attempt.account, attempt.address), KNOWN_ADDRESS_SECONDS)


def remember_browser(request: Request, response: Response, email: str) -> None:
    """Mark this browser as one the account signs in from (a signed cookie, a few accounts at most)."""
    account = account_digest(email)
    accounts = [a for a in _browser_accounts(request) if a != account][: REMEMBERED_ACCOUNTS - 1]
    response.set_cookie(BROWSER_COOKIE, _serializer().dumps([account, *accounts]), max_age=BROWSER_COOKIE_SECONDS,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="throttle.browser")


def _browser_accounts(request: Request) -> list[str]:
    try:
        accounts = _serializer().loads(request.cookies.get(BROWSER_COOKIE, ""))
    except BadSignature:
        return []
    return [a for a in accounts if isinstance(a, str)] if isinstance(accounts, list) else []


def wait_message(seconds: int) -> str:
    """'Vänta 15 sekunder' or 'Vänta 2 minuter', in Swedish with the right plural."""
    if seconds < 60:
        unit = "sekund" if seconds == 1 else "sekunder"
        return f"För många försök med fel lösenord. Vänta {seconds} {unit} och försök igen."
    minutes = math.ceil(seconds / 60)
    unit = "minut" if minutes == 1 else "minuter"
    return f"För många försök med fel lösenord. Vänta {minutes} {unit} och försök igen."
