"""Trainers' insight page for one module taken by 100,000 learners (issue 12: ≤ 0.3 s, constant queries).

Run: .venv/bin/python benchmarks/insight.py [--learners 100000] [--postgres URL]

Builds a throwaway database (a SQLite file unless --postgres; that database is emptied) with one
module of four sections and eight questions, and per learner: progress, four sections read, a
pause for one in five, a section skipped for now for one in ten, one or two attempts per quiz
section and a first answer to each question (bulk-inserted, as if learners had acted before the
running totals existed). Then it times: counting every learner once (what the first view of a
module's new version does, services.insight_totals.recount); the service (module_insight) with its
SELECT statements counted; the whole page and CSV through the app as a trainer; and what keeping
the totals up to date adds to a learner's action (a real quizzes.submit_answers for 200 learners,
timing insight_totals.learner_acted inside it and counting its statements).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

MODULE = "bench-insight"
RUNS = 5
TARGET = 0.3


def question(qid: str, number: int) -> str:
    return (
        f"::: single-choice {{#{qid}}}\nBenchmark question {number}?\n\n"
        "- [x] Yes\n  Right.\n- [ ] No\n  Not this one.\n:::\n"
    )


def write_module(folder: Path) -> None:
    """Four sections; the second has an optional content note; sections one and three have four questions."""
    (folder / MODULE).mkdir(parents=True)
    body = ["## First {#first}\n\nText.\n", *(question(f"q-a{n}", n) for n in range(4))]
    body += [
        "## Second {#second}\n\n::: content-note\ntopic: stress\nhandling: described\noptional: yes\n"
        "A note.\n:::\n\nText.\n"
    ]
    body += ["## Third {#third}\n\nText.\n", *(question(f"q-b{n}", n + 4) for n in range(4))]
    body += ["## Fourth {#fourth}\n\nText.\n"]
    (folder / MODULE / "module.md").write_text(
        f'---\nid: {MODULE}\ntitle: Bench insight\nlevel: aware\nversion: "1"\n'
        "summary: A benchmark module.\nminutes: 5\nframework: Benchmark\noutcomes:\n"
        "  - theme: staff-wellbeing\n    text: Rest.\n---\n" + "\n".join(body),
        encoding="utf-8",
    )


def seed(learners: int, fingerprints: dict[str, str]) -> int:
    """Learners and their private rows for the module, bulk-inserted; returns the trainer's id."""
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from tilearn.extensions import db
    from tilearn.models import (
        ModuleProgress,
        Pause,
        QuestionResult,
        QuizAttempt,
        SectionDeferral,
        SectionView,
        User,
        UserRole,
    )

    now = datetime.now(UTC)
    password = generate_password_hash("benchmark-password")
    rng = random.Random(12)
    trainer = learners + 1
    batches: dict[type, list[dict]] = {
        User: [],
        ModuleProgress: [],
        SectionView: [],
        Pause: [],
        SectionDeferral: [],
        QuizAttempt: [],
        QuestionResult: [],
    }

    def flush() -> None:
        for model, rows in batches.items():
            if rows:
                db.session.execute(insert(model), rows)
                rows.clear()

    sections = ["first", "second", "third", "fourth"]
    for user_id in range(1, learners + 2):
        batches[User].append(
            {
                "id": user_id,
                "email": f"person{user_id}@example.org",
                "name": f"Person {user_id}",
                "password_hash": password,
                "created_at": now,
            }
        )
        if user_id == trainer:
            break
        started = now - timedelta(days=rng.randrange(1, 300))
        batches[ModuleProgress].append(
            {
                "user_id": user_id,
                "module_id": MODULE,
                "started_at": started,
                "updated_at": started,
                "furthest_index": 3,
            }
        )
        seen = started
        for section in sections:
            seen += timedelta(seconds=rng.randrange(60, 1800))
            batches[SectionView].append(
                {"user_id": user_id, "module_id": MODULE, "section_id": section, "seen_at": seen}
            )
        if rng.random() < 0.2:
            batches[Pause].append(
                {
                    "user_id": user_id,
                    "module_id": MODULE,
                    "section_id": rng.choice(sections),
                    "paused_at": seen,
                }
            )
        if rng.random() < 0.1:
            batches[SectionDeferral].append(
                {"user_id": user_id, "module_id": MODULE, "section_id": "second", "deferred_at": seen}
            )
        for prefix, section in (("q-a", "first"), ("q-b", "third")):
            for attempt in range(1 + (rng.random() < 0.3)):
                batches[QuizAttempt].append(
                    {
                        "user_id": user_id,
                        "module_id": MODULE,
                        "section_id": section,
                        "attempt_key": f"{section}-{attempt}",
                        "answers": "{}",
                        "questions": "{}",
                        "cycle": 1,
                        "submitted_at": seen,
                    }
                )
            for n in range(4):
                qid = f"{prefix}{n}"
                right = rng.random() < 0.5 + 0.1 * n
                batches[QuestionResult].append(
                    {
                        "user_id": user_id,
                        "module_id": MODULE,
                        "question_id": qid,
                        "correct": True,
                        "first_correct": right,
                        "fingerprint": fingerprints[qid],
                        "answered_at": seen,
                    }
                )
        if user_id % 20_000 == 0:
            flush()
    flush()
    db.session.execute(insert(UserRole), [{"user_id": trainer, "role": "trainer"}])
    db.session.commit()
    return trainer


