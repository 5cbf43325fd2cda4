"""Orders/s sent cards through ``POST /api/v1/card-batches`` against single
``POST /api/v1/orders/{no}/negotiation/cards``, over HTTP, in the same run.

One run: wipes and migrates a PostgreSQL database whose name starts with ``bench``
(default ``bench_card_batches``), seeds through the service layer a store, its owner, a
buyer and fresh orders for each measurement, then per repeat, in alternating order,
starts the service under gunicorn (the checkout's ``gunicorn.conf.py``, the settings of
``http_throughput.py``) and sends cards to distinct orders from ``--connections``
keep-alive connections: ``singles`` one request per order, ``batches`` one request per
``--batch-size`` orders. Prints orders/s of each, p50/p99 latency per request, and
``ratio = batches ÷ singles`` per repeat and of the medians (target ≥ 5). Every result is
checked: each order must have got exactly one card.

    .venv/bin/python bench/card_batches.py                     # ~2-3 min, modest sizes
    .venv/bin/python bench/card_batches.py --repeats 3 --single-orders 3000

Bounded: at most 5 repeats and 20,000 orders per measurement; traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from http_throughput import (  # noqa: E402  (the benchmark helpers, beside this file)
    DEFAULT_ROOT,
    HOST,
    Server,
    Target,
    environment,
    gunicorn_conf,
    prepare_database,
    seed_accounts,
    seed_orders,
    wait_for_quiet,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_card_batches"
TARGET_RATIO = 5.0


def send_all(port: int, token: str, proposed: str, order_nos: list[str], batch_size: int,
             connections: int) -> tuple[float, list[float], int]:
    """Cards for every order, split over the connections; (seconds, latencies, cards)."""
    shares = [order_nos[i::connections] for i in range(connections)]
    latencies: list[list[float]] = [[] for _ in shares]
    sent = [0] * len(shares)
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def work(i: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        share = shares[i]
        for start in range(0, len(share), batch_size):
            chunk = share[start:start + batch_size]
            card = {"proposed_ship_by": proposed, "reason": "stock_shortage"}
            if batch_size == 1:
                path, body = f"/api/v1/orders/{chunk[0]}/negotiation/cards", card
            else:
                path, body = "/api/v1/card-batches", {"order_nos": chunk, **card}
            began = time.perf_counter()
            connection.request("POST", path, json.dumps(body), headers)
            response = connection.getresponse()
            answer = json.loads(response.read())
            latencies[i].append(time.perf_counter() - began)
            if batch_size == 1:
                sent[i] += response.status == 201
            else:
                sent[i] += sum("card" in r for r in answer.get("results", []))
            if response.status not in (200, 201):
                failures.append(f"{response.status} {answer}")
        connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(shares))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return elapsed, [x for share in latencies for x in share], sum(sent)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--single-orders", type=int, default=1500,
                        help="orders sent one request each, per repeat")
    parser.add_argument("--batch-orders", type=int, default=4000,
                        help="orders sent in batches, per repeat")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed-processes", type=int, default=2)
    parser.add_argument("--quiet-wait", type=float, default=30)
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not 1 <= args.repeats <= 5:
        parser.error("--repeats is 1 to 5")
    if not (1 <= args.single_orders <= 20000 and 1 <= args.batch_orders <= 20000):
        parser.error("orders per measurement are 1 to 20,000")
    if not args.database_url.rsplit("/", 1)[-1].startswith("bench"):
        parser.error("the database's name must start with 'bench' (the script wipes it)")
    args.results.mkdir(parents=True, exist_ok=True)
    return args


def main() -> None:
    args = parse_args()
    root = DEFAULT_ROOT
    prepare_database(args.database_url, root)
    seeded = seed_accounts(args.database_url)
    admin_token = secrets.token_urlsafe(24)
    target = Target("service", "wsgi:app", root, "cards",
                    env=environment(args, root, admin_token), conf=gunicorn_conf(root))
    sizes = {"singles": (args.single_orders, 1), "batches": (args.batch_orders,
                                                            args.batch_size)}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sizes}
    print(f"{os.cpu_count()} CPUs; {args.connections} connections; gunicorn "
          f"{args.workers}×{args.threads} {args.worker_class}; batches of {args.batch_size}")
    for repeat in range(args.repeats):
        order = list(sizes) if repeat % 2 == 0 else list(reversed(sizes))
        for name in order:
            count, batch_size = sizes[name]
            seed_orders(args.database_url, seeded, count, args.seed_processes)
            busy_before = wait_for_quiet(args.quiet_wait)
            server = Server(target, args)
            try:
                elapsed, latencies, sent = send_all(
                    server.port, seeded.owner_token, seeded.proposed_ship_by,
                    seeded.order_nos, batch_size, args.connections)
            finally:
                server.stop()
            assert sent == count, f"{name}: {sent} cards for {count} orders"
            cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
            run = {"orders_per_s": count / elapsed, "requests": len(latencies),
                   "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000,
                   "busy_before": busy_before}
            runs[name].append(run)
            print(f"repeat {repeat + 1} {name:8} {run['orders_per_s']:8.1f} orders/s  "
                  f"{run['requests']:5} requests  p50 {run['p50_ms']:8.1f} ms  "
                  f"p99 {run['p99_ms']:8.1f} ms  (busy before {busy_before:.0%})")
    for i in range(args.repeats):
        print(f"repeat {i + 1} ratio batches/singles: "
              f"{runs['batches'][i]['orders_per_s'] / runs['singles'][i]['orders_per_s']:.1f}")
    medians = {name: statistics.median(r["orders_per_s"] for r in runs[name]) for name in runs}
    ratio = medians["batches"] / medians["singles"]
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(f"medians: singles {medians['singles']:.1f} orders/s, batches "
          f"{medians['batches']:.1f} orders/s; ratio {ratio:.1f} ({verdict} the target "
          f"≥ {TARGET_RATIO:.0f})")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "medians": medians, "ratio": ratio},
                                        indent=2))


if __name__ == "__main__":
    main()
