"""Entry point for gunicorn: `gunicorn -w 4 wsgi:app`."""
import gc

from awards import create_app

app = create_app()

# A request allocates tens of thousands of short-lived objects (rows, templates, forms). With
# the collector's default threshold (700) a young-generation collection ran about once per
# request; most of those objects die by reference counting anyway. Every 50,000 allocations
# still collects reference cycles promptly and takes a third of the time (docs/BENCHMARKS.md).
# What the app built at start-up is moved out of the collector's view (gc.freeze): it lives
# as long as the process.
gc.collect()
gc.freeze()
gc.set_threshold(50_000, 20, 10)
