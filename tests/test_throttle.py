"""The sign-in throttle: growing delays that a stranger cannot turn into a lock-out (learning/throttle)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests

from learning.config import PROJECT_ROOT
from tests.helpers import PASSWORD, csrf_token, make_user


@pytest.fixture
def app_settings():
    # Short delays, so that a test can wait one out: 2 free failures, then 2 s, 4 s, 8 s ...
    return {"LOGIN_FREE_FAILURES_PER_ACCOUNT": 2, "LOGIN_FREE_FAILURES_PER_ADDRESS": 6, "LOGIN_DELAY_FIRST_SECONDS": 2}


def browser(app, address: str):
    """A browser of its own at a client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client, email: str = "anna.andersson@malmo.se", password: str = PASSWORD):
    return client.post("/logga-in", data={"csrf_token": csrf_token(client, "/logga-in"), "email": email,
                                          "password": password})


def test_each_failure_past_the_allowance_doubles_the_wait_and_waiting_lets_the_person_in(app):
    make_user(app)
    anna = browser(app, "10.0.0.1")
    assert [sign_in(anna, password="fel").status_code for _ in range(2)] == [400, 400]
    first = sign_in(anna)  # the right password, but the first wait has begun
    assert first.status_code == 429 and first.headers["Retry-After"] == "2"
    assert "Vänta 2 sekunder och försök igen." in first.get_data(as_text=True)
    time.sleep(2.1)
    assert sign_in(anna, password="fel").status_code == 400
    second = sign_in(anna)
    assert second.status_code == 429 and second.headers["Retry-After"] == "4"
    assert "Vänta 4 sekunder" in second.get_data(as_text=True)
    time.sleep(4.1)
    assert sign_in(anna).status_code == 302


def test_failures_from_another_address_never_delay_the_account(app):
    make_user(app)
    app.config["LOGIN_DELAY_FIRST_SECONDS"] = 60  # no wait runs out while this test is slow
    attacker = browser(app, "203.0.113.9")
    for _ in range(12):
        assert sign_in(attacker, password="gissning").status_code in (400, 429)
    assert sign_in(attacker).status_code == 429  # the attacker waits, even with the right password
    assert sign_in(browser(app, "10.0.0.1")).status_code == 302  # Anna, from her own address, does not


def test_a_stranger_behind_the_same_address_cannot_keep_colleagues_out(app):
    make_user(app)
    make_user(app, "bo@malmo.se", name="Bo")
    make_user(app, "ny@malmo.se", name="Ny")
    nat = "10.1.1.1"  # the city's proxy: everyone has this address
    anna = browser(app, nat)
    assert sign_in(anna).status_code == 302
    anna.post("/logga-ut", data={"csrf_token": csrf_token(anna, "/mina-sidor/")})
    assert sign_in(browser(app, nat), "bo@malmo.se").status_code == 302  # Bo has signed in from here before
    app.config["LOGIN_DELAY_FIRST_SECONDS"] = 60  # no wait runs out while this test is slow
    attacker = browser(app, nat)
    for target in ["anna.andersson@malmo.se"] * 3 + [f"p{n}@malmo.se" for n in range(8)]:
        sign_in(attacker, target, "gissning")
    assert sign_in(attacker).status_code == 429  # the attacker waits, even with Anna's right password
    assert sign_in(anna).status_code == 302  # Anna's own browser: failures against her account elsewhere do not count
    assert sign_in(browser(app, nat), "bo@malmo.se").status_code == 302  # Bo, in a new browser at his usual place
    newcomer = sign_in(browser(app, nat), "ny@malmo.se")  # never signed in from here: the address waits
    assert newcomer.status_code == 429 and "Vänta" in newcomer.get_data(as_text=True)


