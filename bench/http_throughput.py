"""HTTP throughput of propose→accept cycles, against a bare one-INSERT Flask baseline.

One run of this script:

1. wipes and migrates a *benchmark* PostgreSQL database (default ``bench``; it refuses a
   database whose name does not start with ``bench``), and creates the baseline's table;
2. seeds, through the service layer, a store, its owner, a buyer and enough orders;
3. for each repeat, in alternating order: starts the service (``wsgi:app``) under
   gunicorn, warms it up, then drives propose→accept cycles on distinct orders at N
   connections (each cycle = ``POST /api/v1/orders/{no}/negotiation/cards`` as the owner,
   then ``POST /api/v1/cards/{id}/accept`` as the buyer); stops it; then does the same
   with ``bench/baseline_app.py`` (one INSERT per request through the same
   ``build_engine``) under the *same* gunicorn settings and the *same* load generator;
4. prints, per target, HTTP requests/s (the unit of the comparison: a cycle is two
   requests), p50/p99 latency per request, and CPU per request of the app workers and
   of PostgreSQL; then the medians over the repeats and ``ratio = service / baseline``.

Optional extra targets, interleaved with the two above in every repeat: ``--candidate-root
DIR`` serves a changed copy of the project ("candidate"); ``--sql-shape`` and
``--sql-lean`` serve the yardsticks of ``bench/sql_shape_app.py``; ``--webhook-endpoints K``
serves the same service ("webhooks") for a second store, seeded alike, to which K webhook
endpoints subscribe to every event (``event_types: ["*"]``, created through
``endpoints.create_endpoint`` with private URLs allowed, pointing at a receiver URL nothing
listens on: no worker runs). Each of its cycles then also writes, in the requests' own
transactions, a pending delivery per event per endpoint (4 events a cycle: 4 × K rows);
the cost is ``webhooks cycles/s ÷ service cycles/s`` per repeat and of the medians
(target ≥ 0.9, i.e. at most 10 % fewer cycles/s), and the deliveries written are checked.

The load generator is wrk with ``bench/load.lua`` when wrk is on PATH (Debian:
``apt-get install -y wrk``), otherwise ``bench/loadgen.py`` (pure Python, slower: the
ratio stays meaningful, absolute figures drop). ``--generator`` forces one.

    .venv/bin/python bench/http_throughput.py                  # defaults: 3 repeats
    .venv/bin/python bench/http_throughput.py --repeats 1 --duration 5   # a quick look
    .venv/bin/python bench/http_throughput.py --webhook-endpoints 3   # + writing deliveries

Every loop is bounded: ``--duration`` ≤ 120 s per measurement, ``--repeats`` ≤ 10, and
all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_ROOT = BENCH_DIR.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
HOST = "127.0.0.1"
TARGET_RATIO = 0.6
TARGET_P99_MS = 25.0
TARGET_WEBHOOK_RATIO = 0.9  # webhooks ÷ service cycles/s: at most 10 % fewer
WEBHOOK_URL = "http://127.0.0.1:9/bench-hooks/{k}"  # the discard port: nothing is sent
BENCH_RATE_LIMIT = "1000000 per minute"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the database ------------------------------------------------------------------------


def prepare_database(url: str, root: Path) -> None:
    """Empty the benchmark database, migrate it, and create the baseline's table."""
    from sqlalchemy import text

    from negotiation.adapters import schema
    from negotiation.adapters.database import build_engine

    sys.path.insert(0, str(BENCH_DIR))
    from baseline_app import CREATE_TABLE

    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    schema.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text(CREATE_TABLE))
    engine.dispose()


@dataclass
class Seeded:
    store_id: int
    owner_token: str
    buyer_token: str
    buyer_id: int
    proposed_ship_by: str
    order_nos: list[str] = field(default_factory=list)
    owner_id: int | None = None


