"""Access control as an explicit table: every route × method × role. An unlisted route fails."""

from __future__ import annotations

import pytest

ROLES = ("anonymous", "learner", "trainer", "manager", "admin")
EVERYONE = set(ROLES)
SIGNED_IN = {"learner", "trainer", "manager", "admin"}
AUTHORS = {"trainer", "admin"}
MANAGERS = {"manager", "admin"}
ADMINS = {"admin"}

#: (endpoint, method) -> who may use it. Anyone else gets the sign-in page (anonymous) or 403.
ACCESS: dict[tuple[str, str], set[str]] = {
    ("static", "GET"): EVERYONE,
    ("auth.sign_in", "GET"): EVERYONE,
    ("auth.sign_in", "POST"): EVERYONE,
    ("auth.sign_out", "POST"): EVERYONE,
    ("auth.change_password", "GET"): SIGNED_IN,
    ("auth.change_password", "POST"): SIGNED_IN,
    ("auth.set_password", "GET"): EVERYONE,
    ("auth.set_password", "POST"): EVERYONE,
    ("support.grounding", "GET"): EVERYONE,
    ("support.glossary", "GET"): EVERYONE,
    ("support.health", "GET"): EVERYONE,
    ("support.pause", "POST"): SIGNED_IN,
    ("learn.my_learning", "GET"): SIGNED_IN,
    ("learn.module", "GET"): SIGNED_IN,
    ("learn.section", "GET"): SIGNED_IN,
    ("learn.note_choice", "POST"): SIGNED_IN,
    ("learn.answers", "POST"): SIGNED_IN,
    ("learn.section_done", "POST"): SIGNED_IN,
    ("learn.finished", "GET"): SIGNED_IN,
    ("learn.refresher", "POST"): SIGNED_IN,
    ("learn.reflection", "POST"): SIGNED_IN,
    ("learn.asset", "GET"): SIGNED_IN,
    ("records.my_certificates", "GET"): SIGNED_IN,
    ("records.certificate", "GET"): SIGNED_IN,
    ("records.certificate_pdf", "GET"): SIGNED_IN,
    ("records.my_data", "GET"): SIGNED_IN,
    ("verify.lookup", "GET"): EVERYONE,
    ("verify.check", "GET"): EVERYONE,
    ("manage.report", "GET"): MANAGERS,
    ("manage.export", "GET"): MANAGERS,
    ("manage.learner", "GET"): MANAGERS,
    ("manage.certificate_pdf", "GET"): MANAGERS,
    ("needs.index", "GET"): MANAGERS,
    ("needs.assess_team", "GET"): MANAGERS,
    ("needs.assess_team", "POST"): MANAGERS,
    ("needs.team_history", "GET"): MANAGERS,
    ("needs.assess_person", "GET"): ADMINS,
    ("needs.assess_person", "POST"): ADMINS,
    ("needs.person_history", "GET"): ADMINS,
    ("needs.show", "GET"): MANAGERS,
    ("needs.accept", "POST"): MANAGERS,
    ("audits.index", "GET"): MANAGERS,
    ("audits.audit_team", "GET"): MANAGERS,
    ("audits.audit_team", "POST"): MANAGERS,
    ("audits.audit_service", "GET"): ADMINS,
    ("audits.audit_service", "POST"): ADMINS,
    ("audits.again", "GET"): MANAGERS,
    ("audits.show", "GET"): MANAGERS,
    ("audits.edit", "GET"): MANAGERS,
    ("audits.edit", "POST"): MANAGERS,
    ("audits.add_action", "POST"): MANAGERS,
    ("audits.action_done", "POST"): MANAGERS,
    ("audits.export_csv", "GET"): MANAGERS,
    ("audits.export_pdf", "GET"): MANAGERS,
    ("shared_plans.index", "GET"): MANAGERS,
    ("shared_plans.show", "GET"): MANAGERS,
    ("shared_plans.agree", "POST"): MANAGERS,
    ("my_plan.mine", "GET"): SIGNED_IN,
    ("evaluation.questionnaire", "GET"): SIGNED_IN,
    ("evaluation.questionnaire", "POST"): SIGNED_IN,
    ("evaluation.not_now", "POST"): SIGNED_IN,
    ("evaluation.stop", "POST"): SIGNED_IN,
    ("evaluation.stop_asking", "POST"): SIGNED_IN,
    ("evaluation.ask_again", "POST"): SIGNED_IN,
    ("my_plan.save", "POST"): SIGNED_IN,
    ("my_plan.sharing", "POST"): SIGNED_IN,
    ("my_plan.delete", "GET"): SIGNED_IN,
    ("my_plan.delete", "POST"): SIGNED_IN,
    ("author.index", "GET"): AUTHORS,
    ("author.preview", "GET"): AUTHORS,
    ("author.new_draft", "GET"): AUTHORS,
    ("author.new_draft", "POST"): AUTHORS,
    ("author.upload", "GET"): AUTHORS,
    ("author.upload", "POST"): AUTHORS,
    ("author.draft", "GET"): AUTHORS,
    ("author.save_draft", "POST"): AUTHORS,
    ("author.discard_draft", "GET"): AUTHORS,
    ("author.discard_draft", "POST"): AUTHORS,
    ("author.draft_preview", "GET"): AUTHORS,
    ("author.draft_preview_section", "GET"): AUTHORS,
    ("author.draft_preview_section", "POST"): AUTHORS,
    ("author.draft_file", "GET"): AUTHORS,
    ("author.publish", "GET"): AUTHORS,
    ("author.publish", "POST"): AUTHORS,
    ("author.edit", "POST"): AUTHORS,
    ("author.history", "GET"): AUTHORS,
    ("author.version", "GET"): AUTHORS,
    ("author.differences", "GET"): AUTHORS,
    ("author.rollback", "GET"): AUTHORS,
    ("author.rollback", "POST"): AUTHORS,
    ("author.retire", "GET"): AUTHORS,
    ("author.retire", "POST"): AUTHORS,
    ("author.restore", "GET"): AUTHORS,
    ("author.restore", "POST"): AUTHORS,
    ("checklists.index", "GET"): AUTHORS,
    ("checklists.check_module", "GET"): AUTHORS,
    ("checklists.check_module", "POST"): AUTHORS,
    ("checklists.module_history", "GET"): AUTHORS,
    ("checklists.check_offer", "GET"): AUTHORS,
    ("checklists.check_offer", "POST"): AUTHORS,
    ("checklists.show", "GET"): AUTHORS,
    ("checklists.export_csv", "GET"): AUTHORS,
    ("checklists.export_pdf", "GET"): AUTHORS,
    ("checklists.export_all_csv", "GET"): AUTHORS,
    ("admin.index", "GET"): ADMINS,
    ("admin.people_list", "GET"): ADMINS,
    ("admin.add_person", "GET"): ADMINS,
    ("admin.add_person", "POST"): ADMINS,
    ("admin.edit_person", "GET"): ADMINS,
    ("admin.edit_person", "POST"): ADMINS,
    ("admin.create_password_link", "POST"): ADMINS,
    ("admin.lift_lock", "POST"): ADMINS,
    ("admin.disable_person", "POST"): ADMINS,
    ("admin.enable_person", "POST"): ADMINS,
    ("admin.erase_person", "GET"): ADMINS,
    ("admin.erase_person", "POST"): ADMINS,
    ("admin.import_people", "GET"): ADMINS,
    ("admin.import_people", "POST"): ADMINS,
    ("admin.teams_list", "GET"): ADMINS,
    ("admin.add_team", "GET"): ADMINS,
    ("admin.add_team", "POST"): ADMINS,
    ("admin.edit_team", "GET"): ADMINS,
    ("admin.edit_team", "POST"): ADMINS,
    ("admin.settings", "GET"): ADMINS,
    ("admin.settings", "POST"): ADMINS,
    ("admin.revoke", "GET"): ADMINS,
    ("admin.revoke", "POST"): ADMINS,
    ("admin.audit", "GET"): ADMINS,
    ("insight.index", "GET"): AUTHORS,
    ("insight.module", "GET"): AUTHORS,
    ("insight.export", "GET"): AUTHORS,
    ("insight.evaluation_export", "GET"): AUTHORS,
}

