import re
from datetime import timedelta

from sqlalchemy import inspect

from negotiation import create_app
from negotiation.domain.enums import NegotiationState
from tests.conftest import POSTGRES_URL


def test_an_empty_sqlite_database_is_brought_to_the_latest_schema_at_start(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                      "SECRET_KEY": "x"})
    engine = app.extensions["negotiation"].engine
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"orders", "negotiations", "cards", "events", "alembic_version"} <= tables


def test_db_upgrade_says_the_schema_is_current_and_can_run_twice(runner):
    for _ in range(2):
        result = runner.invoke(args=["db-upgrade"])
        assert result.exit_code == 0, result.output
        assert "latest schema" in result.output


def test_create_admin_prints_a_token_that_the_api_accepts_as_an_admin(runner, client):
    result = runner.invoke(args=["create-admin", "ops"])
    assert result.exit_code == 0, result.output
    token = result.output.rsplit("token: ", 1)[1].strip()
    me = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["role"] == "admin" and me.json["name"] == "ops"


def test_demo_prints_working_tokens_and_orders_in_every_negotiation_state(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    tokens = dict(re.findall(r"^\s+(owner|agent|buyer|reviewer)\s+.*?\s(\S{40,})$",
                             result.output, re.MULTILINE))
    assert set(tokens) == {"owner", "agent", "buyer", "reviewer"}
    states = set(re.findall(r"^\s+DEMO\S+\s+(\w+)$", result.output, re.MULTILINE))
    assert states == {s.value for s in NegotiationState}
    order_no = re.search(r"^\s+(DEMO\S+-AWAITING)\s", result.output, re.MULTILINE).group(1)
    negotiation = client.get(f"/api/v1/orders/{order_no}/negotiation",
                             headers={"Authorization": f"Bearer {tokens['buyer']}"})
    assert negotiation.json["state"] == "awaiting_buyer"
    assert negotiation.json["actions"]["accept"]["allowed"] is True


def test_demo_files_reports_of_every_kind_some_decided(runner, client):
    result = runner.invoke(args=["demo"])
    reviewer = re.search(r"^\s+reviewer\s+.*?\s(\S{40,})$", result.output, re.MULTILINE).group(1)
    listed = client.get("/api/v1/delay-reports",
                        headers={"Authorization": f"Bearer {reviewer}"}).json["items"]
    assert {r["kind"] for r in listed} == {"shipment", "collection", "store"}
    assert {r["status"] for r in listed} == {"pending_review", "approved", "rejected"}
    printed = re.findall(r"^\s+report (\d+)\s+(\w+)\s+(\w+)", result.output, re.MULTILINE)
    assert sorted(printed) == sorted((str(r["id"]), r["kind"], r["status"]) for r in listed)


def printed_tokens(output):
    return dict(re.findall(r"^\s+(owner|agent|buyer|reviewer)\s+.*?\s(\S{40,})$", output,
                           re.MULTILINE))


def test_a_second_demo_reuses_the_store_and_its_accounts_with_fresh_tokens(runner, client):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "already exists" in second.output and "DEMO2" not in second.output
    assert "(id 1)" in second.output and "/stores/1/penalties" in second.output
    orders = re.findall(r"^\s+(DEMO\S+)\s+\w+$", second.output, re.MULTILINE)
    assert orders == re.findall(r"^\s+(DEMO\S+)\s+\w+$", first.output, re.MULTILINE)
    reports = re.findall(r"^\s+report (\d+)\s+(\w+)\s+(\w+)\s+(\S+)", second.output,
                         re.MULTILINE)
    assert reports == re.findall(r"^\s+report (\d+)\s+(\w+)\s+(\w+)\s+(\S+)",
                                 first.output, re.MULTILINE)
    assert "--secret whsec_" in second.output
    before, after = printed_tokens(first.output), printed_tokens(second.output)
    assert set(after) == {"owner", "agent", "buyer", "reviewer"}
    for role in after:  # the same account, by either run's token
        assert after[role] != before[role]
        me = [client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"}).json
              for token in (before[role], after[role])]
        assert me[0]["id"] == me[1]["id"] and me[0]["role"] == role


def test_sweep_reports_what_it_settled_and_settles_nothing_the_second_time(runner, world, clock):
    world.order("O-1")
    world.order("O-2")
    clock.advance(timedelta(days=3))
    first = runner.invoke(args=["sweep", "--batch-size", "1"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("settled 2 orders in 2 batches")
    second = runner.invoke(args=["sweep"])
    assert second.output.startswith("settled 0 orders in 0 batches")


def test_the_console_script_offers_the_same_commands():
    from click.testing import CliRunner

    from negotiation.console import group

    result = CliRunner().invoke(group, ["--help"], catch_exceptions=False,
                                env={"DATABASE_URL": POSTGRES_URL or "sqlite://"},
                                standalone_mode=False)
    for command in ("db-upgrade", "create-admin", "demo", "sweep", "worker",
                    "webhook-receiver"):
        assert command in result.output


def test_worker_once_delivers_what_is_due_and_says_what_it_did(runner, client, world,
                                                               receiver):
    from tests.webhook_support import subscribe

    subscribe(client, world.owner, receiver.url, ["order.created"])
    world.order("O-1")
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("delivered 1 webhooks (0 attempts failed)")
    assert len(receiver.received) == 1
