"""Gunicorn's settings for Organiser's web processes, the one place they are chosen.

``make run`` (scripts/run.sh), the benchmarks (``benchmarks.harness.serve``) and production (docs/deploy.md:
``gunicorn -c gunicorn.conf.py organiser.wsgi``) all start gunicorn with this file. Each setting can be
overridden from the environment (``GUNICORN_BIND``, ``GUNICORN_WORKERS``, ``GUNICORN_WORKER_CLASS``,
``GUNICORN_THREADS``, ``GUNICORN_ACCESS_LOG``), so a benchmark can measure another choice against this one.

The choice: **sync workers, two a core plus one**, the configuration every benchmark so far has measured
(benchmarks/README.md). Organiser's requests are short and mostly CPU (middleware, templates, serialising),
so under the GIL a thread more per worker is not expected to add throughput, and an acknowledged doorstep
entry has waited for its own synchronous commit (durability is never traded for speed). That expectation is
not yet measured: ``GUNICORN_WORKER_CLASS=gthread GUNICORN_THREADS=4 python -m benchmarks.doorstep_writes``
measures the other choice in the same harness, and the figures belong in benchmarks/README.md before this
choice changes. Sync workers need a proxy or load balancer in front that buffers slow clients, as every
deployment in docs/deploy.md has.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Restart each worker now and then (jittered, so they do not all restart at once): a leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
timeout = 30
graceful_timeout = 30
keepalive = 5  # for gthread; sync workers close each connection
backlog = 2048
# The workers' heartbeat files in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn's own files)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
