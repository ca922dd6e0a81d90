"""The per-request cost of "has the library changed?" against the section page's own time, same run.

In-process, on a signed-in learner's section page. Before every request each worker compares the
clock with when it last asked; once a second (LIBRARY_CHECK_SECONDS) it asks the database for the
library generation, one indexed single-row SELECT on a pooled connection. Measured here: the
page's time, the check when it is not due (a clock read), and the check when it is due (the
query, nothing changed). Under load a worker pays the query once a second, spread over the
requests it serves in that second; a worker idle for a second pays it on its next request.
Target (issue 10): ≤ 2 % of the section page's time.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from pathlib import Path

import common
from breakdown import BASE, PAGE, signed_in

TARGET = 0.02


def per_call(function, count: int) -> float:
    """Seconds per call, the median of five batches."""
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(count):
            function()
        batches.append((time.perf_counter() - started) / count)
    return statistics.median(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="section pages per batch (five batches)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tilearn-bench-") as raw_tmp:
        tmp = Path(raw_tmp)
        common.app_environment(tmp, f"sqlite:///{tmp / 'tilearn.sqlite'}")
        common.migrate_and_seed(learners=1)
        from tilearn import create_app
        from tilearn.web.library_state import check_for_changes

        app = create_app()
        client, _token = signed_in(app, 0)
        get = functools.partial(client.get, PAGE, base_url=BASE)
        for _ in range(50):
            assert get().status_code == 200
        page = per_call(get, args.requests)
        check = app.extensions["tilearn.library_check"]

        def not_due() -> None:
            check.next_at = float("inf")
            check_for_changes(app)

        def due() -> None:
            check.next_at = 0.0
            check_for_changes(app)

        fast = per_call(not_due, 100_000)
        with app.test_request_context():
            slow = per_call(due, 2_000)
        check.next_at = 0.0
    period = float(app.config["LIBRARY_CHECK_SECONDS"])
    # A busy worker serves period / page requests between two queries; an idle one pays a query per request.
    busy = fast + slow * page / period
    info = common.machine()
    print(f"\n## The library check ({info['date']})\n")
    print(f"`.venv/bin/python benchmarks/library_check.py --requests {args.requests}`\n\nmachine: {info}\n")
    print("| what | time | share of the section page |\n|---|---|---|")
    print(f"| section page (in-process, test client) | {page * 1000:.2f} ms | 100 % |")
    print(f"| check, not due (a clock read) | {fast * 1e6:.2f} µs | {fast / page:.3%} |")
    print(f"| check, due (one SELECT, nothing changed) | {slow * 1e6:.0f} µs | {slow / page:.2%} |")
    print(
        f"| per request on a busy worker (a query every {period:g} s) "
        f"| {busy * 1e6:.2f} µs | {busy / page:.3%} |"
    )
    print(
        f"\n- busy worker: {busy / page:.3%} of the page (target ≤ {TARGET:.0%})"
        f" → {common.verdict(busy / page <= TARGET)}"
    )
    print(
        f"- the first request after a second or more of quiet pays the query: {slow / page:.2%} of that page"
        f" → {common.verdict(slow / page <= TARGET)}"
    )
    data = {"machine": info, "page_s": page, "not_due_s": fast, "due_s": slow, "busy_s": busy}
    common.save_and_say("library_check", data)


if __name__ == "__main__":
    common.run(main, "interrupted")
