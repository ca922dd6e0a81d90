"""`flask modules import` and `flask modules export`: modules kept in git move in and out of the site."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.web.test_versions import MODULE_ID, text
from tilearn.services import module_versions
from tilearn.web.library_state import check_for_changes, current_library

PNG = b"\x89PNG\r\n\x1a\nfake image"


def module_folder(root, label="1.0", body="Breathe slowly. ![A calm lake](images/lake.png)"):
    folder = root / MODULE_ID
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "module.md").write_text(text(label, body), encoding="utf-8")
    (folder / "images" / "lake.png").write_bytes(PNG)
    (folder / "notes.txt").write_text("not for learners", encoding="utf-8")
    return folder


def test_import_publishes_a_folder_and_export_writes_it_back(make_app, make_user, tmp_path):
    app = make_app(LIBRARY_CHECK_SECONDS=0)
    runner = app.test_cli_runner()
    folder = module_folder(tmp_path / "git")
    result = runner.invoke(
        args=["modules", "import", str(folder), "--note", "First version.", "--not-material"]
    )
    assert result.exit_code == 0, result.output
    assert f"Published {MODULE_ID} version 1.0" in result.output
    assert "left out (not an image or PDF handout): notes.txt" in result.output
    with app.app_context():
        version = module_versions.current_version(MODULE_ID)
        assert (version.source, version.note, version.material) == ("import", "First version.", False)
        assert module_versions.version_files(version.id) == {"images/lake.png": PNG}
        assert check_for_changes(app) and current_library().get(MODULE_ID).version == "1.0"
    learner = make_user("learner")
    client = app.test_client()
    assert client.post("/sign-in", data={"email": learner.email, "password": PASSWORD}).status_code == 302
    with client.get(f"/learn/{MODULE_ID}/assets/images/lake.png") as image:
        assert image.status_code == 200 and image.data == PNG

    again = runner.invoke(args=["modules", "import", str(folder), "--note", "Again.", "--material"])
    assert again.exit_code == 1 and "Nothing has changed since version 1.0." in again.output

    exported = runner.invoke(args=["modules", "export", MODULE_ID, str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    out = tmp_path / "out" / MODULE_ID
    assert (out / "module.md").read_text(encoding="utf-8") == text(
        "1.0", "Breathe slowly. ![A calm lake](images/lake.png)"
    )
    assert (out / "images" / "lake.png").read_bytes() == PNG
    refused = runner.invoke(args=["modules", "export", MODULE_ID, str(tmp_path / "out")])
    assert refused.exit_code != 0 and "use --force" in refused.output


def test_import_of_a_single_file_needs_a_note_and_a_material_choice(make_app, tmp_path):
    app = make_app()
    runner = app.test_cli_runner()
    path = tmp_path / "anything.md"
    path.write_text(text("2.0", "Plain words."), encoding="utf-8")
    unsaid = runner.invoke(args=["modules", "import", str(path), "--note", "x"])
    assert unsaid.exit_code != 0 and "--material or --not-material" in unsaid.output
    no_note = runner.invoke(args=["modules", "import", str(path), "--material"])
    assert no_note.exit_code == 1 and "Write a short note for learners" in no_note.output
    done = runner.invoke(args=["modules", "import", str(path), "--note", "Shorter.", "--material"])
    assert done.exit_code == 0 and f"Published {MODULE_ID} version 2.0" in done.output


def test_export_of_a_module_served_from_disk(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["modules", "export", "worked-example", str(tmp_path)])
    assert result.exit_code == 0 and "version 1.2" in result.output
    assert 'version: "1.2"' in (tmp_path / "worked-example" / "module.md").read_text(encoding="utf-8")
    unknown = app.test_cli_runner().invoke(args=["modules", "export", "no-such-module", str(tmp_path)])
    assert unknown.exit_code != 0 and "There is no module 'no-such-module'" in unknown.output
