"""Worker processes sharing the deliveries: two on PostgreSQL deliver 1,000 events, each
once; a worker killed mid-delivery loses nothing, and the delivery is made once later."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from negotiation.services.core.unit_of_work import UnitOfWork
from tests.webhook_support import delivery_rows, run_once, subscribe, worker

ROOT = Path(__file__).resolve().parents[2]


def worker_process(database_url: str, tmp_path: Path, log: Path, *args: str,
                   **settings: str) -> subprocess.Popen[bytes]:
    """``flask --app wsgi worker`` in a process of its own, on the wall clock."""
    env = {**os.environ, "NEGOTIATION_DATABASE_URL": database_url,
           "NEGOTIATION_SECRET_KEY": "test-secret",
           "NEGOTIATION_EVIDENCE_DIR": str(tmp_path / "evidence"),
           "NEGOTIATION_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
           **{f"NEGOTIATION_{k}": v for k, v in settings.items()}}
    env.pop("DATABASE_URL", None)
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.postgres
def test_two_workers_deliver_a_thousand_events_each_once(client, world, rt, receiver,
                                                         database_url, tmp_path):
    subscribe(client, world.owner, receiver.url, ["order.created"])
    for n in range(1000):
        world.order(f"W-{n}")  # each writes its order.created
    log = tmp_path / "workers.log"
    workers = [worker_process(database_url, tmp_path, log, "--once") for _ in range(2)]
    for process in workers:
        assert process.wait(120) == 0, log.read_text()

    ids = Counter(r.headers["webhook-id"] for r in receiver.received)
    assert len(ids) == 1000 and set(ids.values()) == {1}, ids.most_common(3)
    rows = delivery_rows(rt)
    assert len(rows) == 1000 and {r.state for r in rows} == {"delivered"}
    assert {r.attempts for r in rows} == {1}
    # Both took a share (each run is one pass; neither waits for the other).
    assert "delivered" in log.read_text()


@pytest.mark.parametrize("settings", [{"WEBHOOK_TIMEOUT_SECONDS": 30}])
def test_a_worker_killed_mid_delivery_loses_nothing_and_it_is_delivered_once(
        client, world, rt, clock, receiver, database_url, tmp_path):
    world.order("O-1")
    receiver.silent()
    subscribe(client, world.owner, receiver.url, ["order.created"])
    world.order("O-2")
    log = tmp_path / "worker.log"
    killed = worker_process(database_url, tmp_path, log, WEBHOOK_TIMEOUT_SECONDS="30")
    try:
        receiver.wait_for(1, timeout=60)  # the POST is in flight: the receiver holds it
        killed.send_signal(signal.SIGKILL)
        assert killed.wait(10) == -signal.SIGKILL
    finally:
        if killed.poll() is None:
            killed.kill()
            killed.wait(10)
    (held,) = delivery_rows(rt)
    assert held.state == "pending" and held.attempts == 0 and held.lease_token is not None

    receiver.answer(200)
    clock.set(datetime.now(UTC))  # before the lease runs out: another worker leaves it
    assert run_once(rt).delivered == 0
    clock.set(held.next_attempt_at)  # the lease has run out
    assert run_once(rt).delivered == 1
    assert run_once(rt).delivered == 0

    (done,) = delivery_rows(rt)
    assert done.state == "delivered" and done.attempts == 1
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(ids) == 2 and len(set(ids)) == 1  # the lost attempt, then the one delivery


@pytest.mark.postgres
def test_deliveries_are_taken_without_waiting_for_the_disk_unless_an_event_is_written(rt):
    def synchronous_commit(uow: UnitOfWork, *, wait: bool) -> str:
        with uow:
            if wait:
                uow.wait_for_disk_at_commit()
            return uow.session.execute(text("SHOW synchronous_commit")).scalar_one()

    w = worker(rt)
    try:
        assert synchronous_commit(w._delivery_uow(), wait=False) == "off"
        # A worker giving up on an endpoint writes an event: that transaction waits.
        assert synchronous_commit(w._delivery_uow(), wait=True) == "on"
        assert synchronous_commit(rt.uow(), wait=False) == "on"  # every other unit
    finally:
        w.close()
