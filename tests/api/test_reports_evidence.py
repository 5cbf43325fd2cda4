"""Evidence files of delay reports: what is accepted (by content, never by name), the
size and count limits, who may add and read them (stores never see each other's)."""

import hashlib
import os
from datetime import timedelta

import pytest

from tests.api.helpers import assert_invalid, assert_problem, events, iso, same_problem
from tests.api.report_helpers import (
    GIF87,
    GIF89,
    JPEG,
    PDF,
    PNG,
    REPORTS,
    WEBP,
    approve,
    created,
    file_shipment,
    multipart,
    other_store,
    reject,
    report,
    upload,
    withdraw,
)
from tests.conftest import START


@pytest.fixture
def pending(client, world):
    world.order("O-1")
    return created(file_shipment(client, world.owner, "O-1"))


def stored_files(tmp_path):
    folder = tmp_path / "evidence"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def added(response):
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def download(client, actor, report_id, evidence_id, headers=None):
    return client.get(f"{REPORTS}/{report_id}/evidence/{evidence_id}",
                      headers=actor.headers if headers is None else headers)


def assert_nothing_stored(client, world, report_id, tmp_path):
    seen = report(client, world.reviewer, report_id)
    assert seen["evidence"] == []
    assert [h["action"] for h in seen["history"]] == ["submitted"]
    assert stored_files(tmp_path) == []


# --- what is accepted ---------------------------------------------------------------------

KINDS = [(JPEG, "image/jpeg"), (PNG, "image/png"), (GIF87, "image/gif"), (GIF89, "image/gif"),
         (WEBP, "image/webp"), (PDF, "application/pdf")]


@pytest.mark.parametrize(("data", "kind"), KINDS,
                         ids=["jpeg", "png", "gif87a", "gif89a", "webp", "pdf"])
def test_a_file_is_recognised_by_its_content_not_its_name(
        client, world, pending, clock, data, kind):
    clock.advance(timedelta(minutes=10))
    evidence = added(upload(client, world.owner, pending["id"], data, filename="notes.txt",
                            content_type="text/plain"))
    assert isinstance(evidence["id"], int)
    assert {k: v for k, v in evidence.items() if k != "id"} == {
        "report_id": pending["id"], "filename": "notes.txt", "content_type": kind,
        "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
        "uploaded_by": world.owner.id, "uploaded_at": iso(START + timedelta(minutes=10)),
        "url": f"/api/v1/delay-reports/{pending['id']}/evidence/{evidence['id']}"}

    served = download(client, world.owner, pending["id"], evidence["id"])
    assert served.status_code == 200
    assert served.data == data
    assert served.mimetype == kind


def test_an_agent_adds_evidence_and_the_report_shows_it(client, world, pending, clock):
    first = added(upload(client, world.owner, pending["id"], PNG, filename="storm.png"))
    clock.advance(timedelta(minutes=1))
    second = added(upload(client, world.agent, pending["id"], PDF, filename="notice.pdf"))
    assert second["uploaded_by"] == world.agent.id

    seen = report(client, world.reviewer, pending["id"])
    assert seen["evidence"] == [first, second]
    assert [(h["action"], h["actor"], h["data"]) for h in seen["history"]] == [
        ("submitted", str(world.owner.id), {"orders": 1}),
        ("evidence_added", str(world.owner.id), {"filename": "storm.png", "size": len(PNG)}),
        ("evidence_added", str(world.agent.id), {"filename": "notice.pdf", "size": len(PDF)})]
    assert seen["history"][2]["at"] == iso(START + timedelta(minutes=1))
    assert seen["status"] == "pending_review"


def test_added_evidence_shows_on_the_timeline_of_every_named_order(client, world, clock):
    world.order("O-1")
    world.order("O-2")
    filed = created(file_shipment(client, world.owner, "O-1", "O-2"))
    clock.advance(timedelta(minutes=3))
    added(upload(client, world.agent, filed["id"], PDF, filename="notice.pdf"))
    for order_no in ("O-1", "O-2"):
        last = events(client, world.owner, order_no)[-1]
        assert (last["type"], last["actor"], last["at"]) == (
            "report.evidence_added", str(world.agent.id), iso(START + timedelta(minutes=3)))
        assert last["data"]["report_id"] == filed["id"]
        assert last["data"]["filename"] == "notice.pdf"


