"""Footprint: runtime install ≤ 110 MB, cold start ≤ 1 s, ≤ 80 MiB resident per worker (quality.md).

Run: .venv/bin/python benchmarks/footprint.py [--skip-install]

- Install: a fresh virtual environment, `pip install .` (the runtime dependencies only, no
  test tools, no PostgreSQL driver), then the size of what that added to site-packages
  (pip itself, which every virtual environment has, is not counted). Needs the package index.
- Start: `python -c "create_app()"` in a fresh process with the shipped modules, first with
  an empty render cache (cold), then warm; median of 5 each.
- Memory: gunicorn with 2 sync workers; after 200 signed-in page views (section pages,
  My learning, the module overview), each worker's resident set (VmRSS).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

START = "from tilearn import create_app; create_app()"
PAGES = ("/", "/learn/aware-starting-gently", "/learn/aware-starting-gently/trauma-is-common?note=continue")


def folder_size(path: Path) -> int:
    """Bytes in every file under path."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def install_size(tmp: Path) -> int:
    """Bytes that `pip install .` adds to a fresh virtual environment's site-packages."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    before = folder_size(site)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-cache-dir"]
    subprocess.run([*pip, str(common.ROOT)], check=True, timeout=900)
    return folder_size(site) - before


def start_times(env: dict[str, str], cache: Path, runs: int = 5) -> tuple[list[float], list[float]]:
    """Seconds for a whole process to create the app: (cold, with the cache emptied first; warm)."""
    cold, warm = [], []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        for times in (cold, warm):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", START], env=env, check=True, cwd=common.ROOT)
            times.append(time.perf_counter() - started)
    return cold, warm


def resident_mib(pid: int) -> float:
    """A process's resident set in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def main() -> None:
    """Measure the three and compare them with quality.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-install", action="store_true", help="do not measure the install size")
    args = parser.parse_args()
    common.on_signals_interrupt()
    with tempfile.TemporaryDirectory(prefix="tilearn-footprint-") as tmp_name:
        tmp = Path(tmp_name)
        size = None if args.skip_install else install_size(tmp)
        if size is not None:
            print(f"runtime install: {size / 1e6:.1f} MB", flush=True)
        env = {**os.environ, **common.app_environment(tmp, f"sqlite:///{tmp / 'tilearn.sqlite'}")}
        cold, warm = start_times(env, tmp / "cache")
        cold_s, warm_s = statistics.median(cold), statistics.median(warm)
        print(f"start: cold {cold_s:.2f} s, warm {warm_s:.2f} s", flush=True)
        common.migrate_and_seed(learners=1)
        with common.Gunicorn("tilearn:create_app()", env, tmp / "app.log") as server:
            browser, _page = common.sign_in(server.port, common.learner_email(0), PAGES[0])
            for n in range(200):
                response = browser.request("GET", PAGES[n % len(PAGES)])
                if response.status != 200:
                    raise SystemExit(f"GET {PAGES[n % len(PAGES)]} answered {response.status}")
            workers = {pid: resident_mib(pid) for pid in server.pids()[1:]}
    print(f"resident per worker after 200 pages: {', '.join(f'{mib:.1f} MiB' for mib in workers.values())}")
    results = {
        "machine": common.machine(),
        "install_bytes": size,
        "cold_start_seconds": [round(s, 3) for s in cold],
        "warm_start_seconds": [round(s, 3) for s in warm],
        "worker_rss_mib": [round(m, 1) for m in workers.values()],
    }
    path = common.save("footprint", results)
    if size is not None:
        print(f"install {size / 1e6:.1f} MB  target ≤ 110 MB: {common.verdict(size <= 110e6)}")
    largest = max(workers.values())
    print(f"start, empty render cache {cold_s:.2f} s  target ≤ 1 s: {common.verdict(cold_s <= 1)}")
    print(f"start, render cache filled {warm_s:.2f} s  target ≤ 1 s: {common.verdict(warm_s <= 1)}")
    print(f"largest worker {largest:.1f} MiB  target ≤ 80 MiB: {common.verdict(largest <= 80)}")
    print(f"saved {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