VALUES = {
    "module_id": "worked-example",
    "section_id": "harder-day",
    "reflection_id": "r-settle",
    "filename": "build/tilearn.css",
    "path": "missing.png",
    "record_id": 1,
    "user_id": 1,
    "code": "no-such-code",
    "team_id": 1,
    "token": "no-such-token",
    "assessment_id": 1,
    "version_id": 1,
    "level_key": "aware",
    "stage": "before",
    "audit_id": 1,
    "action_id": 1,
    "checklist_id": 1,
}
FORMS = {
    "learn.note_choice": {"choice": "continue"},
    "learn.answers": {"attempt_key": "k", "q-q-same": "1"},
    "learn.reflection": {"text": "hello"},
    "support.pause": {},
    "auth.sign_in": {"email": "nobody@example.org", "password": "x"},
    "auth.change_password": {"current_password": "x", "new_password": "y", "new_password_again": "y"},
    "auth.set_password": {"new_password": "y", "new_password_again": "y"},
    "admin.lift_lock": {"scope": "account", "key": "nobody@example.org"},
    "admin.import_people": {"text": "name,email,team,role,expected level"},
    "admin.revoke": {"record": "no-such-code", "reason": "checking access"},
    "needs.accept": {"level": "aware"},
    "my_plan.save": {"role": "checking access"},
    "my_plan.sharing": {"share": "yes"},
    "evaluation.questionnaire": {"confidence": "2"},
}


def routes(app):
    """Every (endpoint, method, url) the app serves, HEAD and OPTIONS aside."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.build({k: VALUES[k] for k in rule.arguments})[1]))
    return found


def test_every_route_is_in_the_access_table(app):
    served = {(endpoint, method) for endpoint, method, _url in routes(app)}
    assert served - set(ACCESS) == set(), "add these routes to ACCESS"
    assert set(ACCESS) - served == set(), "these ACCESS rows name routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_table_allows(app, make_user, sign_in, role):
    client = app.test_client()
    if role != "anonymous":
        sign_in(make_user(role), target=client)
    for endpoint, method, url in routes(app):
        allowed = role in ACCESS[(endpoint, method)]
        response = client.open(url, method=method, data=FORMS.get(endpoint, {}))
        response.close()
        to_sign_in = response.status_code == 302 and "/sign-in" in response.headers["Location"]
        where = f"{role} {method} {url} -> {response.status_code}"
        if allowed:
            assert response.status_code not in (401, 403, 405, 500) and not (
                to_sign_in and endpoint not in ("auth.sign_out",)
            ), where
        elif role == "anonymous":
            assert to_sign_in, where
        else:
            assert response.status_code == 403, where
        if endpoint == "auth.sign_out" and role != "anonymous":
            sign_in(make_user(role), target=client)  # carry on signed in