def test_a_refused_upload_writes_nothing_on_the_timeline(client, world, pending):
    before = events(client, world.owner)
    assert_invalid(upload(client, world.owner, pending["id"], b"plain text"), "file",
                   code="evidence_type_not_allowed")
    assert events(client, world.owner) == before


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/storm.png", "storm.png"),
    ("photos/2026/storm.png", "storm.png"),
    ("st<or>m|1?.png", "st_or_m_1_.png"),
    ("  storm.png. ", "storm.png"),
    ("...", "evidence.png"),
])
def test_a_files_name_is_made_safe(client, world, pending, given, kept):
    evidence = added(upload(client, world.owner, pending["id"], PNG, filename=given))
    assert evidence["filename"] == kept
    served = download(client, world.owner, pending["id"], evidence["id"])
    assert served.headers["Content-Disposition"].startswith(f'attachment; filename="{kept}"')


def test_a_file_is_served_as_a_download_never_sniffed_or_rendered(client, world, pending):
    evidence = added(upload(client, world.owner, pending["id"], PDF, filename="暴雪 notice.pdf"))
    assert evidence["filename"] == "暴雪 notice.pdf"
    served = download(client, world.reviewer, pending["id"], evidence["id"])
    assert served.status_code == 200
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"] == (
        "attachment; filename=\"__ notice.pdf\"; "
        "filename*=UTF-8''%E6%9A%B4%E9%9B%AA%20notice.pdf")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]


# --- what is refused ----------------------------------------------------------------------

NOT_EVIDENCE = [
    (b"Just some text about the storm.", "storm.jpg", "image/jpeg"),
    (b"<html><script>alert(1)</script></html>", "photo.png", "image/png"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg",
     "image/svg+xml"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 16, "sound.webp", "image/webp"),
    (b"PK\x03\x04" + b"\x00" * 30, "photos.pdf", "application/pdf"),
    (b"MZ\x90\x00" + b"\x00" * 30, "scan.pdf", "application/pdf"),
    (b"BM" + b"\x00" * 30, "scan.bmp", "image/bmp"),
    (b"\x89PNG\r\n" + b"\x00" * 30, "short-signature.png", "image/png"),
    (b"GIF88a" + b"\x00" * 30, "odd.gif", "image/gif"),
    (b"%PDF", "four-bytes.pdf", "application/pdf"),
    (b" " + PNG, "leading-blank.png", "image/png"),
]


@pytest.mark.parametrize(("data", "filename", "declared"), NOT_EVIDENCE,
                         ids=["text", "html-as-png", "svg", "wave", "zip", "exe", "bmp",
                              "short-png", "gif88a", "short-pdf", "offset-png"])
def test_a_file_of_another_type_is_refused_whatever_its_name(
        client, world, pending, tmp_path, data, filename, declared):
    response = upload(client, world.owner, pending["id"], data, filename=filename,
                      content_type=declared)
    assert_invalid(response, "file", code="evidence_type_not_allowed")
    assert_nothing_stored(client, world, pending["id"], tmp_path)


def test_an_empty_file_is_a_validation_error(client, world, pending, tmp_path):
    assert_invalid(upload(client, world.owner, pending["id"], b""), "file")
    assert_nothing_stored(client, world, pending["id"], tmp_path)


def test_a_request_without_the_file_field_is_a_validation_error(client, world, pending,
                                                                 tmp_path):
    body, mimetype = multipart(PNG, "storm.png", field="upload")
    response = client.post(f"{REPORTS}/{pending['id']}/evidence", headers=world.owner.headers,
                           data=body, content_type=mimetype)
    problem = assert_problem(response, 422, "validation_error")
    assert "file" in problem["errors"]
    json_body = client.post(f"{REPORTS}/{pending['id']}/evidence",
                            headers=world.owner.headers, json={"file": "aGVsbG8="})
    assert_invalid(json_body, "file")
    assert_nothing_stored(client, world, pending["id"], tmp_path)


# --- size and count -----------------------------------------------------------------------

SMALL = {"evidence_max_bytes": 1000, "evidence_max_files": 2}


def png_of(size):
    return PNG + b"\x00" * (size - len(PNG))


@pytest.mark.parametrize("policy", [SMALL], ids=["small-policy"])
def test_a_file_of_exactly_the_largest_size_is_accepted(client, world, pending):
    evidence = added(upload(client, world.owner, pending["id"], png_of(1000)))
    assert evidence["size"] == 1000
    assert len(download(client, world.owner, pending["id"], evidence["id"]).data) == 1000


@pytest.mark.parametrize("policy", [SMALL], ids=["small-policy"])
def test_a_file_one_byte_larger_is_evidence_too_large(client, world, pending, tmp_path):
    response = upload(client, world.owner, pending["id"], png_of(1001))
    body = assert_invalid(response, "file", status=413, code="evidence_too_large")
    assert "KiB" in body["detail"] or "bytes" in body["detail"]
    assert_nothing_stored(client, world, pending["id"], tmp_path)


