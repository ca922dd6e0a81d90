"""Shared benchmark helpers: instance set-up, gunicorn, sign-in over HTTP, wrk runs and reporting.

The HTTP client is tests/support/http.py, shared with the system tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import resource
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT, RESULTS = HERE.parent, HERE / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The same cookie-keeping, CSRF-aware client as the system tests (see its docstring for why it lives there).
from tests.support.http import Browser, Response, csrf_token  # noqa: E402

DEMO_PASSWORD = "learn-at-your-own-pace"
THREADS, CONNECTIONS = 2, 32
DISTURBED = 0.10  # share of the CPUs other people's processes may use during a run before it is redone


def on_signals_interrupt() -> None:
    """Ctrl+C (even in a background job), SIGTERM and SIGHUP raise KeyboardInterrupt, so clean-up runs."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.default_int_handler)


def app_environment(tmp: Path, database_url: str) -> dict[str, str]:
    """TILEARN_* settings for a throwaway instance in tmp (also applied to this process)."""
    env = {
        "TILEARN_INSTANCE_PATH": str(tmp),
        "TILEARN_SECRET_KEY": secrets.token_hex(32),
        "TILEARN_SQLALCHEMY_DATABASE_URI": database_url,
        "TILEARN_CACHE_DIR": str(tmp / "cache"),
        "TILEARN_TRUSTED_HOSTS": '["127.0.0.1","localhost"]',
    }
    os.environ.update(env)
    return env


def migrate_and_seed(learners: int) -> list[tuple[str, str, str]]:
    """`flask db upgrade`, add learners (one password hash), count insight; each (module, section, title)."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from tilearn import create_app
    from tilearn.database import unit_of_work
    from tilearn.extensions import db
    from tilearn.models import User, UserRole
    from tilearn.services import insight_totals

    app = create_app()
    with app.app_context():
        upgrade()
        password_hash = generate_password_hash(DEMO_PASSWORD)
        for n in range(learners):
            user = User(email=learner_email(n), name=f"Bench Learner {n}", password_hash=password_hash)
            user.role_rows = [UserRole(role="learner")]
            db.session.add(user)
        db.session.commit()
        library = app.extensions["tilearn.library"].library
        # As on a site whose trainers have opened insight: learners' actions keep its totals up to date.
        for module in library.modules.values():
            with unit_of_work():
                insight_totals.recount(module)
        sections = [(m.id, s.id, s.title) for m in library.modules.values() for s in m.sections]
        db.engine.dispose()
    return sections


def in_process_app(tmp: Path, database_url: str):
    """The app for a benchmark run in this process: modules from tmp/modules, no CSRF, the given database."""
    from tilearn import create_app

    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MODULES_DIRS": [str(tmp / "modules")],
            "CACHE_DIR": str(tmp / "cache"),
            "WTF_CSRF_ENABLED": False,
            "PREFERRED_URL_SCHEME": "https",
        }
    )


def empty_and_upgrade() -> None:
    """In an app context: empty a PostgreSQL database's schema (a new SQLite file is empty), then upgrade."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from tilearn.extensions import db

    if db.engine.dialect.name != "sqlite":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade()


def analyze() -> None:
    """In an app context: commit, then refresh the query planner's statistics after bulk seeding."""
    from sqlalchemy import text

    from tilearn.extensions import db

    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
    else:
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    db.session.commit()


def record_statements() -> list[str]:
    """In an app context: a list that every SQL statement sent from now on is added to."""
    from sqlalchemy import event

    from tilearn.extensions import db

    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    return statements


def selects(statements: list[str]) -> int:
    """How many of the statements read (SELECT, or WITH … SELECT)."""
    return len([s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))])


def learner_email(n: int) -> str:
    """The sign-in of benchmark learner n."""
    return f"learner{n}@bench.example.org"


class Gunicorn:
    """A gunicorn master with sync workers on a free loopback port, stopped (by its pid) on exit."""

    def __init__(self, app: str, env: dict[str, str], log: Path, workers: int = 2) -> None:
        self.app, self.env, self.log, self.workers = app, env, log, workers
        with socket.socket() as sock:  # a free loopback port
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--worker-class", "sync"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), "--pythonpath", str(HERE)]
        command += [self.app]
        env = {**os.environ, **self.env}
        with self.log.open("ab") as log:  # its own session: Ctrl+C reaches this script, which stops it
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited:\n{self.log.read_text()[-2000:]}")
            if self.log.read_text(errors="replace").count("Booting worker") >= self.workers:
                with contextlib.suppress(OSError):
                    Browser(self.port).request("GET", "/")
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.app} did not start in {timeout} s; see {self.log}")

    def stop(self) -> None:
        """SIGTERM to the master (it stops its workers); SIGKILL to its process group if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.process is None:
            return []
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
            return [self.process.pid, *map(int, children.split())]
        return [self.process.pid]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def sign_in(port: int, email: str, page: str) -> tuple[Browser, Response]:
    """Sign in through the real form (CSRF included), then open page; return the browser and that page."""
    browser = Browser(port)
    token = csrf_token(browser.request("GET", "/sign-in").text)
    done = browser.request(
        "POST", "/sign-in", {"csrf_token": token, "email": email, "password": DEMO_PASSWORD}
    )
    if done.status != 302:
        raise RuntimeError(f"sign-in of {email} answered {done.status}: {done.text[:300]}")
    return browser, browser.request("GET", page)


@dataclass
class WrkResult:
    """What one wrk run reported, and the share of the CPUs other people's processes used meanwhile."""

    rps: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: int
    read_bytes: int
    output: str
    others_cpu: float = 0.0
    extra: dict = field(default_factory=dict)


