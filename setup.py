"""One build step pyproject.toml cannot express: ship the learning content (modules/) inside the wheel."""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
CONTENT = "modules"
#: Where the modules land inside the package; tilearn.config.SHIPPED_MODULES reads them from there.
TARGET = Path("tilearn") / "content"
#: Built by `make assets` (ignored by git); a wheel without them would serve pages with no style.
BUILT_ASSETS = ("tilearn/static/build/tilearn.css", "tilearn/static/vendor/govuk/govuk-frontend.min.js")


class BuildWithContent(build_py):
    """build_py, then copy modules/ to tilearn/content/ in the build (not in an editable install)."""

    def run(self) -> None:
        editable = getattr(self, "editable_mode", False)
        missing = [name for name in BUILT_ASSETS if not (HERE / name).is_file()]
        if missing and not editable:
            raise SystemExit(f"{', '.join(missing)} missing: run `make assets` before building the wheel")
        super().run()
        if editable:
            return  # a checkout reads modules/ where it is
        source = HERE / CONTENT
        if not source.is_dir():
            raise SystemExit(f"{source} is missing: the wheel would ship no modules")
        for path in sorted(source.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(source).parts):
                target = Path(self.build_lib) / TARGET / path.relative_to(source)
                self.mkpath(str(target.parent))
                self.copy_file(str(path), str(target))


setup(cmdclass={"build_py": BuildWithContent})
