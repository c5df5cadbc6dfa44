"""Benchmarks: `python -m benchmarks` (or `nox -s bench -- ...`); results in README.md."""