def test_a_browser_cookie_from_another_account_or_forged_gives_no_pass(app):
    make_user(app)
    app.config["LOGIN_DELAY_FIRST_SECONDS"] = 60
    make_user(app, "bo@malmo.se", name="Bo")
    bo = browser(app, "10.0.0.7")
    assert sign_in(bo, "bo@malmo.se").status_code == 302
    bo.post("/logga-ut", data={"csrf_token": csrf_token(bo, "/mina-sidor/")})
    for _ in range(2):
        sign_in(bo, password="gissning")  # Bo's browser against Anna's account
    assert sign_in(bo).status_code == 429
    forged = browser(app, "10.0.0.8")
    forged.set_cookie("kand_webblasare", "W10.forged")
    for _ in range(2):
        sign_in(forged, password="gissning")
    assert sign_in(forged).status_code == 429


REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_server():
    """The Redis server on loopback (.ci/run starts one); skipped with the reason when none answers."""
    import redis

    connection = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as exc:
        reason = f"no Redis server at {REDIS} ({exc}); start one with `redis-server --daemonize yes`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, prefix: str, threads: int = 1):
    """A gunicorn process of its own serving the app on the test database, with the throttle in Redis."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LEARNING_SECRET_KEY": "test-secret",
           "LEARNING_CHECK_CONTENT_ON_START": "false", "LEARNING_SESSION_COOKIE_SECURE": "false",
           "LEARNING_VISIT_BUFFER_SECONDS": "0", "LEARNING_RATELIMIT_STORAGE_URI": REDIS,
           "LEARNING_RATELIMIT_KEY_PREFIX": prefix, "LEARNING_LOGIN_FREE_FAILURES_PER_ACCOUNT": "3"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                "--threads", str(threads), "wsgi:app"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(url + "/healthz", timeout=1)
                break
            except requests.RequestException:
                assert process.poll() is None, process.stderr.read().decode()[-2000:]
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def test_two_gunicorn_processes_on_one_redis_share_one_count(app, database_url, redis_server):
    make_user(app)
    with gunicorn(database_url, redis_server) as first, gunicorn(database_url, redis_server) as second:
        session = requests.Session()  # one browser: cookies on 127.0.0.1 go to both ports
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(first + "/logga-in").text).group(1)

        def attempt(server: str, password: str) -> int:
            return session.post(server + "/logga-in", allow_redirects=False, timeout=10, data={
                "csrf_token": token, "email": "anna.andersson@malmo.se", "password": password}).status_code

        # Three free failures in all, two on the first process and one on the second: each process alone has
        # seen fewer than three, so only a shared count makes the next try wait.
        assert [attempt(first, "fel"), attempt(second, "fel"), attempt(first, "fel")] == [400, 400, 400]
        assert attempt(second, PASSWORD) == 429
        assert attempt(first, PASSWORD) == 429


def test_parallel_wrong_passwords_on_two_processes_get_only_the_free_tries(app, database_url, redis_server):
    """Sixteen wrong passwords at once, over two gunicorn processes of eight threads: three are tried, the rest wait.

    Without one attempt at a time per account and address, all of them would pass the check before the first
    failure was counted, and an attacker would get a guess per request instead of three.
    """
    make_user(app)
    with gunicorn(database_url, redis_server, threads=8) as first, \
            gunicorn(database_url, redis_server, threads=8) as second:
        browsers = []
        for n in range(16):
            session = requests.Session()
            server = (first, second)[n % 2]
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(server + "/logga-in").text).group(1)
            browsers.append((session, server, token))
        start = threading.Barrier(len(browsers))

        def attempt(browser) -> int:
            session, server, token = browser
            start.wait(timeout=30)
            return session.post(server + "/logga-in", allow_redirects=False, timeout=30, data={
                "csrf_token": token, "email": "anna.andersson@malmo.se", "password": "fel"}).status_code

        with ThreadPoolExecutor(len(browsers)) as pool:
            statuses = sorted(pool.map(attempt, browsers))
    assert statuses == [400] * 3 + [429] * 13
