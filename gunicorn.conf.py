"""gunicorn's settings for the service: ``gunicorn -c gunicorn.conf.py`` (docs/operations.md).

Bind, workers and threads come from the environment; everything else is fixed here.
Settings given on gunicorn's command line take precedence over this file.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

wsgi_app = "wsgi:app"
bind = [os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# gunicorn's threaded worker, with its own error answers made problem documents.
worker_class = "negotiation.gunicorn_worker.ProblemThreadWorker"

# Requests larger than this are refused before the app sees them (414 and 431). gunicorn
# has no body limit: the app's MAX_CONTENT_LENGTH refuses large bodies (413).
limit_request_line = 4094
limit_request_fields = 64
limit_request_field_size = 8190
timeout = 30
graceful_timeout = 30
keepalive = 5
# gunicorn's control socket (for ``gunicornc``) is one more listener nothing here uses,
# and two instances on one host would share its default path.
control_socket_disable = True

# The app writes one JSON line per request (logger ``negotiation.access``) to stdout;
# gunicorn's own access log would say the same thing again, less well.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

METRICS_DIR_PREFIX = "negotiation-metrics-"


def on_starting(server: Any) -> None:
    """Give the workers one directory for their metrics, empty, before any of them starts:
    prometheus-client reads ``PROMETHEUS_MULTIPROC_DIR`` when it is first imported."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):  # values of processes from an earlier run
            stale.unlink()
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=METRICS_DIR_PREFIX)


def post_fork(server: Any, worker: Any) -> None:
    """Each worker's log handlers: the access lines to stdout as they are, the rest to
    stderr."""
    access = logging.getLogger("negotiation.access")
    lines = logging.StreamHandler(sys.stdout)
    lines.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(lines)
    access.setLevel(logging.INFO)
    access.propagate = False
    errors = logging.StreamHandler(sys.stderr)
    errors.setFormatter(logging.Formatter(
        "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"))
    logging.getLogger().addHandler(errors)
    logging.getLogger().setLevel(logging.WARNING)


def child_exit(server: Any, worker: Any) -> None:
    """A worker's gauges (its pool) leave the sums when it dies; its counters stay."""
    from prometheus_client import multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    made = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if Path(made).name.startswith(METRICS_DIR_PREFIX):
        shutil.rmtree(made, ignore_errors=True)
