"""Find runs of 12 or more words that a module shares with a source framework."""

from __future__ import annotations

import re
import sys
from pathlib import Path

RUN_LENGTH = 12
ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-case words with punctuation dropped (apostrophes join words)."""
    return WORD.findall(text.lower().replace("\u2019", "").replace("'", ""))


def shingles(tokens: list[str], n: int = RUN_LENGTH) -> set[tuple[str, ...]]:
    """Every run of n consecutive words."""
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def seed_shingles(seeds: Path = SEEDS) -> set[tuple[str, ...]]:
    """All 12-word runs in the source documents."""
    found: set[tuple[str, ...]] = set()
    for path in sorted(seeds.glob("*.txt")):
        found |= shingles(words(path.read_text(encoding="utf-8", errors="replace")))
    return found


def shared_runs(text: str, source: set[tuple[str, ...]]) -> list[str]:
    """The runs of the text that also stand in the sources."""
    return [" ".join(run) for run in sorted(shingles(words(text)) & source)]


def main(paths: list[str]) -> int:
    """Print every copied run in the given files (default: all modules); exit 1 if any."""
    source = seed_shingles()
    files = [Path(p) for p in paths] or sorted((ROOT / "modules").rglob("*.md"))
    bad = 0
    for path in files:
        for run in shared_runs(path.read_text(encoding="utf-8"), source):
            print(f"{path}: copied: {run}")
            bad += 1
    print(f"{bad} copied run(s) in {len(files)} file(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
