"""Commands: ``flask --app wsgi <command>``, or the ``negotiation`` console script."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from negotiation import observability
from negotiation.adapters import schema
from negotiation.app import runtime
from negotiation.domain.enums import Role
from negotiation.domain.negotiating import Caller
from negotiation.services import accounts
from negotiation.services.sweep import sweep


def init_app(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(create_admin)
    app.cli.add_command(sweep_command)
    app.cli.add_command(demo_command)


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


@click.command("demo")
@with_appcontext
@click.option("--url", default="http://127.0.0.1:5000", show_default=True,
              help="Where the service will be opened, for the printed links.")
def demo_command(url: str) -> None:
    """Create a demo store, accounts (tokens printed) and orders in every state."""
    from negotiation.demo import seed

    seeded = seed(runtime())
    click.echo(f"Demo store {seeded.store_name!r} (id {seeded.store_id}) is ready.")
    click.echo(f"Open {url}/ and sign in with one of these tokens:")
    for role, name, token in seeded.tokens:
        click.echo(f"  {role:<9} {name:<24} {token}")
    click.echo("Orders:")
    for order_no, state in seeded.orders:
        click.echo(f"  {order_no:<24} {state}")
    click.echo("Delay reports:")
    for report_id, kind, named, status in seeded.reports:
        click.echo(f"  report {report_id:<5} {kind:<10} {status:<14} {named}")
    click.echo(f"Penalty ledger: {url}/api/v1/stores/{seeded.store_id}/penalties "
               "(the owner's or the reviewer's token)")


def _create_app() -> Flask:
    from negotiation import create_app

    return create_app()


group = FlaskGroup(create_app=_create_app, help="Negotiated shipping service commands.")


def main() -> None:
    group()
