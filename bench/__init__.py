"""QA Desk benchmarks: `python -m bench` runs every scenario and prints one table."""
