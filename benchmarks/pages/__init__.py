"""Per-page server-time benchmarks, gathered by benchmarks/bench_pages.py."""
