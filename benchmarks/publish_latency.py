"""Publish-to-live: how long after a publish (or rollback) commits until both gunicorn workers serve it.

A trainer's publish commits in this process (the service, as the site's Publish button calls it);
a learner's browser then asks for the module's page from four threads, so both workers answer,
and gunicorn's access log says which worker answered each request. A worker's latency is the
time from the commit to its first answer showing the new version (after which it shows nothing
else); a round's latency is the slower worker's. Target (issue 10): ≤ 2 s.
"""

from __future__ import annotations

import argparse
import random
import shlex
import statistics
import tempfile
import threading
import time
from pathlib import Path

import common

from tests.support.versions import ACCESS_LOG, MODULE_ID, first_served, module_text, poll, workers_by_tag

TARGET_S = 2.0
WATCH_S = 4.0  # how long each round watches the workers after the commit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6, help="publishes (every third one a rollback)")
    args = parser.parse_args()
    common.on_signals_interrupt()
    with tempfile.TemporaryDirectory(prefix="tilearn-bench-") as raw_tmp:
        tmp = Path(raw_tmp)
        env = common.app_environment(tmp, f"sqlite:///{tmp / 'tilearn.sqlite'}")
        env["GUNICORN_CMD_ARGS"] = shlex.join(ACCESS_LOG)
        common.migrate_and_seed(learners=1)
        from tilearn import create_app
        from tilearn.services import module_versions

        app = create_app()
        with app.app_context():
            first = module_versions.publish(None, MODULE_ID, module_text("1.0"), {}, "First.", False).id
        rounds = []
        with common.Gunicorn("tilearn:create_app()", env, tmp / "app.log") as server:
            browser, _page = common.sign_in(server.port, common.learner_email(0), f"/learn/{MODULE_ID}")
            for number in range(1, args.rounds + 1):
                label = f"1.{number}"
                # The learner keeps asking throughout, so each worker's once-a-second check runs at its
                # own moment; the publish lands at a random point between checks.
                warm_up = 1.0 + random.random()
                watched: list = []
                started = time.monotonic()
                watcher = threading.Thread(
                    target=lambda: watched.extend(poll(browser, started + warm_up + WATCH_S))  # noqa: B023
                )
                watcher.start()
                time.sleep(warm_up)
                with app.app_context():
                    if number % 3 == 0:
                        module_versions.rollback(None, MODULE_ID, first, f"Back to 1.0 ({number}).", False)
                    else:
                        text = module_text(label, f"Words of round {number}.")
                        module_versions.publish(None, MODULE_ID, text, {}, f"Round {number}.", True)
                since = time.monotonic()
                watcher.join()
                time.sleep(0.3)  # the access log line follows the answer
                seen = [s for s in watched if s.sent >= since]
                live = first_served(watched, workers_by_tag(tmp / "app.log"), label, since)
                kind = "rollback" if number % 3 == 0 else "publish"
                slowest = max(live.values()) if len(live) == 2 else float("inf")
                print(
                    f"round {number} ({kind} {label}): {sorted(round(v, 2) for v in live.values())} s",
                    flush=True,
                )
                rounds.append(
                    {
                        "round": number,
                        "kind": kind,
                        "workers": live,
                        "slowest": slowest,
                        "requests": len(seen),
                    }
                )
            errors = (tmp / "app.log").read_text().count("Traceback")
    report(rounds, errors, args)


def report(rounds: list[dict], errors: int, args: argparse.Namespace) -> None:
    """Markdown for docs/benchmarks.md."""
    info = common.machine()
    slowest = [r["slowest"] for r in rounds]
    print(f"\n## Publish to live on 2 workers ({info['date']})\n")
    print(f"`.venv/bin/python benchmarks/publish_latency.py --rounds {args.rounds}`\n\nmachine: {info}\n")
    print("| round | kind | worker A s | worker B s | requests after the commit |")
    print("|---|---|---|---|---|")
    for r in rounds:
        times = sorted(r["workers"].values()) + [float("nan")] * (2 - len(r["workers"]))
        print(f"| {r['round']} | {r['kind']} | {times[0]:.2f} | {times[1]:.2f} | {r['requests']} |")
    median, worst = statistics.median(slowest), max(slowest)
    print(
        f"\n- slower worker, median {median:.2f} s, worst {worst:.2f} s (target ≤ {TARGET_S:.0f} s)"
        f" → {common.verdict(worst <= TARGET_S)}"
    )
    print(f"- tracebacks in the app log: {errors}")
    common.save_and_say(
        "publish_latency", {"machine": info, "rounds": rounds, "median": median, "worst": worst}
    )


if __name__ == "__main__":
    common.run(main)
