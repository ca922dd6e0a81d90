"""Team report and CSV export on 100,000 learners × 20 modules (quality.md targets).

Run: .venv/bin/python benchmarks/team_report.py [--learners 100000] [--team-size 5000] [--postgres URL]

Builds a throwaway database with the given number of learners in teams of --team-size,
20 modules at one level, and about 60 % of cells completed and 10 % in progress, then:
- the 5,000-learner team report as one manager (the service, and the whole page through the app),
- the CSV export of every learner as an admin, streamed, with peak memory measured;
- the floor, in the same run: the team's counts as one aggregated query on the same indexes
  (quality.md: 0.05 s when it was measured), which the report is shown as a ratio of.
Targets: team report ≤ 0.15 s end to end with a constant number of queries; CSV ≤ 10 s, constant memory.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402

MODULES = 20
RUNS = 5


def write_modules(folder: Path) -> list[str]:
    """Twenty small modules at the 'aware' level."""
    ids = [f"bench-module-{n:02d}" for n in range(MODULES)]
    for module_id in ids:
        (folder / module_id).mkdir(parents=True)
        (folder / module_id / "module.md").write_text(
            f'---\nid: {module_id}\ntitle: Bench module {module_id[-2:]}\nlevel: aware\nversion: "1"\n'
            "summary: A benchmark module.\nminutes: 5\nframework: Benchmark\noutcomes:\n"
            "  - theme: staff-wellbeing\n    text: Rest.\n---\n## One {#one}\n\nText.\n",
            encoding="utf-8",
        )
    return ids


def seed(learners: int, team_size: int, module_ids: list[str]) -> tuple[int, int, int]:
    """Teams, learners, a manager per team, an admin, records and progress; returns (manager, admin, team)."""
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from tilearn.extensions import db
    from tilearn.models import CompletionRecord, ModuleProgress, Team, TeamManager, User, UserRole

    now = datetime.now(UTC)
    password = generate_password_hash("benchmark-password")
    teams = -(-learners // team_size)
    db.session.execute(
        insert(Team),
        [
            {"id": t + 1, "name": f"Team {t + 1}", "expected_level": "aware", "created_at": now}
            for t in range(teams)
        ],
    )
    people = [
        {
            "id": n,
            "email": f"learner{n}@example.org",
            "name": f"Learner {n}",
            "password_hash": password,
            "created_at": now,
            "team_id": (n - 1) // team_size + 1,
        }
        for n in range(1, learners + 1)
    ]
    manager_id, admin_id = learners + 1, learners + 2
    people += [
        {
            "id": manager_id,
            "email": "manager@example.org",
            "name": "Manager",
            "password_hash": password,
            "created_at": now,
            "team_id": None,
        },
        {
            "id": admin_id,
            "email": "admin@example.org",
            "name": "Admin",
            "password_hash": password,
            "created_at": now,
            "team_id": None,
        },
    ]
    for start in range(0, len(people), 20_000):
        db.session.execute(insert(User), people[start : start + 20_000])
    db.session.execute(
        insert(UserRole), [{"user_id": manager_id, "role": "manager"}, {"user_id": admin_id, "role": "admin"}]
    )
    db.session.execute(insert(TeamManager), [{"team_id": 1, "user_id": manager_id}])
    rng = random.Random(7)
    records, progress, code = [], [], 0
    for user_id in range(1, learners + 1):
        for module_id in module_ids:
            roll = rng.random()
            if roll < 0.7:
                progress.append(
                    {
                        "user_id": user_id,
                        "module_id": module_id,
                        "started_at": now,
                        "updated_at": now,
                        "furthest_index": 0,
                        "cycle": 1,
                        "current_record_id": None,
                        "current_issued_at": None,
                        "current_expires_at": None,
                        "current_version": None,
                    }
                )
            if roll < 0.6:
                code += 1
                issued = now - timedelta(days=rng.randrange(0, 1000))
                progress[-1].update(  # what services.certificates.sync_current_record would copy
                    current_record_id=code,
                    current_issued_at=issued,
                    current_expires_at=issued + timedelta(days=1095),
                    current_version="1",
                )
                records.append(
                    {
                        "id": code,
                        "user_id": user_id,
                        "module_id": module_id,
                        "module_version": "1",
                        "content_hash": "0" * 64,
                        "score": 100,
                        "cycle": 1,
                        "issued_at": issued,
                        "expires_at": issued + timedelta(days=1095),
                        "verification_code": f"code{code:012d}",
                        "module_title": "Bench",
                        "level_name": "Trauma Aware",
                    }
                )
        if len(records) > 50_000:
            db.session.execute(insert(CompletionRecord), records)
            db.session.execute(insert(ModuleProgress), progress)
            records, progress = [], []
    if records:
        db.session.execute(insert(CompletionRecord), records)
        db.session.execute(insert(ModuleProgress), progress)
    db.session.commit()
    return manager_id, admin_id, 1


def floor_query(manager_id: int):
    """The floor: one aggregated query over the manager's team (per learner: started, current, expired)."""
    from sqlalchemy import and_, case, func, select

    from tilearn.models import ModuleProgress, TeamManager, User
    from tilearn.models.types import utcnow

    now = utcnow()
    current = case((ModuleProgress.current_expires_at > now, 1), else_=0)
    expired = case((ModuleProgress.current_expires_at <= now, 1), else_=0)
    return (
        select(User.id, func.count(ModuleProgress.id), func.sum(current), func.sum(expired))
        .join(TeamManager, and_(TeamManager.team_id == User.team_id, TeamManager.user_id == manager_id))
        .outerjoin(ModuleProgress, ModuleProgress.user_id == User.id)
        .group_by(User.id)
    )


