"""``Idempotency-Key`` on the delay-report POSTs: a retry replays the first answer and
files, decides or stores nothing twice."""

from datetime import timedelta

import pytest

from tests.api.helpers import assert_invalid, assert_problem, event_types
from tests.api.report_helpers import (
    PNG,
    REPORTS,
    SHIP_BY,
    created,
    file_shipment,
    listed,
    listed_ids,
    make_app,
    multipart,
    report,
    withdraw,
)


@pytest.fixture
def app(database_url, clock, tmp_path):
    """The app, with evidence kept under the test's own folder."""
    app = make_app(database_url, clock, tmp_path)
    yield app
    app.extensions["negotiation"].engine.dispose()


def keyed(actor, key):
    return {**actor.headers, "Idempotency-Key": key}


def assert_replayed(first, retry):
    assert retry.status_code == first.status_code
    assert retry.get_json() == first.get_json()
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers


def test_a_retried_filing_replays_the_first_answer_and_files_one_report(client, world, clock):
    world.order("O-1")
    headers = keyed(world.owner, "file-O-1")
    first = file_shipment(client, world.owner, "O-1", headers=headers)
    clock.advance(timedelta(minutes=1))
    retry = file_shipment(client, world.owner, "O-1", headers=headers)
    assert first.status_code == 201, first.json
    assert_replayed(first, retry)
    assert listed_ids(client, world.reviewer) == [first.json["id"]]
    assert event_types(client, world.owner).count("report.submitted") == 1


def test_a_retried_refusal_is_replayed_even_after_the_situation_changed(client, world):
    world.order("O-1")
    blocking = created(file_shipment(client, world.owner, "O-1"))
    headers = keyed(world.agent, "file-again")
    first = file_shipment(client, world.agent, "O-1", headers=headers)
    assert_invalid(first, "order_nos", code="report_not_applicable")

    assert withdraw(client, world.owner, blocking["id"]).status_code == 200
    retry = file_shipment(client, world.agent, "O-1", headers=headers)
    assert_replayed(first, retry)
    assert listed_ids(client, world.reviewer) == [blocking["id"]]
    fresh = file_shipment(client, world.agent, "O-1", headers=keyed(world.agent, "file-3"))
    assert fresh.status_code == 201, fresh.json


def test_the_same_key_with_another_body_is_refused(client, world):
    world.order("O-1")
    headers = keyed(world.owner, "one-key")
    assert file_shipment(client, world.owner, "O-1", headers=headers).status_code == 201
    other = file_shipment(client, world.owner, "O-1", latest=SHIP_BY + timedelta(days=4),
                          headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert len(listed(client, world.reviewer)) == 1


def test_a_key_belongs_to_its_caller(client, world):
    world.order("O-1")
    first = file_shipment(client, world.owner, "O-1", headers=keyed(world.owner, "shared"))
    assert first.status_code == 201
    theirs = file_shipment(client, world.agent, "O-1", headers=keyed(world.agent, "shared"))
    assert "Idempotent-Replayed" not in theirs.headers
    assert_invalid(theirs, "order_nos", code="report_not_applicable")


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_retried_decision_replays_200_instead_of_report_not_pending(client, world, action):
    world.order("O-1")
    filed = created(file_shipment(client, world.owner, "O-1"))
    headers = keyed(world.reviewer, f"{action}-1")
    url = f"{REPORTS}/{filed['id']}/{action}"
    first = client.post(url, headers=headers, json={"note": "Checked."})
    retry = client.post(url, headers=headers, json={"note": "Checked."})
    assert first.status_code == 200, first.json
    assert_replayed(first, retry)
    decided = f"report.{first.json['status']}"
    assert event_types(client, world.owner).count(decided) == 1
    assert event_types(client, world.owner).count("order.deadline_changed") == (
        1 if action == "approve" else 0)
    assert len(report(client, world.reviewer, filed["id"])["history"]) == 2
    without_key = client.post(url, headers=world.reviewer.headers, json={"note": "Checked."})
    assert_problem(without_key, 409, "report_not_pending")


def test_a_retried_withdrawal_replays_200(client, world):
    world.order("O-1")
    filed = created(file_shipment(client, world.owner, "O-1"))
    headers = keyed(world.agent, "withdraw-1")
    first = client.post(f"{REPORTS}/{filed['id']}/withdraw", headers=headers)
    retry = client.post(f"{REPORTS}/{filed['id']}/withdraw", headers=headers)
    assert first.status_code == 200, first.json
    assert_replayed(first, retry)
    assert event_types(client, world.owner).count("report.withdrawn") == 1


def upload_raw(client, headers, report_id, body_and_type):
    body, mimetype = body_and_type
    return client.post(f"{REPORTS}/{report_id}/evidence", headers=headers, data=body,
                       content_type=mimetype)


def test_a_retried_upload_of_the_same_bytes_stores_one_file(client, world, tmp_path):
    world.order("O-1")
    filed = created(file_shipment(client, world.owner, "O-1"))
    headers = keyed(world.owner, "upload-1")
    first = upload_raw(client, headers, filed["id"], multipart(PNG, "storm.png"))
    retry = upload_raw(client, headers, filed["id"], multipart(PNG, "storm.png"))
    assert first.status_code == 201, first.json
    assert_replayed(first, retry)
    seen = report(client, world.owner, filed["id"])
    assert [e["id"] for e in seen["evidence"]] == [first.json["id"]]
    assert [h["action"] for h in seen["history"]] == ["submitted", "evidence_added"]
    assert len([p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]) == 1


def test_a_retried_upload_with_a_fresh_multipart_boundary_is_the_same_request(client, world):
    world.order("O-1")
    filed = created(file_shipment(client, world.owner, "O-1"))
    headers = keyed(world.owner, "upload-2")
    first = upload_raw(client, headers, filed["id"], multipart(PNG, "storm.png",
                                                               boundary="first-try"))
    retry = upload_raw(client, headers, filed["id"], multipart(PNG, "storm.png",
                                                               boundary="second-try"))
    assert first.status_code == 201, first.json
    assert_replayed(first, retry)
    assert len(report(client, world.owner, filed["id"])["evidence"]) == 1


def test_the_same_key_with_another_file_under_the_same_name_is_refused(client, world):
    world.order("O-1")
    filed = created(file_shipment(client, world.owner, "O-1"))
    headers = keyed(world.owner, "upload-3")
    first = upload_raw(client, headers, filed["id"], multipart(PNG, "storm.png"))
    other = upload_raw(client, headers, filed["id"], multipart(PNG + b"\0", "storm.png"))
    assert first.status_code == 201, first.json
    assert_problem(other, 422, "idempotency_key_reused")
    assert len(report(client, world.owner, filed["id"])["evidence"]) == 1
