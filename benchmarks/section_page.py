"""A signed-in learner's section page against a bare Flask floor of the same body size, same run."""

from __future__ import annotations

import argparse
import html
import statistics
import tempfile
from pathlib import Path

import common

MODULE, SECTION = "aware-starting-gently", "trauma-is-common"
TARGET_RATIO, TARGET_P99_MS = 0.25, 40.0  # quality.md, as updated by issue 9


def check_page(response: common.Response, title: str, page: str) -> None:
    """Stop unless the response is the section page itself (not a redirect, note or sign-in form)."""
    if response.status != 200:
        raise SystemExit(f"GET {page} answered {response.status}, not 200")
    if html.escape(title) not in response.text or f"/learn/{MODULE}/{SECTION}/done" not in response.text:
        raise SystemExit(f"GET {page} did not return the section page {title!r}")


def read_earlier_sections(browser: common.Browser, page: common.Response, sections: list) -> None:
    """Mark the sections before this one read, so the page shows a learner part-way through the module."""
    token = common.csrf_token(page.text)
    for module, section in sections[: sections.index((MODULE, SECTION))]:
        if module == MODULE:
            done = browser.request("POST", f"/learn/{module}/{section}/done", {"csrf_token": token})
            if done.status != 302:
                raise SystemExit(f"could not mark {section} read: {done.status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--app", default="tilearn:create_app()", help="gunicorn app spec (to try a variant)")
    args = parser.parse_args()
    common.on_signals_interrupt()
    page = f"/learn/{MODULE}/{SECTION}?note=continue"
    with tempfile.TemporaryDirectory(prefix="tilearn-bench-") as raw_tmp:
        tmp = Path(raw_tmp)
        env = common.app_environment(tmp, f"sqlite:///{tmp / 'tilearn.sqlite'}")
        titles = {(m, s): title for m, s, title in common.migrate_and_seed(learners=1)}
        title = titles[(MODULE, SECTION)]
        with common.Gunicorn(args.app, env, tmp / "app.log") as app:
            browser, response = common.sign_in(app.port, common.learner_email(0), page)
            read_earlier_sections(browser, response, list(titles))
            response = browser.request("GET", page)
            check_page(response, title, page)
            body_size = len(response.text.encode())
            cookie = f"Cookie: {browser.cookie_header()}"
            floor_env = {**env, "BENCH_BODY_SIZE": str(body_size)}
            with common.Gunicorn("floors:page()", floor_env, tmp / "floor.log") as floor:
                floor_size = len(common.Browser(floor.port).request("GET", page).text.encode())
                assert floor_size == body_size, (floor_size, body_size)
                print(f"section page {page}: {body_size} bytes; floor returns the same size", flush=True)
                rows = measure(app, floor, page, cookie, args)
            # The session must still be good: otherwise wrk would have timed a redirect to sign-in.
            check_page(browser.request("GET", page), title, page)
            errors = (tmp / "app.log").read_text().count("Traceback")
    report(rows, body_size, errors, args)


def measure(app: common.Gunicorn, floor: common.Gunicorn, page: str, cookie: str, args) -> list[dict]:
    """Warm both servers up, then alternate app and floor runs."""
    servers = [app, floor]
    common.wrk(app.url(page), 2, headers=(cookie,))
    common.wrk(floor.url(page), 2)
    return common.measure_runs(
        args.runs,
        lambda: {
            "app": common.wrk(app.url(page), args.duration, headers=(cookie,), watch=servers),
            "floor": common.wrk(floor.url(page), args.duration, watch=servers),
        },
    )


def report(rows: list[dict], body_size: int, errors: int, args: argparse.Namespace) -> None:
    """Print the table, medians, ratio and verdicts (Markdown, ready for docs/benchmarks.md)."""
    apps, floors = [r["results"]["app"] for r in rows], [r["results"]["floor"] for r in rows]
    median = statistics.median
    app_rps, floor_rps = median(a.rps for a in apps), median(f.rps for f in floors)
    app_p99, floor_p99 = median(a.p99_ms for a in apps), median(f.p99_ms for f in floors)
    ratio = app_rps / floor_rps
    bad = sum(a.non_2xx_3xx + a.socket_errors for a in apps)
    size = median(a.read_bytes / max(a.requests, 1) for a in apps)
    info = common.machine()
    variant = f" --app '{args.app}'" if args.app != "tilearn:create_app()" else ""
    command = f"benchmarks/section_page.py --runs {args.runs} --duration {args.duration}{variant}"
    print(f"\n## Section page ({info['date']})\n\n`.venv/bin/python {command}`\n")
    print(f"machine: {info}\nbody: {body_size} bytes; wrk read {size:.0f} bytes per response with headers\n")
    print("| run | app req/s | app p99 ms | floor req/s | floor p99 ms | ratio | others' CPU | attempts |")
    print("|---|---|---|---|---|---|---|---|")
    for r, a, f in zip(rows, apps, floors, strict=True):
        print(
            f"| {r['run']} | {a.rps:.0f} | {a.p99_ms:.1f} | {f.rps:.0f} | {f.p99_ms:.1f} "
            f"| {a.rps / f.rps:.2f} | {r['others_cpu']:.0%} | {r['attempts']} |"
        )
    print(
        f"| **median** | **{app_rps:.0f}** | **{app_p99:.1f}** | **{floor_rps:.0f}** | **{floor_p99:.1f}** "
        f"| **{ratio:.2f}** | | |"
    )
    print(f"\n- req/s ≥ {TARGET_RATIO} × floor: {ratio:.2f} × → {common.verdict(ratio >= TARGET_RATIO)}")
    print(f"- p99 ≤ {TARGET_P99_MS:.0f} ms: {app_p99:.1f} ms → {common.verdict(app_p99 <= TARGET_P99_MS)}")
    print(f"- non-2xx/3xx or socket errors (app): {bad}; tracebacks in the app log: {errors}")
    medians = {"app_rps": app_rps, "app_p99_ms": app_p99, "floor_rps": floor_rps, "floor_p99_ms": floor_p99}
    runs = [{**r, "results": {k: vars(v) for k, v in r["results"].items()}} for r in rows]
    common.save_and_say(
        "section_page", {"machine": info, "body_size": body_size, "runs": runs, "median": medians}
    )


if __name__ == "__main__":
    common.run(main)