def main() -> None:
    """Seed, then time the report and the export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--team-size", type=int, default=5_000)
    parser.add_argument("--postgres", help="run against this PostgreSQL database (it is emptied)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tilearn-report-bench-") as tmp_name:
        tmp = Path(tmp_name)
        url = args.postgres or f"sqlite:///{tmp / 'bench.sqlite'}"
        common.app_environment(tmp, url)
        module_ids = write_modules(tmp / "modules")
        from tilearn.extensions import db
        from tilearn.services import reports
        from tilearn.services.organisation import current_scheme
        from tilearn.web.library_state import current_library

        app = common.in_process_app(tmp, url)
        with app.app_context():
            common.empty_and_upgrade()
            started = time.perf_counter()
            manager_id, admin_id, team_id = seed(args.learners, args.team_size, module_ids)
            seeded = time.perf_counter() - started
            common.analyze()
            print(f"seeded {args.learners:,} learners × {MODULES} modules in {seeded:.1f} s", flush=True)
            library, scheme = current_library(), current_scheme()

            queries = common.record_statements()
            service_times = []
            for _ in range(RUNS):
                queries.clear()
                started = time.perf_counter()
                report = reports.team_report(manager_id, False, library, scheme)
                service_times.append(time.perf_counter() - started)
                db.session.rollback()
            report_queries = common.selects(queries)
            assert report.learners == min(args.team_size, args.learners)
            floor_times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                counted = db.session.execute(floor_query(manager_id)).all()
                floor_times.append(time.perf_counter() - started)
                db.session.rollback()
            assert len(counted) == report.learners

        client = app.test_client()
        client.post("/sign-in", data={"email": "manager@example.org", "password": "benchmark-password"})
        page_times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(f"/manage/?team={team_id}")
            page_times.append(time.perf_counter() - started)
            assert response.status_code == 200 and "Learner 1<" in response.get_data(as_text=True)

        admin = app.test_client()
        admin.post("/sign-in", data={"email": "admin@example.org", "password": "benchmark-password"})

        def export() -> tuple[float, int, int]:
            """Stream the CSV as the admin; (seconds, lines, bytes)."""
            started = time.perf_counter()
            response = admin.get("/manage/report.csv")
            size = lines = 0
            for chunk in response.response:
                size += len(chunk)
                lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
            response.close()
            return time.perf_counter() - started, lines, size

        export_time, lines, size = export()  # timed without tracing: tracemalloc slows every allocation
        tracemalloc.start()
        traced_time = export()[0]
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    service, page = statistics.median(service_times), statistics.median(page_times)
    floor = statistics.median(floor_times)
    results = {
        "machine": common.machine(),
        "database": "postgresql" if args.postgres else "sqlite",
        "learners": args.learners,
        "team_size": args.team_size,
        "modules": MODULES,
        "seed_seconds": round(seeded, 1),
        "report_service_seconds": [round(t, 4) for t in service_times],
        "report_service_median": round(service, 4),
        "report_page_seconds": [round(t, 4) for t in page_times],
        "report_page_median": round(page, 4),
        "report_queries": report_queries,
        "floor_one_query_seconds": [round(t, 4) for t in floor_times],
        "floor_one_query_median": round(floor, 4),
        "report_page_over_floor": round(page / floor, 1),
        "csv_seconds": round(export_time, 2),
        "csv_lines": lines,
        "csv_bytes": size,
        "csv_peak_python_memory_mb": round(peak / 1e6, 1),
        "csv_seconds_under_tracemalloc": round(traced_time, 2),
    }
    path = common.save(f"team_report-{results['database']}", results)
    print(f"team report service: median {service * 1000:.0f} ms ({report_queries} queries)")
    print(f"one-query floor:     median {floor * 1000:.0f} ms (same run)")
    print(
        f"team report page:    median {page * 1000:.0f} ms = {page / floor:.1f} × the floor  "
        f"target ≤ 150 ms: {common.verdict(page <= 0.15)}"
    )
    print(
        f"CSV export:          {export_time:.1f} s for {lines:,} lines ({size / 1e6:.0f} MB), "
        f"peak Python memory {peak / 1e6:.1f} MB  target ≤ 10 s: {common.verdict(export_time <= 10)}"
    )
    print(f"saved {path}")


if __name__ == "__main__":
    main()