def seed_accounts(url: str, store_name: str = "Bench store") -> Seeded:
    from negotiation import create_app
    from negotiation.domain.caller import Caller
    from negotiation.domain.enums import Role
    from negotiation.services.accounts import accounts, stores

    runtime = create_app({"DATABASE_URL": url}).extensions["negotiation"]
    admin = Caller(role=Role.ADMIN)
    store = stores.create_store(runtime.uow(), admin, name=store_name, region="bench",
                                handling_hours=48)
    owner = accounts.create_account(runtime.uow(), admin, role=Role.OWNER, name="Bench owner",
                                    store_id=store.id)
    buyer = accounts.create_account(runtime.uow(), admin, role=Role.BUYER, name="Bench buyer")
    # Orders are paid an hour ago with 48 h handling: their deadline is ~47 h ahead, and a
    # proposal 5 days out is inside the 30-day horizon.
    proposed = (datetime.now(UTC) + timedelta(days=5)).replace(microsecond=0)
    assert owner.token and buyer.token and buyer.id
    return Seeded(store.id, owner.token, buyer.token, buyer.id,
                  proposed.isoformat().replace("+00:00", "Z"), owner_id=owner.id)


def _seed_orders(job: tuple[str, int, int, list[str]]) -> int:
    """Create orders through the service layer (one use case per order), in a subprocess."""
    url, store_id, buyer_id, order_nos = job
    from negotiation import create_app
    from negotiation.domain.caller import Caller
    from negotiation.domain.enums import Role
    from negotiation.services.orders import orders

    runtime = create_app({"DATABASE_URL": url}).extensions["negotiation"]
    admin = Caller(role=Role.ADMIN)
    paid_at = datetime.now(UTC) - timedelta(hours=1)
    for order_no in order_nos:
        orders.create_order(runtime.uow(), admin, order_no=order_no, store_id=store_id,
                            buyer_id=buyer_id, amount=Decimal("99.00"), paid_at=paid_at)
    runtime.engine.dispose()
    return len(order_nos)


def seed_orders(url: str, seeded: Seeded, count: int, processes: int) -> None:
    prefix = datetime.now(UTC).strftime(f"BN{seeded.store_id}-%H%M%S")
    seeded.order_nos = [f"{prefix}-{i:06d}" for i in range(count)]
    chunks = [seeded.order_nos[i::processes] for i in range(processes)]
    jobs = [(url, seeded.store_id, seeded.buyer_id, chunk) for chunk in chunks if chunk]
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        made = sum(pool.map(_seed_orders, jobs))
    assert made == count
    from sqlalchemy import text

    from negotiation.adapters.database import build_engine

    engine = build_engine(url)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    engine.dispose()


def create_webhook_endpoints(url: str, seeded: Seeded, count: int) -> list[int]:
    """``count`` endpoints of the store subscribed to every event, through the service
    (its URL check, its sealed secret), with private URLs allowed for the bench."""
    from negotiation import create_app
    from negotiation.domain.caller import Caller
    from negotiation.domain.enums import Role
    from negotiation.services.notifications import endpoints

    runtime = create_app({"DATABASE_URL": url, "WEBHOOK_ALLOW_PRIVATE_URLS": True}
                         ).extensions["negotiation"]
    owner = Caller(role=Role.OWNER, account_id=seeded.owner_id, store_id=seeded.store_id)
    made = [endpoints.create_endpoint(runtime.uow(), owner, runtime.webhooks,
                                      runtime.webhook_seal, url=WEBHOOK_URL.format(k=k),
                                      event_types=["*"], description=f"bench {k}").id
            for k in range(count)]
    runtime.engine.dispose()
    return made


