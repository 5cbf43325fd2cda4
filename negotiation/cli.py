"""Commands: ``flask --app wsgi <command>``, or the ``negotiation`` console script."""

from __future__ import annotations

import os
import signal
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from negotiation import observability
from negotiation.adapters import schema
from negotiation.demo import seed
from negotiation.domain.caller import Caller
from negotiation.domain.enums import Role
from negotiation.receiver import serve
from negotiation.runtime import runtime
from negotiation.services.accounts import accounts
from negotiation.services.core.sweep import sweep
from negotiation.worker import Worker


def init_app(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(create_admin)
    app.cli.add_command(sweep_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(receiver_command)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create the schema, or migrate it to the latest revision."""
    schema.upgrade(runtime().engine)
    click.echo("database is at the latest schema")


@click.command("create-admin")
@with_appcontext
@click.argument("name")
def create_admin(name: str) -> None:
    """Create an admin account and print its token (shown only now)."""
    account = accounts.create_account(runtime().uow(), Caller(role=Role.ADMIN),
                                      role=Role.ADMIN, name=name)
    click.echo(f"admin {account.name} (id {account.id}) token: {account.token}")


@click.command("sweep")
@with_appcontext
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Orders per transaction (default: SWEEP_BATCH_SIZE).")
def sweep_command(batch_size: int | None) -> None:
    """Apply every timed rule that is due, once; safe to run from several processes."""
    config = current_app.config
    report = sweep(runtime().uow, batch_size=batch_size or config["SWEEP_BATCH_SIZE"],
                   key_retention=timedelta(hours=config["IDEMPOTENCY_RETENTION_HOURS"]),
                   files=runtime().evidence)
    observability.metrics_of(current_app).record_sweep(report)
    click.echo(f"settled {report.orders_settled} orders in {report.batches} batches; "
               f"purged {report.idempotency_keys_purged} idempotency keys and "
               f"{report.evidence_orphans_removed} orphaned evidence files")


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True,
              help="One pass of everything due (deliveries, notices, the sweep), then exit.")
def worker_command(once: bool) -> None:
    """Run the background work: webhook deliveries, expiring-soon notices, the sweep."""
    config = current_app.config
    worker = Worker(runtime(), sweep_batch_size=config["SWEEP_BATCH_SIZE"],
                    key_retention=timedelta(hours=config["IDEMPOTENCY_RETENTION_HOURS"]))
    try:
        if once:
            report = worker.run_once()
            click.echo(f"delivered {report.delivered} webhooks ({report.failed} attempts "
                       f"failed); {report.notices} expiring-soon notices; settled "
                       f"{report.sweep.orders_settled if report.sweep else 0} orders")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        click.echo("worker running; stop it with Ctrl-C or SIGTERM")
        worker.run(stop)
    finally:
        worker.close()


@click.command("webhook-receiver")
@click.option("--secret", required=True, envvar="WEBHOOK_SECRET",
              help="The endpoint's signing secret (whsec_...), as creating it answered.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
def receiver_command(secret: str, host: str, port: int) -> None:
    """Print every webhook delivery whose signature verifies (for trying the service)."""
    serve(host, port, secret, click.echo)


@click.command("demo")
@with_appcontext
@click.option("--url", default=None,
              help="Where the service will be opened, for the printed links "
                   "[default: http://127.0.0.1:$FLASK_RUN_PORT, else port 5000].")
@click.option("--webhook-url", default="http://127.0.0.1:8001/webhooks", show_default=True,
              help="A receiver the demo store's webhook endpoint posts every event to.")
def demo_command(url: str | None, webhook_url: str) -> None:
    """Create a demo store, accounts (tokens printed last) and orders in every state; run
    again, reuse them."""
    url = (url or f"http://127.0.0.1:{os.environ.get('FLASK_RUN_PORT') or 5000}").rstrip("/")
    seeded = seed(runtime(), webhook_url=webhook_url)
    if seeded.reused:
        click.echo(f"Demo store {seeded.store_name!r} (id {seeded.store_id}) already exists: "
                   "reusing it and its accounts, each with a new token; its orders and "
                   "reports are as they now stand.")
    else:
        click.echo(f"Demo store {seeded.store_name!r} (id {seeded.store_id}) is ready.")
    click.echo("Orders:")
    for order_no, state in seeded.orders:
        click.echo(f"  {order_no:<24} {state}")
    click.echo("Delay reports:")
    for report_id, kind, named, status in seeded.reports:
        click.echo(f"  report {report_id:<5} {kind:<10} {status:<14} {named}")
    click.echo(f"Penalty ledger page: {url}/stores/{seeded.store_id}/penalties "
               "(the owner's or the reviewer's token)")
    if seeded.webhook is not None:
        endpoint_id, endpoint_url, secret = seeded.webhook
        click.echo(f"Webhook endpoint {endpoint_id} posts every event to {endpoint_url}. "
                   "To watch them arrive, signed, run:")
        click.echo(f"  flask --app wsgi webhook-receiver --port "
                   f"{_port_of(endpoint_url)} --secret {secret}")
        click.echo("  NEGOTIATION_WEBHOOK_ALLOW_PRIVATE_URLS=true flask --app wsgi worker")
    # Last, so they are what is on screen when the command ends.
    click.echo(f"Open {url}/ and sign in with one of these tokens:")
    for role, name, token in seeded.tokens:
        click.echo(f"  {role:<9} {name:<24} {token}")


def _port_of(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)