@pytest.mark.parametrize("policy", [SMALL], ids=["small-policy"])
@pytest.mark.parametrize("keyed", [False, True], ids=["plain", "idempotency-key"])
def test_an_upload_larger_than_the_request_limit_is_a_413_problem(
        client, world, pending, tmp_path, app, keyed):
    limit = app.config["MAX_CONTENT_LENGTH"]
    headers = {**world.owner.headers, **({"Idempotency-Key": "big-one"} if keyed else {})}
    response = upload(client, world.owner, pending["id"], png_of(limit + 1), headers=headers)
    assert_problem(response, 413, "payload_too_large")
    assert_nothing_stored(client, world, pending["id"], tmp_path)


def test_the_default_limit_is_10_mib(client, world, pending, tmp_path):
    too_large = upload(client, world.owner, pending["id"], png_of(10 * 1024 * 1024 + 1))
    assert_invalid(too_large, "file", status=413, code="evidence_too_large")
    assert_nothing_stored(client, world, pending["id"], tmp_path)
    evidence = added(upload(client, world.owner, pending["id"], png_of(10 * 1024 * 1024)))
    assert evidence["size"] == 10 * 1024 * 1024


@pytest.mark.parametrize("policy", [SMALL], ids=["small-policy"])
def test_a_report_carries_at_most_the_policys_number_of_files(client, world, pending,
                                                               tmp_path):
    for data in (PNG, PDF):
        added(upload(client, world.owner, pending["id"], data))
    response = upload(client, world.agent, pending["id"], JPEG)
    assert_invalid(response, "file", status=409, code="evidence_limit_reached")
    seen = report(client, world.reviewer, pending["id"])
    assert [e["content_type"] for e in seen["evidence"]] == ["image/png", "application/pdf"]
    assert len(stored_files(tmp_path)) == 2


def test_by_default_a_report_carries_at_most_10_files(client, world, pending):
    for n in range(10):
        added(upload(client, world.owner, pending["id"], PNG, filename=f"{n}.png"))
    assert_invalid(upload(client, world.owner, pending["id"], PNG), "file", status=409,
                   code="evidence_limit_reached")
    assert len(report(client, world.owner, pending["id"])["evidence"]) == 10


def test_the_file_limit_is_per_report(client, world, pending):
    world.order("O-2")
    second = created(file_shipment(client, world.owner, "O-2"))
    for n in range(10):
        added(upload(client, world.owner, pending["id"], PNG, filename=f"{n}.png"))
    added(upload(client, world.owner, second["id"], PNG))


# --- only while pending -------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["approved", "rejected", "withdrawn"])
def test_a_decided_report_takes_no_more_evidence(client, world, pending, tmp_path, outcome):
    response = {"approved": lambda: approve(client, world.reviewer, pending["id"]),
                "rejected": lambda: reject(client, world.reviewer, pending["id"]),
                "withdrawn": lambda: withdraw(client, world.owner, pending["id"])}[outcome]()
    assert response.status_code == 200, response.json
    history = report(client, world.owner, pending["id"])["history"]
    assert_problem(upload(client, world.agent, pending["id"], PNG), 409, "report_not_pending")
    seen = report(client, world.owner, pending["id"])
    assert (seen["evidence"], seen["history"]) == ([], history)
    assert stored_files(tmp_path) == []


def test_evidence_stays_readable_after_the_decision(client, world, pending):
    evidence = added(upload(client, world.owner, pending["id"], JPEG))
    assert approve(client, world.reviewer, pending["id"]).status_code == 200
    for actor in (world.owner, world.agent, world.reviewer):
        served = download(client, actor, pending["id"], evidence["id"])
        assert (served.status_code, served.data) == (200, JPEG)


# --- who adds and who reads ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "buyer", "admin"])
def test_only_sellers_ever_add_evidence(client, world, pending, tmp_path, who):
    headers = world.admin_headers if who == "admin" else getattr(world, who).headers
    existing = upload(client, world.owner, pending["id"], PNG, headers=headers)
    missing = upload(client, world.owner, 999, PNG, headers=headers)
    assert_problem(existing, 403, "forbidden")
    assert same_problem(existing.json) == same_problem(missing.json)
    assert_nothing_stored(client, world, pending["id"], tmp_path)


@pytest.mark.parametrize("who", ["other_owner", "other_agent"])
def test_another_stores_sellers_find_no_report_to_add_to(
        client, world, pending, tmp_path, who):
    _, other_owner, other_agent = other_store(world)
    headers = {"other_owner": other_owner.headers, "other_agent": other_agent.headers}[who]
    hidden = upload(client, world.owner, pending["id"], PNG, headers=headers)
    missing = upload(client, world.owner, 999, PNG, headers=headers)
    assert_problem(hidden, 404, "not_found")
    assert same_problem(hidden.json) == {
        **same_problem(missing.json), "detail": missing.json["detail"].replace(
        "999", str(pending["id"]))}
    assert_nothing_stored(client, world, pending["id"], tmp_path)


