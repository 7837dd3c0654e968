"""Part-page throughput against a bare route of the same app, served by gunicorn on loopback.

Run with `make bench` (see bench/README.md). The script

1. makes a fresh SQLite database in a temporary folder, migrates it, runs `bootstrap` (organisations,
   course content, admin) and creates one learner;
2. serves bench/bench_app.py (the production app plus a bench-only /bench/bare route) with gunicorn,
   2 sync workers, on 127.0.0.1 and a free port;
3. signs the learner in through the real login form and keeps the session cookie;
4. runs wrk against /bench/bare and the part page with that cookie: a warm-up, then interleaved rounds;
5. prints a Markdown table and the part/bare ratio, writes the raw figures to bench/results/ and exits
   non-zero if the part page does not reach TARGET of the bare route's throughput.

All traffic goes to 127.0.0.1. Durations are bounded; BENCH_DURATION, BENCH_WARMUP and BENCH_ROUNDS
override the defaults within fixed limits.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from common import BenchError, bounded_env, cpu_model, exit_with, free_port

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"

HOST = "127.0.0.1"
BARE_PATH = "/bench/bare"
PART_PATH = "/kurs/grundkurs/del-1"
START_PATH = "/kurs/grundkurs/"  # the course start page: counts a visit (one insert) on every view
LOGIN_PATH = "/logga-in"
TARGET = 0.50  # part page throughput as a share of the bare route's

WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 8
# The login session is bound to address and user agent (session_protection = "strong"), so wrk sends the same
# User-Agent as the login did.
USER_AGENT = "learning-bench/1"
EMAIL = "bench@malmo.se"


DURATION = bounded_env("BENCH_DURATION", 10, 1, 60)  # seconds per measured run
WARMUP = bounded_env("BENCH_WARMUP", 3, 1, 30)  # seconds of warm-up per route
ROUNDS = bounded_env("BENCH_ROUNDS", 3, 1, 5)  # measured runs per route, interleaved

# wrk calls done() once at the end; printing the summary as JSON avoids parsing wrk's rounded text.
WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,"connect_errors":%.0f,"read_errors":%.0f,' ..
    '"write_errors":%.0f,"status_errors":%.0f,"timeouts":%.0f,"latency_mean_us":%.1f,"latency_max_us":%.0f,' ..
    '"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


def run(cmd: list[str], env: dict[str, str]) -> str:
    """Run a set-up command in the project folder; stop with its output if it fails."""
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(cmd[:6])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare_database(env: dict[str, str], password: str) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    run([*flask, "db", "upgrade"], env)
    run([*flask, "bootstrap"], env)  # prints the admin's one-time password; not needed here
    run([*flask, "create-user", "--email", EMAIL, "--name", "Bench", "--password", password,
         "--organisation", "fsk"], env)


def start_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    cmd = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{HOST}:{port}", "--workers", str(WORKERS), "--worker-class", "sync",
        "--chdir", str(ROOT), "--pythonpath", str(BENCH_DIR),
        "bench_app:app",
    ]
    if "--no-control-socket" in subprocess.run(cmd[:3] + ["--help"], capture_output=True, text=True).stdout:
        cmd.insert(3, "--no-control-socket")  # gunicorn ≥ 27: don't claim the shared ~/.gunicorn/gunicorn.ctl
    log = open(log_path, "wb")  # noqa: SIM115  (kept open for the server's lifetime)
    try:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()  # the child has its own descriptor


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes, int]:
    """One GET without following redirects: status, headers, body and the response's size on the wire."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"User-Agent": USER_AGENT}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        head = resp.getheaders()
        size = len(f"HTTP/1.1 {resp.status} {resp.reason}\r\n") + sum(len(k) + len(v) + 4 for k, v in head) + 2
        return resp.status, dict(head), body, size + len(body)
    finally:
        conn.close()


