"""A signed-in learner's section page against a bare Flask floor of the same body size, same run."""

from __future__ import annotations

import argparse
import html
import os
import statistics
import sys
import tempfile
from pathlib import Path

import common

MODULE, SECTION = "aware-starting-gently", "trauma-is-common"
TARGET_RATIO, TARGET_P99_MS = 0.7, 25.0


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
            with common.Gunicorn("common:page_floor()", floor_env, tmp / "floor.log") as floor:
                floor_size = len(common.Browser(floor.port).request("GET", page).text.encode())
                assert floor_size == body_size, (floor_size, body_size)
                print(f"section page {page}: {body_size} bytes; floor returns the same size", flush=True)
                runs = measure(app.url(page), floor.url(page), cookie, args.runs, args.duration)
            # The session must still be good: otherwise wrk would have timed a redirect to sign-in.
            check_page(browser.request("GET", page), title, page)
            errors = (tmp / "app.log").read_text().count("Traceback")
    report(runs, body_size, errors, args)


def measure(app_url: str, floor_url: str, cookie: str, runs: int, duration: int) -> list[dict]:
    """Warm both servers up, then alternate app and floor runs."""
    common.wrk(app_url, 2, headers=(cookie,))
    common.wrk(floor_url, 2)
    results = []
    for n in range(1, runs + 1):
        load = os.getloadavg()[0]
        app = common.wrk(app_url, duration, headers=(cookie,))
        floor = common.wrk(floor_url, duration)
        row = {"run": n, "load": load, "app": app, "floor": floor}
        results.append(row)
        print(
            f"run {n}: app {app.rps:8.1f} req/s p99 {app.p99_ms:6.2f} ms | "
            f"floor {floor.rps:8.1f} req/s p99 {floor.p99_ms:6.2f} ms | load {load:.2f}",
            flush=True,
        )
    return results


def report(runs: list[dict], body_size: int, errors: int, args: argparse.Namespace) -> None:
    """Print the table, medians, ratio and verdicts (Markdown, ready for docs/benchmarks.md)."""
    app_rps = statistics.median([r["app"].rps for r in runs])
    app_p99 = statistics.median([r["app"].p99_ms for r in runs])
    floor_rps = statistics.median([r["floor"].rps for r in runs])
    floor_p99 = statistics.median([r["floor"].p99_ms for r in runs])
    ratio = app_rps / floor_rps
    bad = sum(r["app"].non_2xx_3xx + r["app"].socket_errors for r in runs)
    size = statistics.median([r["app"].read_bytes / max(r["app"].requests, 1) for r in runs])
    info = common.machine()
    print(f"\n## Section page ({info['date']})\n")
    variant = f" --app '{args.app}'" if args.app != "tilearn:create_app()" else ""
    command = f"benchmarks/section_page.py --runs {args.runs} --duration {args.duration}{variant}"
    print(f"`.venv/bin/python {command}`\n")
    print(
        f"machine: {info}\nbody: {body_size} bytes; wrk read {size:.0f} bytes per response (with headers)\n"
    )
    print("| run | app req/s | app p99 (ms) | floor req/s | floor p99 (ms) | app/floor | load before |")
    print("|---|---|---|---|---|---|---|")
    for r in runs:
        a, f = r["app"], r["floor"]
        print(
            f"| {r['run']} | {a.rps:.0f} | {a.p99_ms:.1f} | {f.rps:.0f} | {f.p99_ms:.1f} "
            f"| {a.rps / f.rps:.2f} | {r['load']:.2f} |"
        )
    print(
        f"| **median** | **{app_rps:.0f}** | **{app_p99:.1f}** | **{floor_rps:.0f}** | **{floor_p99:.1f}** "
        f"| **{ratio:.2f}** | |"
    )
    print(f"\n- req/s ≥ {TARGET_RATIO} × floor: {ratio:.2f} × → {common.verdict(ratio >= TARGET_RATIO)}")
    print(f"- p99 ≤ {TARGET_P99_MS:.0f} ms: {app_p99:.1f} ms → {common.verdict(app_p99 <= TARGET_P99_MS)}")
    print(f"- non-2xx/3xx or socket errors (app): {bad}; tracebacks in the app log: {errors}")
    for name in ("app", "floor"):
        values = [r[name].rps for r in runs]
        if common.spread(values) > 0.2:
            print(
                f"- WARNING: {name} req/s spread {common.spread(values):.0%}: the machine may have been busy"
            )
    path = common.save(
        "section_page",
        {
            "machine": info,
            "body_size": body_size,
            "runs": [
                {"run": r["run"], "load": r["load"], "app": vars(r["app"]), "floor": vars(r["floor"])}
                for r in runs
            ],
            "median": {
                "app_rps": app_rps,
                "app_p99_ms": app_p99,
                "floor_rps": floor_rps,
                "floor_p99_ms": floor_p99,
                "ratio": ratio,
            },
        },
    )
    print(f"\nresults saved to {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: servers stopped, temporary instance removed")