def _cpu_seconds(servers: list[Gunicorn]) -> tuple[float, float, float]:
    """(monotonic time, busy CPU seconds of the machine, CPU seconds of this script, wrk and servers)."""
    hz = os.sysconf("SC_CLK_TCK")
    user, nice, system = (int(v) for v in Path("/proc/stat").read_text().split()[1:4])
    ours = 0
    for pid in (pid for server in servers for pid in server.pids()):
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ours += int(fields[11]) + int(fields[12])  # utime, stime
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    mine = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime  # wrk is a child once it ends
    return time.monotonic(), (user + nice + system) / hz, ours / hz + mine


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
UNITS_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def parse_wrk(output: str) -> WrkResult:
    """Requests/sec, the 99th percentile, request count and error counts from wrk --latency output."""
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    requests = re.search(r"^\s*(\d+) requests in .*, ([\d.]+)(B|KB|MB|GB) read", output, re.MULTILINE)
    if not (p99 and rps and requests):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        rps=float(rps.group(1)),
        p99_ms=float(p99.group(1)) * UNITS_MS[p99.group(2)],
        requests=int(requests.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
        read_bytes=int(float(requests.group(2)) * UNITS_BYTES[requests.group(3)]),
        output=output,
    )


def wrk(
    url: str, duration: int, headers: tuple[str, ...] = (), script: Path | None = None, watch: list = ()
) -> WrkResult:
    """One bounded wrk run against a loopback URL: -t2 -c32 --latency; watch: our servers, for others_cpu."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("benchmarks only send traffic to 127.0.0.1")
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    command += [part for header in headers for part in ("-H", header)]
    if script is not None:
        command += ["-s", str(script)]
    started = _cpu_seconds(list(watch))
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=duration + 60, check=True)
    ended = _cpu_seconds(list(watch))
    result = parse_wrk(done.stdout)
    others = (ended[1] - started[1]) - (ended[2] - started[2])
    result.others_cpu = max(others, 0.0) / ((ended[0] - started[0]) * (os.cpu_count() or 1))
    return result


def machine() -> dict[str, str]:
    """What docs/benchmarks.md records about the machine."""
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "memory": free.splitlines()[1].split()[1] if free else "?",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "arch": platform.machine(),
        "load": " ".join(f"{n:.2f}" for n in os.getloadavg()),
    }


def save(name: str, data: dict) -> Path:
    """Write the results as JSON to benchmarks/results/ (ignored by git)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def save_and_say(name: str, data: dict) -> Path:
    """Save the results (see save) and print where they went."""
    path = save(name, data)
    print(f"\nresults saved to {path.relative_to(ROOT)}")
    return path


def run(main, interrupted: str = "interrupted: servers stopped, temporary instance removed") -> None:
    """Run a benchmark's main(); Ctrl+C (see on_signals_interrupt) ends it with one line, not a traceback."""
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(interrupted)


def verdict(ok: bool) -> str:
    return "pass" if ok else "MISS"


def measure_runs(runs: int, measure_once, retries: int = 3) -> list[dict]:
    """Call measure_once() -> {name: WrkResult} runs times; redo a run others disturbed (≤ retries times)."""
    rows = []
    for n in range(1, runs + 1):
        for attempt in range(1, retries + 2):
            results = measure_once()
            others = max(result.others_cpu for result in results.values())
            line = " | ".join(f"{name} {r.rps:.0f}/s p99 {r.p99_ms:.1f} ms" for name, r in results.items())
            print(f"run {n}.{attempt}: {line} | others' CPU {others:.0%}", flush=True)
            if others <= DISTURBED or attempt > retries:
                break
            print(f"  disturbed: other processes used {others:.0%} of the CPUs; running it again", flush=True)
        rows.append({"run": n, "attempts": attempt, "others_cpu": others, "results": results})
    return rows