def wait_until_ready(proc: subprocess.Popen, port: int, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited ({proc.returncode}):\n{log_path.read_text(errors='replace')}")
        try:
            if get(port, LOGIN_PATH)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within {timeout:.0f} s:\n{log_path.read_text(errors='replace')}")


def log_in(port: int, password: str) -> str:
    """Sign in through the login form; return the Cookie header value for the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    base = f"http://{HOST}:{port}"
    with opener.open(base + LOGIN_PATH, timeout=10) as resp:
        page = resp.read().decode()
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'<input[^>]*value="([^"]+)"[^>]*name="csrf_token"', page)
    if not match:
        raise BenchError("no csrf_token in the login form")
    form = urllib.parse.urlencode({"csrf_token": match.group(1), "email": EMAIL, "password": password}).encode()
    with opener.open(base + LOGIN_PATH, data=form, timeout=10) as resp:  # follows the redirect after sign-in
        landed = urllib.parse.urlsplit(resp.url).path
        resp.read()
    if landed.startswith(LOGIN_PATH):
        raise BenchError(f"login failed: ended on {landed}")
    session = next((c.value for c in jar if c.name == "session"), None)
    if not session:
        raise BenchError("login set no session cookie")
    return f"session={session}"


def check_route(port: int, path: str, cookie: str, expect: bytes) -> int:
    """Make sure the route answers 200 with the expected content for this cookie; return the response size."""
    status, headers, body, size = get(port, path, cookie)
    if status != 200 or expect not in body:
        where = headers.get("Location", "")
        raise BenchError(f"GET {path} with the session cookie gave {status} {where}; expected 200 with {expect!r}")
    return size


def wrk(url: str, cookie: str, duration: int, script: Path) -> dict:
    cmd = [
        "wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{duration}s", "--timeout", "5s", "--latency",
        "-s", str(script), "-H", f"Cookie: {cookie}", "-H", f"User-Agent: {USER_AGENT}", url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise BenchError(f"no summary from wrk:\n{done.stdout}")
    stats = json.loads(line.removeprefix("BENCH_JSON "))
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    stats["bytes_per_response"] = stats["bytes"] / stats["requests"] if stats["requests"] else 0
    stats["wrk_output"] = done.stdout
    return stats


def validate(stats: dict, expected_size: int, path: str) -> None:
    """Refuse figures that include errors, or responses that are not the page checked before (e.g. redirects)."""
    errors = {k: stats[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")}
    if stats["requests"] == 0 or any(errors.values()):
        raise BenchError(f"wrk against {path}: {stats['requests']} requests, errors {errors}")
    # Sizes vary only by a few bytes (date, tokens); a redirect to the login page would be far off.
    if abs(stats["bytes_per_response"] - expected_size) > 64 + 0.05 * expected_size:
        raise BenchError(f"wrk against {path}: {stats['bytes_per_response']:.0f} bytes per response, "
                         f"expected about {expected_size}")


def summarise(runs: list[dict]) -> dict:
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_us"] for r in runs) / 1000,
        "p99_ms": statistics.median(r["p99_us"] for r in runs) / 1000,
        "rounds_rps": [round(r["rps"], 1) for r in runs],
    }


def machine() -> dict:
    cpu = cpu_model()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    gunicorn_version = subprocess.run([sys.executable, "-m", "gunicorn", "--version"],
                                      capture_output=True, text=True).stdout.strip()
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": wrk_version[0] if wrk_version else "unknown",
        "gunicorn": gunicorn_version,
    }


def markdown(bare: dict, pages: dict[str, dict], ratios: dict[str, float]) -> str:
    rows = [
        "| Route | req/s | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|",
        f"| `{BARE_PATH}` (bare route) | {bare['rps']:.0f} | {bare['p50_ms']:.2f} | {bare['p99_ms']:.2f} |",
    ]
    for name, (path, label) in PAGES.items():
        stats = pages[name]
        rows.append(f"| `{path}` ({label}) | {stats['rps']:.0f} | {stats['p50_ms']:.2f} | {stats['p99_ms']:.2f} |")
    rows.append("")
    for name, (_path, label) in PAGES.items():
        verdict = "PASS" if ratios[name] >= TARGET else "FAIL"
        rows.append(f"{label.capitalize()} / bare route: {ratios[name]:.1%} — {verdict} (target ≥ {TARGET:.0%})  ")
    return "\n".join(rows)


PAGES = {"part": (PART_PATH, "part page"), "start": (START_PATH, "start page")}


def main() -> int:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed (apt-get install wrk)")
    started = datetime.now(timezone.utc)
    tmp = Path(tempfile.mkdtemp(prefix="learning-bench-"))
    proc = None
    try:
        password = secrets.token_urlsafe(18)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            # A throwaway key so the bench neither needs nor creates instance/secret_key.
            "LEARNING_SECRET_KEY": "bench-" + secrets.token_hex(32),
            # Plain http on loopback: the cookies cannot be "Secure" here.
            "LEARNING_SESSION_COOKIE_SECURE": "false",
            "LEARNING_REMEMBER_COOKIE_SECURE": "false",
        }
        print("Preparing a fresh database …", flush=True)
        prepare_database(env, password)

        port = free_port(HOST)
        log_path = tmp / "gunicorn.log"
        print(f"Starting gunicorn on {HOST}:{port} ({WORKERS} sync workers) …", flush=True)
        proc = start_gunicorn(env, port, log_path)
        wait_until_ready(proc, port, log_path)

        cookie = log_in(port, password)
        routes = {
            "bare": (BARE_PATH, b"ok"),
            "part": (PART_PATH, "Kunskapstest".encode()),
            "start": (START_PATH, "Dina framsteg".encode()),
        }
        sizes = {name: check_route(port, path, cookie, expect) for name, (path, expect) in routes.items()}

        script = tmp / "summary.lua"
        script.write_text(WRK_SCRIPT)
        for name, (path, _) in routes.items():
            print(f"Warm-up {path} ({WARMUP} s) …", flush=True)
            wrk(f"http://{HOST}:{port}{path}", cookie, WARMUP, script)

        runs: dict[str, list[dict]] = {name: [] for name in routes}
        for round_no in range(1, ROUNDS + 1):
            for name, (path, _) in routes.items():  # interleaved, so drift affects both alike
                stats = wrk(f"http://{HOST}:{port}{path}", cookie, DURATION, script)
                validate(stats, sizes[name], path)
                stats["round"] = round_no
                runs[name].append(stats)
                print(f"  round {round_no} {path}: {stats['rps']:.0f} req/s, p50 {stats['p50_us'] / 1000:.2f} ms, "
                      f"p99 {stats['p99_us'] / 1000:.2f} ms", flush=True)
        for name, (path, expect) in routes.items():  # the session must still have been valid at the end
            check_route(port, path, cookie, expect)
    finally:
        if proc is not None:
            stop_gunicorn(proc)
        shutil.rmtree(tmp, ignore_errors=True)

    bare = summarise(runs["bare"])
    pages = {name: summarise(runs[name]) for name in PAGES}
    ratios = {name: pages[name]["rps"] / bare["rps"] for name in PAGES}
    passed = all(ratio >= TARGET for ratio in ratios.values())
    info = machine()
    print()
    print(f"{started:%Y-%m-%d %H:%M} UTC · {info['nproc']} CPU ({info['cpu_model']}) · Python {info['python']} · "
          f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{DURATION}s × {ROUNDS} rounds (median) · "
          f"gunicorn {WORKERS} sync workers")
    print()
    print(markdown(bare, pages, ratios))

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"part_page-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({
        "date": started.isoformat(timespec="seconds"),
        "command": "make bench",
        "machine": info,
        "config": {
            "gunicorn_workers": WORKERS, "worker_class": "sync", "wrk_threads": WRK_THREADS,
            "wrk_connections": WRK_CONNECTIONS, "duration_s": DURATION, "warmup_s": WARMUP, "rounds": ROUNDS,
            "bare_path": BARE_PATH, "part_path": PART_PATH, "start_path": START_PATH, "expected_response_bytes": sizes,
        },
        "summary": {"bare": bare, **pages, "ratios": ratios, "target": TARGET, "passed": passed},
        "runs": runs,
    }, indent=2, ensure_ascii=False) + "\n")
    print(f"\nRaw results: {out.relative_to(ROOT)}")
    return 0 if passed else 1


if __name__ == "__main__":
    exit_with(main)
