"""Benchmarks: `python -m bench [name ...]` runs bench/bench_<name>.py's main() in turn."""
