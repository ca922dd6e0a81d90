"""Plain helpers shared by several test folders (and the benchmarks); fixtures live in conftest.py files."""