def webhook_rows(url: str, store_id: int) -> tuple[int, int, int]:
    """(deliveries written, events of the store since its endpoints were made, deliveries
    of every other store's events)."""
    from sqlalchemy import text

    from negotiation.adapters.database import build_engine

    engine = build_engine(url)
    with engine.connect() as connection:
        deliveries, others = connection.execute(text(
            "SELECT count(*) FILTER (WHERE e.store_id = :store), "
            "count(*) FILTER (WHERE e.store_id IS DISTINCT FROM :store) "
            "FROM webhook_deliveries d JOIN events e ON e.id = d.event_id"),
            {"store": store_id}).one()
        events = connection.execute(text(
            "SELECT count(*) FROM events WHERE store_id = :store AND at >= "
            "(SELECT min(created_at) FROM webhook_endpoints WHERE store_id = :store)"),
            {"store": store_id}).scalar_one()
    engine.dispose()
    return int(deliveries), int(events), int(others)


def accepted_cards(url: str) -> int:
    from sqlalchemy import text

    from negotiation.adapters.database import build_engine

    engine = build_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM cards WHERE state = 'accepted'")).scalar_one()
    engine.dispose()
    return int(found)


# --- CPU accounting from /proc (Linux) ----------------------------------------------------


def _cpu_of(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


PG_SERVER_PROCESSES = ("checkpointer", "background writer", "walwriter", "wal writer",
                       "autovacuum launcher", "stats collector",
                       "logical replication launcher")


def _postgres_pids(database: str | None = None) -> list[int]:
    """PostgreSQL's processes; given ``database``, only the server's own (checkpointer,
    WAL writer, …: shared by every database, so an upper bound of the benchmark's share)
    and the backends of that database, not the other databases' clients (other tenants'
    tests on a shared machine)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != "postgres":
                    continue
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            except OSError:
                continue
            if (database is None or title.endswith(PG_SERVER_PROCESSES)
                    or f" {database} " in f"{title} "):
                pids.append(int(entry.name))
    return pids


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


class CpuMeter:
    """CPU seconds spent by the app's workers, by PostgreSQL (for ``database``) and by the
    machine."""

    def __init__(self, master_pid: int, database: str | None = None) -> None:
        self.master = master_pid
        self.database = database

    def snapshot(self) -> dict[str, Any]:
        workers = _children(self.master)
        return {"app": {p: _cpu_of(p) for p in [self.master, *workers]},
                "pg": {p: _cpu_of(p) for p in _postgres_pids(self.database)},
                "machine": _machine_busy()}

    @staticmethod
    def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        def spent(kind: str) -> float:
            return sum(max(0.0, cpu - before[kind].get(pid, 0.0))
                       for pid, cpu in after[kind].items())

        busy = after["machine"][0] - before["machine"][0]
        total = after["machine"][1] - before["machine"][1]
        return {"app_cpu_s": spent("app"), "pg_cpu_s": spent("pg"),
                "machine_busy_s": busy, "machine_total_s": total}


# --- servers and load ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Target:
    name: str  # "baseline", "service", "candidate", "sql-shape", "sql-lean" or "webhooks"
    app: str  # gunicorn APP_MODULE
    chdir: Path
    mode: str  # load.lua / loadgen.py mode
    env: dict[str, str] = field(default_factory=dict, repr=False)
    conf: Path | None = None  # the checkout's gunicorn.conf.py, under the flags below
    store: str = "main"  # whose orders and owner it drives: "main", or "webhooks"


def gunicorn_conf(root: Path) -> Path | None:
    """The settings the service is deployed with; older checkouts have none."""
    conf = root / "gunicorn.conf.py"
    return conf if conf.exists() else None


class Server:
    def __init__(self, target: Target, args: argparse.Namespace) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{self.port}",
                   "--workers", str(args.workers), "--worker-class", args.worker_class,
                   "--threads", str(args.threads), "--keep-alive", "5",
                   "--backlog", "64", "--log-level", "warning", "--chdir", str(target.chdir),
                   *(["--config", str(target.conf)] if target.conf else []), target.app]
        self.log = (args.results / f"gunicorn-{target.name}.log").open("a")
        self.process = subprocess.Popen(command, env=target.env, stdout=self.log, stderr=self.log,
                                        start_new_session=True)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; "
                                   f"see {self.log.name}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def run_load(args: argparse.Namespace, target: Target, port: int, lines_file: Path,
             seconds: float, seeded: Seeded) -> tuple[dict[str, Any], float]:
    """Drive one target for ``seconds``; the parsed summary and the generator's CPU s."""
    extra = ([seeded.owner_token, seeded.buyer_token, seeded.proposed_ship_by]
             if target.mode == "cycles" else [])
    if args.generator == "wrk":
        command = ["wrk", f"-t{args.connections}", f"-c{args.connections}",
                   f"-d{max(1, round(seconds))}s", "--timeout", "5s",
                   "-s", str(BENCH_DIR / "load.lua"), f"http://{HOST}:{port}", "--",
                   target.mode, str(lines_file), str(args.connections), *extra]
    else:
        command = [sys.executable, str(BENCH_DIR / "loadgen.py"), "--port", str(port),
                   "--connections", str(args.connections), "--duration", str(seconds),
                   "--mode", target.mode, "--file", str(lines_file)]
        if extra:
            command += ["--owner-token", extra[0], "--buyer-token", extra[1],
                        "--proposed-ship-by", extra[2]]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        out, err = process.communicate(timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    usage = resource_usage_of_last_child()
    for line in out.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON ")), usage
    raise RuntimeError(f"the load generator printed no result:\n{out}\n{err}")


_last_children_cpu = 0.0


def resource_usage_of_last_child() -> float:
    """CPU seconds of children reaped since the previous call (the load generator)."""
    import resource

    global _last_children_cpu
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _last_children_cpu = total - _last_children_cpu, total
    return spent


# --- one measurement -----------------------------------------------------------------------


def background_busy(seconds: float = 1.0) -> float:
    """Share of the machine's CPU busy while this benchmark runs nothing: the noise."""
    busy0, total0 = _machine_busy()
    time.sleep(seconds)
    busy1, total1 = _machine_busy()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0


def wait_for_quiet(limit_s: float, threshold: float = 0.25) -> float:
    """Wait (at most ``limit_s``) until other processes leave the CPUs mostly idle."""
    deadline = time.monotonic() + limit_s
    busy = background_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = background_busy()
    return busy


def measure(args: argparse.Namespace, target: Target, seeded: Seeded, warm_file: Path,
            main_file: Path) -> dict[str, Any]:
    background = wait_for_quiet(args.quiet_wait)
    server = Server(target, args)
    resource_usage_of_last_child()
    try:
        if args.warmup > 0:
            run_load(args, target, server.port, warm_file, args.warmup, seeded)
        meter = CpuMeter(server.process.pid, args.database)
        before = meter.snapshot()
        result, generator_cpu = run_load(args, target, server.port, main_file, args.duration,
                                         seeded)
        cpu = CpuMeter.delta(before, meter.snapshot())
    finally:
        server.stop()
    seconds = result["duration_us"] / 1e6
    requests = result["requests"]
    per_request = 1000.0 / requests if requests else float("nan")
    return {
        "target": target.name, "requests": requests, "seconds": round(seconds, 3),
        "rps": requests / seconds if seconds else 0.0,
        "cycles_per_s": result["cycles"] / seconds if seconds else 0.0,
        "p50_ms": result["p50_us"] / 1000, "p90_ms": result["p90_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000, "max_ms": result["max_us"] / 1000,
        "ok": result["ok"], "failed": result["failed"], "cycles": result["cycles"],
        "errors": result["errors"], "exhausted": bool(result["exhausted"]),
        "lines_used": result.get("used", 0),
        "app_cpu_ms_per_req": cpu["app_cpu_s"] * per_request,
        "pg_cpu_ms_per_req": cpu["pg_cpu_s"] * per_request,
        "gen_cpu_ms_per_req": generator_cpu * per_request,
        "machine_busy": cpu["machine_busy_s"] / cpu["machine_total_s"]
        if cpu["machine_total_s"] else 0.0,
        "background_busy": background,
        # CPU the machine spent on anything but this target, its PostgreSQL and the load
        # generator while it was measured: other tenants (and the kernel's share of the
        # loopback traffic). High values mean the figures are contaminated.
        "other_busy": max(0.0, cpu["machine_busy_s"] - cpu["app_cpu_s"] - cpu["pg_cpu_s"]
                          - generator_cpu) / cpu["machine_total_s"]
        if cpu["machine_total_s"] else 0.0,
    }


def describe(run: dict[str, Any]) -> str:
    cycles = f" ({run['cycles_per_s']:.0f} cycles/s)" if run["target"] != "baseline" else ""
    bad = run["failed"] + sum(run["errors"].values()) - run["errors"]["status"]
    return (f"{run['target']:<9} {run['rps']:8.1f} req/s{cycles:<18} p50 {run['p50_ms']:6.1f} ms"
            f"  p99 {run['p99_ms']:6.1f} ms   cpu/req app {run['app_cpu_ms_per_req']:5.2f} ms"
            f" pg {run['pg_cpu_ms_per_req']:5.2f} ms gen {run['gen_cpu_ms_per_req']:5.2f} ms"
            f"  busy {run['machine_busy'] * 100:3.0f}% (other {run['other_busy'] * 100:3.0f}%,"
            f" before {run['background_busy'] * 100:3.0f}%)"
            + (f"  FAILED/ERRORS {bad}" if bad else "")
            + ("  ORDERS EXHAUSTED: raise --orders-per-run" if run["exhausted"] else "")
            + ("  NOISY: other load >10%, rerun" if run["other_busy"] > 0.10 else ""))


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def webhook_cost(args: argparse.Namespace, runs: list[dict[str, Any]],
                 medians: dict[str, dict[str, float]], store: Seeded) -> dict[str, Any]:
    """Print and return the cost of writing deliveries: webhooks ÷ service cycles/s."""
    pairs = list(zip([r for r in runs if r["target"] == "webhooks"],
                     [r for r in runs if r["target"] == "service"], strict=True))
    per_repeat = [w["cycles_per_s"] / s["cycles_per_s"] for w, s in pairs]
    ratio = medians["webhooks"]["cycles_per_s"] / medians["service"]["cycles_per_s"]
    deliveries, events, others = webhook_rows(args.database_url, store.store_id)
    expected = events * args.webhook_endpoints
    print(f"  webhooks ({args.webhook_endpoints} endpoints subscribed to '*') vs service "
          f"(none), cycles/s: {ratio:.3f} of the medians ({(1 - ratio) * 100:.1f}% fewer); "
          "per repeat: " + ", ".join(f"{r:.3f}" for r in per_repeat)
          + f" (median {statistics.median(per_repeat):.3f}); target ≥ {TARGET_WEBHOOK_RATIO}"
          f" (≤ {(1 - TARGET_WEBHOOK_RATIO) * 100:.0f}% fewer): "
          + ("met" if ratio >= TARGET_WEBHOOK_RATIO else "NOT met"))
    p99 = (medians["webhooks"]["p99_ms"], medians["service"]["p99_ms"])
    print(f"    p99 {p99[0]:.1f} ms vs {p99[1]:.1f} ms; app cpu/req "
          f"{medians['webhooks']['app_cpu_ms_per_req']:.2f} vs "
          f"{medians['service']['app_cpu_ms_per_req']:.2f} ms, postgres cpu/req "
          f"{medians['webhooks']['pg_cpu_ms_per_req']:.2f} vs "
          f"{medians['service']['pg_cpu_ms_per_req']:.2f} ms")
    ok = deliveries == expected and others == 0
    print(f"    check: {deliveries:,} pending deliveries written for {events:,} events of the "
          f"webhooks store × {args.webhook_endpoints} endpoints (expected {expected:,}); "
          f"{others} for other stores' events (expected 0): " + ("ok" if ok else "BAD"))
    return {"endpoints": args.webhook_endpoints, "ratio_of_medians": ratio,
            "per_repeat": per_repeat, "deliveries": deliveries, "events": events,
            "deliveries_ok": ok}


# --- main ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--project-root", type=Path, default=DEFAULT_ROOT,
                        help="checkout whose wsgi.py and negotiation package are served "
                             "(default: this one); lets a changed copy be measured")
    parser.add_argument("--candidate-root", type=Path, default=None,
                        help="a second checkout (e.g. a copy with a proposed change) served "
                             "as target 'candidate', interleaved with the others")
    parser.add_argument("--sql-shape", action="store_true",
                        help="also serve bench/sql_shape_app.py (the service's SQL statements "
                             "without its Python layers) as target 'sql-shape'")
    parser.add_argument("--sql-lean", action="store_true",
                        help="also serve bench/sql_shape_app.py with SQL_SHAPE=lean (cached "
                             "callers, 2 statements per request) as target 'sql-lean'")
    parser.add_argument("--webhook-endpoints", type=int, default=0, metavar="K",
                        help="also serve the service as target 'webhooks', for a second "
                             "store with K webhook endpoints subscribed to every event "
                             "(no worker runs: the cost is writing the deliveries)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--orders-per-run", type=int, default=8000,
                        help="orders seeded per service measurement (warm-up included)")
    parser.add_argument("--quiet-wait", type=float, default=30.0,
                        help="before each measurement, wait up to this many seconds for "
                             "other processes to leave the CPUs ≥75%% idle (0: don't)")
    parser.add_argument("--only", choices=("service", "baseline"), default=None)
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results")
    args = parser.parse_args()
    from sqlalchemy.engine import make_url

    url = make_url(args.database_url)
    args.database = url.database or ""
    if not args.database.startswith("bench"):
        parser.error("the benchmark wipes its database: use one whose name starts with 'bench'")
    if url.host not in (None, "127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark only talks to a PostgreSQL on this machine")
    if (not 1 <= args.repeats <= 10 or not 0 < args.duration <= 120 or args.warmup > 60
            or not 0 <= args.quiet_wait <= 600 or not 0 <= args.webhook_endpoints <= 50):
        parser.error("bounded runs only: 1-10 repeats, duration ≤ 120 s, warm-up ≤ 60 s, "
                     "quiet wait ≤ 600 s, at most 50 webhook endpoints")
    if args.generator == "auto":
        args.generator = "wrk" if shutil.which("wrk") else "python"
    if args.generator == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (Debian: apt-get install -y wrk); "
                     "or use --generator python")
    args.project_root = args.project_root.resolve()
    if args.candidate_root:
        args.candidate_root = args.candidate_root.resolve()
    args.results.mkdir(parents=True, exist_ok=True)
    return args


def environment(args: argparse.Namespace, root: Path, admin_token: str) -> dict[str, str]:
    """What a server started from checkout ``root`` runs with.

    Rate limits stay on, so their cost per request is measured, but far above what one
    owner and one buyer send here; each worker keeps its own count (no Redis needed).
    """
    return {**os.environ, "DATABASE_URL": args.database_url,
            "NEGOTIATION_ADMIN_TOKEN": admin_token,
            "NEGOTIATION_RATELIMIT_STORAGE_URL": "memory://",
            "NEGOTIATION_RATELIMIT_READS": BENCH_RATE_LIMIT,
            "NEGOTIATION_RATELIMIT_WRITES": BENCH_RATE_LIMIT,
            "PYTHONPATH": os.pathsep.join([str(root), str(BENCH_DIR)])}


def served_from(env: dict[str, str], root: Path) -> str:
    found = subprocess.run(
        [sys.executable, "-c", "import negotiation; print(negotiation.__file__)"],
        env=env, capture_output=True, text=True, cwd=root, check=True)
    return found.stdout.strip()


def summarise(name: str, runs: list[dict[str, Any]]) -> dict[str, float]:
    m = {key: median_of(runs, key) for key in (
        "rps", "cycles_per_s", "p50_ms", "p99_ms", "app_cpu_ms_per_req",
        "pg_cpu_ms_per_req", "gen_cpu_ms_per_req", "machine_busy", "background_busy",
        "other_busy")}
    print(f"  {name:<9} {m['rps']:8.1f} req/s   p50 {m['p50_ms']:6.1f} ms   "
          f"p99 {m['p99_ms']:6.1f} ms   cpu/req: app {m['app_cpu_ms_per_req']:.2f} ms, "
          f"postgres {m['pg_cpu_ms_per_req']:.2f} ms; other load during "
          f"{m['other_busy'] * 100:.0f}%, before {m['background_busy'] * 100:.0f}%")
    return m


def main() -> None:
    args = parse_args()
    root = args.project_root
    sys.path.insert(0, str(root))
    admin_token = secrets.token_urlsafe(24)
    conf = gunicorn_conf(root)
    baseline = Target("baseline", "baseline_app:app", BENCH_DIR, "insert",
                      environment(args, root, admin_token), conf)
    services = [Target("service", "wsgi:app", root, "cycles",
                       environment(args, root, admin_token), conf)]
    if args.candidate_root:
        services.append(Target("candidate", "wsgi:app", args.candidate_root, "cycles",
                               environment(args, args.candidate_root, admin_token),
                               gunicorn_conf(args.candidate_root)))
    if args.sql_shape:
        services.append(Target("sql-shape", "sql_shape_app:app", BENCH_DIR, "cycles",
                               environment(args, root, admin_token), conf))
    if args.sql_lean:
        services.append(Target("sql-lean", "sql_shape_app:app", BENCH_DIR, "cycles",
                               {**environment(args, root, admin_token), "SQL_SHAPE": "lean"},
                               conf))
    if args.webhook_endpoints:
        services.append(Target("webhooks", "wsgi:app", root, "cycles",
                               environment(args, root, admin_token), conf, store="webhooks"))
    if args.only == "baseline":
        services = []
    targets = ([] if args.only == "service" else [baseline]) + services
    print(f"machine: {os.cpu_count()} cores; load generator: {args.generator}; "
          f"gunicorn --workers {args.workers} --worker-class {args.worker_class} "
          f"--threads {args.threads}; {args.connections} connections, "
          f"{args.warmup:g} s warm-up + {args.duration:g} s per measurement, "
          f"{args.repeats} repeat(s)")
    for target in targets:
        print(f"{target.name}: serving {target.chdir}/{target.app.replace(':', ' → ')} "
              f"with {served_from(target.env, target.chdir)}")

    started = time.monotonic()
    prepare_database(args.database_url, root)
    stores = {"main": seed_accounts(args.database_url)}
    if any(t.store == "webhooks" for t in services):
        stores["webhooks"] = seed_accounts(args.database_url, "Bench store (webhooks)")
    seeded = stores["main"]
    # The service targets of each store, each with its own orders in every repeat.
    of_store = {name: [t for t in services if t.store == name] for name in stores}
    per_repeat = {name: args.orders_per_run * len(of_store[name]) for name in stores}
    for name, store in stores.items():
        if per_repeat[name]:
            seed_orders(args.database_url, store, per_repeat[name] * args.repeats,
                        processes=2)
    print(f"seeded {len(stores)} store(s), an owner and a buyer each, and "
          f"{sum(len(s.order_nos) for s in stores.values())} orders in "
          f"{time.monotonic() - started:.1f} s", flush=True)
    if "webhooks" in stores:
        made = create_webhook_endpoints(args.database_url, stores["webhooks"],
                                        args.webhook_endpoints)
        print(f"webhooks: {len(made)} endpoints of store {stores['webhooks'].store_id} "
              f"subscribed to '*' at {WEBHOOK_URL.format(k='K')} (no worker runs)")

    work = args.results / "work"
    work.mkdir(exist_ok=True)
    warm_share = args.warmup / (args.warmup + args.duration)
    runs: list[dict[str, Any]] = []
    for repeat in range(args.repeats):
        files: dict[str, tuple[Path, Path]] = {}
        for target in targets:
            if target.mode == "cycles":
                first = (repeat * per_repeat[target.store]
                         + of_store[target.store].index(target) * args.orders_per_run)
                lines = stores[target.store].order_nos[first:first + args.orders_per_run]
                cut = int(len(lines) * warm_share)
            else:
                lines, cut = [f"r{repeat}-{i}" for i in range(200_000)], 50_000
            files[target.name] = (work / f"{target.name}-{repeat}-warm.txt",
                                  work / f"{target.name}-{repeat}-main.txt")
            files[target.name][0].write_text("\n".join(lines[:cut]) + "\n")
            files[target.name][1].write_text("\n".join(lines[cut:]) + "\n")
        # alternate the order, so that drift in the machine's load hits every target alike
        order = targets if repeat % 2 == 0 else list(reversed(targets))
        for target in order:
            run = measure(args, target, stores.get(target.store, seeded),
                          *files[target.name])
            run["repeat"] = repeat + 1
            runs.append(run)
            print(f"[{repeat + 1}/{args.repeats}] {describe(run)}", flush=True)

    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(), "cores": os.cpu_count(),
        "generator": args.generator, "connections": args.connections,
        "gunicorn": {"workers": args.workers, "worker_class": args.worker_class,
                     "threads": args.threads},
        "duration_s": args.duration, "warmup_s": args.warmup,
        "project_root": str(root),
        "candidate_root": str(args.candidate_root) if args.candidate_root else None,
        "runs": runs}
    print("\nmedians over the repeats (unit: HTTP requests; a service cycle = 2 requests)")
    medians = {t.name: summarise(t.name, [r for r in runs if r["target"] == t.name])
               for t in targets}
    report["medians"] = medians
    if services:
        expected = sum(r["cycles"] for r in runs if r["target"] != "baseline")
        found = accepted_cards(args.database_url)
        print("  cycles/s: " + ", ".join(
            f"{t.name} {medians[t.name]['cycles_per_s']:.1f}" for t in services))
        print(f"  check: {found} accepted cards in the database "
              f"(measured cycles {expected}; warm-ups account for the rest)")
    if services and "baseline" in medians:
        report["ratios"] = {}
        for target in services:
            pairs = zip([r for r in runs if r["target"] == target.name],
                        [r for r in runs if r["target"] == "baseline"], strict=True)
            per_repeat_ratios = [s["rps"] / b["rps"] for s, b in pairs]
            ratio = medians[target.name]["rps"] / medians["baseline"]["rps"]
            p99 = medians[target.name]["p99_ms"]
            report["ratios"][target.name] = {
                "ratio_of_medians": ratio, "per_repeat": per_repeat_ratios,
                "median_per_repeat": statistics.median(per_repeat_ratios)}
            print(f"  ratio {target.name}/baseline (req/s): {ratio:.3f} (of the medians); "
                  f"per repeat: " + ", ".join(f"{r:.3f}" for r in per_repeat_ratios)
                  + f" (median {statistics.median(per_repeat_ratios):.3f})")
            print(f"    target ratio ≥ {TARGET_RATIO}: "
                  f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}; target p99 ≤ "
                  f"{TARGET_P99_MS:g} ms: {'met' if p99 <= TARGET_P99_MS else 'NOT met'} "
                  f"({p99:.1f} ms)")
    if "webhooks" in medians and "service" in medians:
        report["webhooks"] = webhook_cost(args, runs, medians, stores["webhooks"])
    out = args.results / f"http_throughput-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