def learners_act(module, learners: int, queries: list[str]) -> tuple[list[float], list[int]]:
    """200 learners each check the first section's answers once more; time keeping the totals up to date."""
    from tilearn.services import insight_totals, quizzes

    keep = insight_totals.learner_acted
    times: list[float] = []
    statements: list[int] = []

    def timed(user_id: int, acted_on: object, kinds: tuple[str, ...]) -> None:
        queries.clear()
        started = time.perf_counter()
        keep(user_id, acted_on, kinds)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
        statements.append(len(queries))

    insight_totals.learner_acted = timed  # type: ignore[assignment]
    try:
        section = module.section("first")
        for user_id in random.Random(7).sample(range(1, learners + 1), 200):
            answers = {q.id: [1] for q in section.questions}  # not quite yet: a retry for most
            quizzes.submit_answers(user_id, module, section, answers, f"bench-{user_id}")
    finally:
        insight_totals.learner_acted = keep  # type: ignore[assignment]
    return times, statements


def main() -> None:
    """Seed, then time the service, the page and the CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--postgres", help="run against this PostgreSQL database (it is emptied)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tilearn-insight-bench-") as tmp_name:
        tmp = Path(tmp_name)
        url = args.postgres or f"sqlite:///{tmp / 'bench.sqlite'}"
        common.app_environment(tmp, url)
        write_module(tmp / "modules")
        from sqlalchemy import event

        from tilearn.extensions import db
        from tilearn.services import insight, insight_totals
        from tilearn.web.library_state import current_library

        app = common.in_process_app(tmp, url)
        with app.app_context():
            common.empty_and_upgrade()
            module = current_library().get(MODULE)
            assert module is not None, "the benchmark module did not load"
            prints = {q.id: q.fingerprint for s in module.sections for q in s.questions}
            started = time.perf_counter()
            seed(args.learners, prints)
            seeded = time.perf_counter() - started
            common.analyze()
            print(f"seeded {args.learners:,} learners in {seeded:.1f} s", flush=True)

            queries = common.record_statements()
            timings: dict[str, list[float]] = {}
            event.listen(
                db.engine, "before_cursor_execute", lambda *a: a[0].info.update(t=time.perf_counter())
            )
            event.listen(
                db.engine,
                "after_cursor_execute",
                lambda *a: timings.setdefault(" ".join(a[2].split())[:90], []).append(
                    time.perf_counter() - a[0].info["t"]
                ),
            )
            started = time.perf_counter()
            insight_totals.recount(module)
            db.session.commit()
            recount_time = time.perf_counter() - started
            service_times, counts = [], []
            for _ in range(RUNS):
                queries.clear()
                started = time.perf_counter()
                found = insight.module_insight(module)
                service_times.append(time.perf_counter() - started)
                counts.append(common.selects(queries))
                db.session.rollback()
            assert found.learners == args.learners and all(
                q.stats.facility is not None for q in found.questions
            )
            action_times, action_statements = learners_act(module, args.learners, queries)

        client = app.test_client()
        client.post(
            "/sign-in",
            data={"email": f"person{args.learners + 1}@example.org", "password": "benchmark-password"},
        )
        started = time.perf_counter()
        response = client.get(f"/insight/{MODULE}")
        first_view = time.perf_counter() - started
        assert response.status_code == 200
        page_times, csv_times = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(f"/insight/{MODULE}")
            page_times.append(time.perf_counter() - started)
            assert response.status_code == 200 and f"<strong>{args.learners}</strong>" in response.get_data(
                as_text=True
            )
            started = time.perf_counter()
            response = client.get(f"/insight/{MODULE}.csv")
            csv_times.append(time.perf_counter() - started)
            assert response.status_code == 200

    result = {
        "learners": args.learners,
        "database": "postgresql" if args.postgres else "sqlite",
        "service_median_s": statistics.median(service_times),
        "service_select_statements": sorted(set(counts)),
        "statements_median_s": {q: round(statistics.median(t), 3) for q, t in timings.items()},
        "recount_every_learner_s (once per module version)": recount_time,
        "first_view_s": first_view,
        "learner_action_added_s": {
            "median": statistics.median(action_times),
            "p95": statistics.quantiles(action_times, n=20)[-1],
            "statements": sorted(set(action_statements)),
        },
        "page_median_s": statistics.median(page_times),
        "csv_median_s": statistics.median(csv_times),
        "machine": common.machine(),
    }
    result["verdict"] = common.verdict(result["page_median_s"] <= TARGET and result["csv_median_s"] <= TARGET)
    print(json.dumps(result, indent=2, default=str))
    print(f"saved {common.save('insight', result)}")


if __name__ == "__main__":
    main()
