"""A module library of 1,000 modules: warm start ≤ 2 s, lint of all ≤ 20 s with a progress bar.

Run: .venv/bin/python benchmarks/library.py [--modules 1000]

Copies the shipped modules (real content, 13 of them) until there are --modules, each copy
with its own id and its prerequisites pointing at copies of the same round, then times in
fresh processes, as an operator would see them:
- the first start with an empty render cache (every module parsed and rendered),
- warm starts (the disk cache filled by the first), median of 3,
- `flask modules lint` of the whole folder, which shows a progress bar on standard error.
Each start is `python -c "create_app()"`: interpreter, imports and library load included.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

SHIPPED = common.ROOT / "modules"
START = (
    "from tilearn import create_app; app = create_app(); "
    "print(len(app.extensions['tilearn.library'].library.modules))"
)


def copy_library(target: Path, count: int) -> list[str]:
    """Copies of the shipped modules, `count` in all, plus the glossary; returns their ids."""
    originals = sorted(p.parent for p in SHIPPED.glob("*/module.md"))
    ids = [folder.name for folder in originals]
    shutil.copy(SHIPPED / "glossary.md", target / "glossary.md")
    made = []
    for n in range(count):
        source = originals[n % len(originals)]
        suffix = f"-c{n // len(originals)}"
        new_id = source.name + suffix
        shutil.copytree(source, target / new_id)
        text = (target / new_id / "module.md").read_text(encoding="utf-8")
        # Every shipped id, wherever it appears (its own id, prerequisites, links), gets the suffix.
        text = re.sub(r"\b(" + "|".join(map(re.escape, ids)) + r")\b", r"\g<1>" + suffix, text)
        (target / new_id / "module.md").write_text(text, encoding="utf-8")
        made.append(new_id)
    return made


def timed(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    """Wall-clock seconds of one command in a fresh process."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=common.ROOT)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command} failed:\n{done.stderr[-3000:]}")
    return seconds, done


def main() -> None:
    """Build the library, then time cold start, warm starts and lint."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=1000)
    args = parser.parse_args()
    common.on_signals_interrupt()
    with tempfile.TemporaryDirectory(prefix="tilearn-library-bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "modules").mkdir()
        ids = copy_library(tmp / "modules", args.modules)
        env = {
            **os.environ,
            **common.app_environment(tmp, f"sqlite:///{tmp / 'bench.sqlite'}"),
            "TILEARN_MODULES_DIRS": f'["{tmp / "modules"}"]',
            "FLASK_APP": "tilearn",
        }
        size = sum(p.stat().st_size for p in (tmp / "modules").rglob("*") if p.is_file())
        print(f"{len(ids)} modules, {size / 1e6:.1f} MB of markdown and assets", flush=True)
        python = [sys.executable, "-c", START]
        cold, done = timed(python, env)
        served = int(done.stdout.strip().splitlines()[-1])
        print(f"cold start (empty render cache): {cold:.2f} s, {served} modules served", flush=True)
        warm_runs = []
        for _ in range(3):
            seconds, done = timed(python, env)
            warm_runs.append(seconds)
            print(f"warm start: {seconds:.2f} s", flush=True)
        flask = [str(Path(sys.executable).parent / "flask"), "modules", "lint", str(tmp / "modules")]
        lint, done = timed(flask, env)
        summary = done.stdout.strip().splitlines()[-1]
        bar = "Checking modules" in done.stderr
        print(f"lint: {lint:.2f} s; {summary}; progress bar shown: {bar}", flush=True)
    warm = statistics.median(warm_runs)
    results = {
        "machine": common.machine(),
        "modules": len(ids),
        "served": served,
        "bytes": size,
        "cold_start_seconds": round(cold, 2),
        "warm_start_seconds": [round(s, 2) for s in warm_runs],
        "warm_start_median": round(warm, 2),
        "lint_seconds": round(lint, 2),
        "lint_summary": summary,
        "lint_progress_bar": bar,
    }
    path = common.save("library", results)
    print(f"warm start median {warm:.2f} s  target ≤ 2 s: {common.verdict(warm <= 2 and served == len(ids))}")
    print(f"lint of all {lint:.2f} s  target ≤ 20 s, progress bar: {common.verdict(lint <= 20 and bar)}")
    print(f"saved {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
