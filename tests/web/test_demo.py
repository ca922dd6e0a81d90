"""`flask demo seed`: demo people for every role and a team the demo manager can report on."""

from __future__ import annotations

from sqlalchemy import func, select

from tilearn.cli import DEMO_PASSWORD
from tilearn.extensions import db
from tilearn.models import Team, User


def test_demo_seed_gives_the_manager_a_team_and_can_run_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "manager@example.org" in first.output and DEMO_PASSWORD in first.output
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0  # make run seeds on every start
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 4
        assert db.session.scalar(select(func.count()).select_from(Team)) == 1
    client = app.test_client()
    client.post("/sign-in", data={"email": "manager@example.org", "password": DEMO_PASSWORD})
    page = client.get("/manage/").get_data(as_text=True)
    assert "Demo team" in page and "Lee Learner" in page and "Tia Trainer" in page