def test_adding_evidence_needs_a_token(client, world, pending, tmp_path):
    assert_problem(upload(client, world.owner, pending["id"], PNG, headers={}),
                   401, "unauthenticated")
    assert_nothing_stored(client, world, pending["id"], tmp_path)


@pytest.mark.parametrize("who", ["buyer", "admin", "other_owner", "other_agent"])
def test_only_the_store_and_reviewers_read_a_file(client, world, pending, who):
    evidence = added(upload(client, world.owner, pending["id"], PNG))
    _, other_owner, other_agent = other_store(world)
    headers = {"buyer": world.buyer.headers, "admin": world.admin_headers,
               "other_owner": other_owner.headers, "other_agent": other_agent.headers}[who]
    response = download(client, world.owner, pending["id"], evidence["id"], headers=headers)
    assert_problem(response, 404, "not_found")
    assert PNG not in response.data


def test_a_file_is_found_only_under_its_own_report(client, world, pending):
    world.order("O-2")
    second = created(file_shipment(client, world.owner, "O-2"))
    evidence = added(upload(client, world.owner, pending["id"], PNG))
    for actor in (world.owner, world.reviewer):
        assert_problem(download(client, actor, second["id"], evidence["id"]),
                       404, "not_found")
        assert_problem(download(client, actor, pending["id"], evidence["id"] + 1),
                       404, "not_found")
        assert_problem(download(client, actor, 999, evidence["id"]), 404, "not_found")


def test_stores_never_see_each_others_evidence(client, world, pending):
    other_id, other_owner, _ = other_store(world)
    world.order("X-1", store_id=other_id)
    theirs = created(file_shipment(client, other_owner, "X-1"))
    their_file = added(upload(client, other_owner, theirs["id"], PDF))
    my_file = added(upload(client, world.owner, pending["id"], PNG))

    assert [e["id"] for e in report(client, world.owner, pending["id"])["evidence"]] == [
        my_file["id"]]
    assert_problem(download(client, world.owner, theirs["id"], their_file["id"]),
                   404, "not_found")
    assert_problem(download(client, world.owner, pending["id"], their_file["id"]),
                   404, "not_found")
    assert_problem(download(client, other_owner, pending["id"], my_file["id"]),
                   404, "not_found")
    served = download(client, world.reviewer, theirs["id"], their_file["id"])
    assert (served.status_code, served.data) == (200, PDF)


def test_reading_a_file_needs_a_token(client, world, pending):
    evidence = added(upload(client, world.owner, pending["id"], PNG))
    assert_problem(download(client, world.owner, pending["id"], evidence["id"], headers={}),
                   401, "unauthenticated")


# --- files left behind by a process that died before its commit -----------------------


def written_at(path, instant):
    os.utime(path, (instant.timestamp(), instant.timestamp()))


def test_the_sweep_removes_files_no_evidence_names_once_an_hour_old_and_keeps_the_rest(
        client, world, pending, tmp_path, clock, runner):
    kept = added(upload(client, world.owner, pending["id"], PNG, filename="storm.png"))
    [named] = stored_files(tmp_path)
    folder = named.parent
    orphan, half_written, young = (folder / "died-before-commit", folder / ".upload-x1",
                                   folder / "upload-in-flight")
    for path in (orphan, half_written, young):
        path.write_bytes(PNG)
    hour_ago = clock.now() - timedelta(hours=1)
    for path in (named, orphan, half_written):
        written_at(path, hour_ago)  # exactly old enough
    written_at(young, hour_ago + timedelta(seconds=1))

    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "and 2 orphaned evidence files" in result.output
    assert stored_files(tmp_path) == sorted([named, young])
    response = download(client, world.reviewer, pending["id"], kept["id"])
    assert response.status_code == 200 and response.get_data() == PNG
    response.close()


def test_orphans_are_found_across_chunks_of_the_store(client, world, pending, tmp_path, clock,
                                                      rt):
    from negotiation.services.reports import evidence

    added(upload(client, world.owner, pending["id"], PNG, filename="storm.png"))
    [named] = stored_files(tmp_path)
    orphans = [named.parent / f"orphan-{i}" for i in range(5)]
    for path in orphans:
        path.write_bytes(PNG)
    for path in (named, *orphans):
        written_at(path, clock.now() - timedelta(days=1))
    assert evidence.remove_orphans(rt.uow(), rt.evidence, older_than=timedelta(hours=1),
                                   chunk=2) == 5
    assert stored_files(tmp_path) == [named]
