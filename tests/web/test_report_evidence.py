"""Evidence files on a report's page: uploading, refusals, size limits and downloads."""

from __future__ import annotations

import io

import pytest

from negotiation.services.reports import evidence, reports
from negotiation.services.reports import queries as report_queries
from tests.web.conftest import csrf_token_in, forms, markup, text
from tests.web.report_support import (
    NEW,
    NOT_EVIDENCE,
    PDF,
    PNG,
    field_errors,
    file_shipment,
    other_store_owner,
    page_of,
    shipment_form,
    stored_reports,
)

MIB = 1024 * 1024


def upload_url(report_id: int) -> str:
    return f"{page_of(report_id)}/evidence"


def stored_evidence(rt, reader, report_id: int) -> list:
    return report_queries.get_report(rt.uow(), reader.caller, report_id).evidence


def attach(rt, world, report_id: int, data: bytes = PNG, filename: str = "road.png"):
    return evidence.add_evidence(rt.uow(), rt.evidence, world.owner.caller, report_id,
                                 filename=filename, stream=io.BytesIO(data))


def test_a_seller_uploads_evidence_on_the_report_page(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    b = browser(world.agent)
    sent = b.submit(page_of(report.id), upload_url(report.id),
                    files={"file": (PDF, "police-notice.pdf")})
    assert sent.status_code == 302 and sent.headers["Location"] == page_of(report.id)
    [item] = stored_evidence(rt, world.owner, report.id)
    assert (item.filename, item.content_type, item.size) == (
        "police-notice.pdf", "application/pdf", len(PDF))
    page = b.get(page_of(report.id))
    shown = text(page)
    assert "已上传凭证 Evidence attached: police-notice.pdf." in shown
    assert f"police-notice.pdf application/pdf {len(PDF)} B" in shown
    assert "上传凭证 Evidence added" in shown  # the history
    assert f'href="/reports/{report.id}/evidence/{item.id}"' in markup(page)


def test_a_file_of_the_wrong_type_is_shown_again_beside_the_input(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    again = browser(world.owner).submit(page_of(report.id), upload_url(report.id),
                                        files={"file": (NOT_EVIDENCE, "photo.jpg")})
    assert again.status_code == 422
    message = field_errors(markup(again), "file")
    assert "凭证文件类型不支持 Evidence type not allowed" in message
    assert "image/jpeg" in message  # it says what is accepted
    assert stored_evidence(rt, world.owner, report.id) == []


def test_no_file_chosen_is_named(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    again = browser(world.owner).submit(page_of(report.id), upload_url(report.id),
                                        files={"file": (b"", "")})
    assert again.status_code == 422
    assert "请选择文件 Choose a file." in field_errors(markup(again), "file")


def test_a_file_just_over_the_policys_10_mib_is_refused_beside_the_input(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    big = PNG + b"\x00" * (10 * MIB + 1 - len(PNG))
    again = browser(world.owner).submit(page_of(report.id), upload_url(report.id),
                                        files={"file": (big, "huge.png")})
    assert again.status_code == 413 and again.mimetype == "text/html"
    assert ("凭证文件过大 Evidence file too large: An evidence file is at most 10240 KiB."
            in field_errors(markup(again), "file"))
    assert stored_evidence(rt, world.owner, report.id) == []


@pytest.mark.parametrize("policy", [{"evidence_max_bytes": 1024}])
def test_the_policys_size_limit_is_the_one_applied(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    b = browser(world.owner)
    assert "at most 1 KiB each" in text(b.get(page_of(report.id)))
    over = b.submit(page_of(report.id), upload_url(report.id),
                    files={"file": (PNG + b"\x00" * (1025 - len(PNG)), "big.png")})
    assert over.status_code == 413
    assert "An evidence file is at most 1 KiB." in field_errors(markup(over), "file")
    exact = b.submit(page_of(report.id), upload_url(report.id),
                     files={"file": (PNG + b"\x00" * (1024 - len(PNG)), "ok.png")})
    assert exact.status_code == 302
    assert [e.size for e in stored_evidence(rt, world.owner, report.id)] == [1024]


@pytest.mark.parametrize("policy", [{"evidence_max_bytes": 1024}])
def test_a_body_over_the_apps_limit_gets_a_friendly_page_and_saves_nothing(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    b = browser(world.owner)
    huge = PNG + b"\x00" * (200 * 1024)  # beyond MAX_CONTENT_LENGTH (1 KiB + 64 KiB)
    for page, action, data in ((page_of(report.id), upload_url(report.id), {}),
                               (NEW, NEW, shipment_form(order_nos="O-1"))):
        refused = b.submit(page, action, data, files={"file": (huge, "huge.png")})
        assert refused.status_code == 413 and refused.mimetype == "text/html"
        shown = text(refused)
        assert "文件过大 The file is too large" in shown
        assert "an evidence file is at most 1 KiB" in shown and "Traceback" not in shown
    assert stored_evidence(rt, world.owner, report.id) == []
    assert len(stored_reports(rt, world.owner)) == 1  # the second report was not filed


@pytest.mark.parametrize("policy", [{"evidence_max_bytes": 1024}])
@pytest.mark.parametrize("size", [70 * 1024, 10 * 1024 + 30 * 1024],
                         ids=["past-one-files-body", "within-one-files-body"])
def test_a_file_over_the_limit_on_the_report_form_redraws_it_with_the_input_kept(
        browser, world, rt, size):
    """Without JavaScript nothing stops the file being sent: the report form's body may
    carry as much as a report may (10 files of 1 KiB here, and framing), so a file past
    one file's body (1 KiB + 64 KiB) is still read and refused by the size rule, and the
    form comes back with its message and what was typed."""
    world.order("O-1")
    typed = shipment_form(order_nos="O-1", description="暴雪封路 Roads closed by snow")
    refused = browser(world.owner).submit(NEW, NEW, typed,
                                          files={"file": (PNG + b"\x00" * size, "big.png")})
    assert refused.status_code == 413 and refused.mimetype == "text/html"
    html = markup(refused)
    assert "An evidence file is at most 1 KiB." in field_errors(html, "file")
    assert 'id="form-summary"' in html
    assert 'name="description" required>\r\n暴雪封路 Roads closed by snow</textarea>' in html
    assert 'name="order_nos">\r\nO-1</textarea>' in html
    assert stored_reports(rt, world.owner) == []


@pytest.mark.parametrize("policy", [{"evidence_max_bytes": 1024}])
def test_other_forms_keep_the_body_limit_of_one_file(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    refused = browser(world.owner).submit(page_of(report.id), upload_url(report.id),
                                          files={"file": (PNG + b"\x00" * (70 * 1024),
                                                          "big.png")})
    assert refused.status_code == 413
    assert "文件过大 The file is too large" in text(refused)


@pytest.mark.parametrize("policy", [{"evidence_max_files": 1}])
def test_a_report_carries_no_more_files_than_the_policy_allows(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    attach(rt, world, report.id)
    again = browser(world.owner).submit(page_of(report.id), upload_url(report.id),
                                        files={"file": (PNG, "second.png")})
    assert again.status_code == 409
    assert "凭证数量已达上限 Evidence limit reached" in field_errors(markup(again), "file")
    assert len(stored_evidence(rt, world.owner, report.id)) == 1


def test_no_upload_form_once_decided_and_a_stale_upload_is_refused(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    b = browser(world.owner)
    b.get(page_of(report.id))
    reports.approve_report(rt.uow(), world.reviewer.caller, report.id)
    assert upload_url(report.id) not in forms(markup(b.get(page_of(report.id))))
    stale = b.client.post(upload_url(report.id), content_type="multipart/form-data", data={
        "csrf_token": csrf_token_in(markup(b.get(page_of(report.id)))),
        "file": (io.BytesIO(PNG), "late.png")})
    assert stale.status_code == 409
    form = forms(markup(stale))[upload_url(report.id)]  # drawn again, to say why
    assert "报备不在待审核状态 Report not pending review" in form and "disabled" in form
    assert stored_evidence(rt, world.owner, report.id) == []


def test_the_upload_form_needs_its_csrf_token(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    refused = browser(world.owner).client.post(
        upload_url(report.id), content_type="multipart/form-data",
        data={"file": (io.BytesIO(PNG), "road.png")})
    assert refused.status_code == 400
    assert stored_evidence(rt, world.owner, report.id) == []


# --- downloads -------------------------------------------------------------------------


def test_the_store_and_reviewers_download_the_file_as_an_attachment(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    item = attach(rt, world, report.id, PNG, "路况 road.png")
    url = f"{page_of(report.id)}/evidence/{item.id}"
    for actor in (world.owner, world.agent, world.reviewer):
        response = browser(actor).get(url)
        assert response.status_code == 200
        assert response.get_data() == PNG and response.mimetype == "image/png"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''%E8%B7%AF%E5%86%B5%20road.png" in disposition
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]


def test_another_stores_seller_and_buyers_get_404_for_a_file(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    item = attach(rt, world, report.id)
    url = f"{page_of(report.id)}/evidence/{item.id}"
    for actor in (other_store_owner(world, rt), world.buyer):
        response = browser(actor).get(url)
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert PNG not in response.get_data()


def test_a_file_is_found_only_under_its_own_report(browser, world, rt):
    world.order("O-1")
    world.order("O-2")
    first = file_shipment(rt, world.owner, "O-1")
    second = file_shipment(rt, world.owner, "O-2")
    item = attach(rt, world, first.id)
    b = browser(world.owner)
    assert b.get(f"{page_of(second.id)}/evidence/{item.id}").status_code == 404
    assert b.get(f"{page_of(first.id)}/evidence/{item.id + 1}").status_code == 404

