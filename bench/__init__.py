"""Benchmarks: run with `make bench` or `python -m bench.<name>`; not part of the test run."""
