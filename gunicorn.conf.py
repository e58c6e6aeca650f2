"""gunicorn's settings for this app; gunicorn reads this file from its working directory
(`gunicorn wsgi:app`). Options given on the command line take precedence.

Workers: one sync worker per CPU the process may run on, or WEB_CONCURRENCY. A request of a
logged-in user is bound by the CPU (its database waits are about a tenth of its time), so
more processes than cores only take turns: on two cores, four workers served the score
sheet at 221-236 req/s with 7.5-8.0 ms of worker CPU per request, two workers at 321 req/s
with 5.5 ms (docs/BENCHMARKS.md, README "Scale"). What a worker spends waiting on an outside
system in a request (immediate mail delivery, large uploads to S3) is better moved out of
the request (`flask send-mail`) than covered by more workers; raise WEB_CONCURRENCY on
hosts that must.

Garbage collector: once a worker has loaded the app, everything that exists then (modules,
mappers, templates, the app) lives as long as the worker, so it is frozen out of the
collector's sight, and the youngest generation is collected after 5,000 new objects instead
of 700. A page allocates tens of thousands of objects that reference counting frees; with
the defaults the collector cost the intake list 0.5 ms a request, a full collection now and
then walking all 220,000 objects of the app, and with these settings 0.02 ms (README,
"Scale").
"""
import gc
import os


def default_workers():
    configured = os.environ.get("WEB_CONCURRENCY", "").strip()
    if configured:
        return max(1, int(configured))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # platforms without affinity
        return max(1, os.cpu_count() or 1)


workers = default_workers()
worker_class = "sync"
timeout = 60
graceful_timeout = 30

# Collections of the youngest generation: after this many new objects (the default is 700).
GC_THRESHOLD = (5000, 10, 10)


def post_worker_init(worker):
    """After the worker has loaded the app: freeze what exists, collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
