"""150 simulated learners for 3 minutes (locust, loopback): no 5xx, no lost writes, p95 ≤ 200 ms.

Learners arrive at --spawn-rate a second and sign in; the 3 minutes are measured from
when the last has signed in (the arrival's figures are reported apart).

Run: .venv/bin/python benchmarks/load.py [--users 150] [--minutes 3] [--postgres URL]
(`make bench` installs locust, the `bench` extra.)

A throwaway instance under gunicorn (2 sync workers, as `make run`). Each simulated learner
signs in through the real form, then works through the shipped modules as a person would,
with 1–5 s between steps: opens My learning and a module, reads a section, marks it read
(POST), now and then checks answers or takes a pause and opens the grounding page. Every
"marked read" the server acknowledged (302 to the next page) is remembered; after the run
each one must be in the database.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import threading
from pathlib import Path

import common
import gevent
from locust import HttpUser, between, task
from locust.env import Environment
from progress_writes import prepare_postgres

ACKNOWLEDGED: list[tuple[int, str, str]] = []  # (learner, module, section) the server said it saved
LOCK = threading.Lock()
SECTIONS: list[tuple[str, str, str]] = []
NEXT_LEARNER = iter(range(10**6))


class Learner(HttpUser):
    """One member of staff working through modules at their own pace."""

    wait_time = between(1, 5)

    def on_start(self) -> None:
        self.number = next(NEXT_LEARNER)
        self.cookies: dict[str, str] = {}
        self.place = random.randrange(len(SECTIONS))
        token = common.csrf_token(self.get("/sign-in", "/sign-in").text)
        form = {
            "csrf_token": token,
            "email": common.learner_email(self.number),
            "password": common.DEMO_PASSWORD,
        }
        signed_in = self.post("/sign-in", form, "/sign-in [POST]")
        if signed_in.status_code != 302:
            raise RuntimeError(f"learner {self.number} could not sign in: {signed_in.status_code}")
        self.token = common.csrf_token(self.get("/", "/").text)

    def request(self, method: str, path: str, name: str, data: dict | None = None):
        """One request with this learner's cookies (sent by hand: requests keeps Secure cookies off http)."""
        header = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        with self.client.request(
            method,
            path,
            data=data,
            name=name,
            headers={"Cookie": header} if header else {},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self.cookies.update({cookie.name: cookie.value for cookie in response.cookies})
            self.client.cookies.clear()
            if response.status_code >= 400:
                response.failure(f"{response.status_code}")
            else:
                response.success()
            return response

    def get(self, path: str, name: str):
        return self.request("GET", path, name)

    def post(self, path: str, data: dict, name: str):
        return self.request("POST", path, name, data)

    @task(6)
    def read_and_continue(self) -> None:
        """Open the next section, read it, press Continue."""
        module, section, _title = SECTIONS[self.place % len(SECTIONS)]
        self.get(f"/learn/{module}/{section}?note=continue", "/learn/[module]/[section]")
        done = self.post(f"/learn/{module}/{section}/done", {"csrf_token": self.token}, "…/done [POST]")
        if done.status_code == 302 and "/sign-in" not in done.headers.get("Location", ""):
            with LOCK:
                ACKNOWLEDGED.append((self.number, module, section))
        self.place += 1

    @task(2)
    def my_learning(self) -> None:
        page = self.get("/", "/")
        modules = re.findall(r'href="/learn/([a-z0-9-]+)"', page.text)
        if modules:
            self.get(f"/learn/{random.choice(modules)}", "/learn/[module]")

    @task(1)
    def check_answers(self) -> None:
        """Open a section with questions and submit an answer."""
        module, section, _title = SECTIONS[self.place % len(SECTIONS)]
        page = self.get(f"/learn/{module}/{section}?note=continue", "/learn/[module]/[section]")
        key = re.search(r'name="attempt_key" value="([^"]+)"', page.text)
        question = re.search(r'name="(q-[a-z0-9-]+)" (?:type="(?:radio|checkbox)" )?value="(\d+)"', page.text)
        if key and question:
            answers = {
                "csrf_token": self.token,
                "attempt_key": key.group(1),
                question.group(1): question.group(2),
            }
            self.post(f"/learn/{module}/{section}/answers", answers, "…/answers [POST]")

    @task(1)
    def pause(self) -> None:
        """Take a pause and open the grounding page."""
        module, section, _title = SECTIONS[self.place % len(SECTIONS)]
        form = {"csrf_token": self.token, "module_id": module, "section_id": section}
        self.post("/pause", form, "/pause [POST]")
        self.get("/grounding", "/grounding")


def missing_writes(database_url: str) -> int:
    """Acknowledged "marked read" steps that are not in the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT u.email, v.module_id, v.section_id"
                " FROM section_views v JOIN users u ON u.id = v.user_id"
            )
        ).all()
    engine.dispose()
    learner = re.compile(r"^learner(\d+)@")
    saved = {(int(learner.match(email).group(1)), module, section) for email, module, section in rows}
    return len(set(ACKNOWLEDGED) - saved)


def main() -> None:
    """Start the site, run the learners, check every acknowledged write, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--minutes", type=float, default=3, help="of steady work, after everyone signed in")
    parser.add_argument("--spawn-rate", type=float, default=5, help="learners arriving per second")
    parser.add_argument("--postgres", help="run against this PostgreSQL database (it is emptied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tilearn-load-") as tmp_name:
        tmp = Path(tmp_name)
        url = args.postgres or f"sqlite:///{tmp / 'tilearn.sqlite'}"
        if args.postgres:
            prepare_postgres(args.postgres)  # refuses a database whose name lacks "bench"
        env = common.app_environment(tmp, url)
        SECTIONS.extend(common.migrate_and_seed(args.users))
        with common.Gunicorn("tilearn:create_app()", env, tmp / "app.log") as server:
            environment = Environment(user_classes=[Learner], host=server.url("").rstrip("/"))
            runner = environment.create_local_runner()
            ramp: dict = {}

            def all_signed_in(user_count: int, **_kwargs) -> None:
                """Keep the arrival's figures apart, then measure the minutes of steady work."""
                total = environment.stats.total
                ramp.update(requests=total.num_requests, p95_ms=total.get_response_time_percentile(0.95))
                sign_in = environment.stats.get("/sign-in [POST]", "POST")
                ramp["sign_in_p95_ms"] = sign_in.get_response_time_percentile(0.95)
                environment.stats.reset_all()
                gevent.spawn_later(args.minutes * 60, runner.quit)

            environment.events.spawning_complete.add_listener(all_signed_in)
            runner.start(args.users, spawn_rate=args.spawn_rate)
            runner.greenlet.join()
            log = (tmp / "app.log").read_text(errors="replace")
        stats = environment.stats.total
        server_errors = sum(
            error.occurrences
            for error in environment.stats.errors.values()
            if str(error.error).startswith("5")
        )
        missing = missing_writes(url)
    p95, p99 = stats.get_response_time_percentile(0.95), stats.get_response_time_percentile(0.99)
    results = {
        "machine": common.machine(),
        "database": "postgresql" if args.postgres else "sqlite",
        "users": args.users,
        "minutes": args.minutes,
        "arrival": ramp,
        "requests": stats.num_requests,
        "failures": stats.num_failures,
        "server_errors": server_errors,
        "rps": round(stats.total_rps, 1),
        "median_ms": stats.median_response_time,
        "p95_ms": p95,
        "p99_ms": p99,
        "acknowledged_writes": len(ACKNOWLEDGED),
        "missing_writes": missing,
        "database_locked": log.count("database is locked"),
        "tracebacks": log.count("Traceback"),
        "by_request": {
            name: {
                "requests": s.num_requests,
                "failures": s.num_failures,
                "p95_ms": s.get_response_time_percentile(0.95),
            }
            for (name, _method), s in environment.stats.entries.items()
        },
    }
    path = common.save(f"load-{results['database']}", results)
    print(
        f"{stats.num_requests:,} requests in {args.minutes:g} min ({stats.total_rps:.0f}/s)"
        f" from {args.users} learners"
    )
    for name, row in sorted(results["by_request"].items()):
        print(f"  {name:<28} {row['requests']:>7,}  failures {row['failures']}  p95 {row['p95_ms']} ms")
    print(
        f"while they arrived ({args.spawn_rate:g}/s, not counted above): {ramp['requests']} requests,"
        f" p95 {ramp['p95_ms']} ms, sign-in p95 {ramp['sign_in_p95_ms']} ms (scrypt, on purpose slow)"
    )
    print(f"5xx: {server_errors}  → {common.verdict(server_errors == 0)}")
    print(f"acknowledged writes missing: {missing} of {len(ACKNOWLEDGED):,} → {common.verdict(missing == 0)}")
    print(f"p95 {p95} ms (p99 {p99} ms)  target ≤ 200 ms: {common.verdict(p95 <= 200)}")
    print(f"failures (any 4xx/5xx): {stats.num_failures}; 'database is locked': {results['database_locked']}")
    print(f"saved {path.relative_to(common.ROOT)}")
    sys.exit(0)


if __name__ == "__main__":
    main()
