"""Where a request's time goes: the section page and POST …/done timed piece by piece, in-process."""

from __future__ import annotations

import argparse
import collections
import functools
import os
import tempfile
import time
from pathlib import Path

import common
import floors

PAGE = "/learn/aware-starting-gently/trauma-is-common?note=continue"
BASE = "https://127.0.0.1"  # the test client keeps Secure cookies only over https


def timed(totals: dict, name: str, fn):
    """fn, adding its wall time to totals[name]."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - started

    return wrapper


def instrument(app, totals: dict) -> None:
    """Wrap the pieces of both requests, and count statements and time inside transactions."""
    from sqlalchemy import event

    import tilearn.web.learn as learn
    from tilearn.extensions import db, login_manager
    from tilearn.services import completion, organisation, progress, quizzes, reflections

    login_manager._user_callback = timed(totals, "user loader", login_manager._user_callback)
    for module, name in [
        (organisation, "current_settings"),
        (progress, "section_page_state"),
        (progress, "module_state"),
        (quizzes, "latest_answers"),
        (progress, "load_draft"),
        (reflections, "reflections_for"),
        (progress, "record_section_seen"),
        (completion, "complete_module"),
    ]:
        setattr(module, name, timed(totals, name, getattr(module, name)))
    learn.render_template = timed(totals, "render_template", learn.render_template)
    for endpoint in ("learn.section", "learn.section_done"):
        app.view_functions[endpoint] = timed(totals, "view (all of it)", app.view_functions[endpoint])
    app.wsgi_app = timed(totals, "whole WSGI app", app.wsgi_app)
    opened: list[float] = []

    def begin(_connection):
        totals["# transactions"] += 1
        opened.append(time.perf_counter())

    def end(*_args):
        if opened:
            totals["inside transactions (on POST: the SQLite write lock)"] += (
                time.perf_counter() - opened.pop()
            )

    with app.app_context():
        event.listen(db.engine, "begin", begin)
        for name in ("commit", "rollback", "reset"):
            event.listen(db.engine, name, end)
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *_a: totals.update({"# statements": totals["# statements"] + 1}),
        )


def tally(totals: dict, name: str) -> None:
    totals[name] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tilearn-bench-") as raw_tmp:
        tmp = Path(raw_tmp)
        common.app_environment(tmp, f"sqlite:///{tmp / 'tilearn.sqlite'}")
        sections = common.migrate_and_seed(learners=40)
        from tilearn import create_app

        app = create_app()
        totals: dict[str, float] = collections.defaultdict(float)
        clients = [signed_in(app, n) for n in range(40)]
        instrument(app, totals)
        browser, token = clients[0]
        done = [f"/learn/{m}/{s}/done" for m, s, _ in sections]
        for path in (
            "/learn/aware-starting-gently/welcome/done",
            "/learn/aware-starting-gently/grounding/done",
        ):
            # the learner has read the two sections before the page, as in section_page.py
            assert (
                browser.post(
                    path, data={"csrf_token": token}, base_url=BASE, headers={"Referer": BASE}
                ).status_code
                == 302
            )
        get = functools.partial(browser.get, PAGE, base_url=BASE)
        print(f"load average before: {os.getloadavg()[0]:.2f}; {args.requests} requests each, in-process\n")
        show("GET section page (200)", get, 200, totals, args.requests)
        counter = iter(range(10**9))

        def post():
            i = next(counter)
            client, csrf = clients[i % len(clients)]
            path = done[(i // len(clients)) % len(done)]
            return client.post(
                path, data={"csrf_token": csrf}, base_url=BASE, headers={"Referer": BASE + PAGE}
            )

        show("POST …/done (302)", post, 302, totals, args.requests)
        os.environ["BENCH_BODY_SIZE"] = str(len(get().get_data()))
        floor = floors.page().test_client()
        show(
            "bare Flask floor, same body size (200)",
            lambda: floor.get(PAGE, base_url=BASE),
            200,
            totals,
            args.requests,
        )


def signed_in(app, n: int):
    """A test client signed in through the form as learner n, and its CSRF token."""
    client = app.test_client()
    token = common.csrf_token(client.get("/sign-in", base_url=BASE).get_data(as_text=True))
    form = {"csrf_token": token, "email": common.learner_email(n), "password": common.DEMO_PASSWORD}
    client.post("/sign-in", data=form, base_url=BASE, headers={"Referer": BASE + "/sign-in"})
    page = client.get(PAGE, base_url=BASE)
    assert page.status_code == 200, page.status_code
    return client, common.csrf_token(page.get_data(as_text=True))


def show(title: str, request, status: int, totals: dict, count: int) -> None:
    """Warm up, time count requests, print ms per request for each piece."""
    for _ in range(50):
        assert request().status_code == status
    totals.clear()
    started = time.perf_counter()
    for _ in range(count):
        request()
    elapsed = time.perf_counter() - started
    print(f"### {title}: {elapsed / count * 1000:.2f} ms per request (test client included)\n")
    if totals:
        print("| piece | per request |\n|---|---|")
    for name, total in sorted(totals.items(), key=lambda item: -item[1]):
        value = f"{total / count:.1f}" if name.startswith("#") else f"{total / count * 1000:.2f} ms"
        print(f"| {name} | {value} |")
    print()


if __name__ == "__main__":
    common.run(main, "interrupted")
