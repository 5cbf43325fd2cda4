"""Evidence files of a delay report: attach one, read one back, remove the orphans.

The bytes go to the evidence store before the row that names them is committed, so a
committed row always has its file; a failed commit removes the file again, and a process
that dies between the two leaves an orphan that the sweep removes once it is old enough.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from datetime import timedelta
from typing import Any, BinaryIO

from models import Evidence, ReportHistoryEntry
from negotiation.adapters.evidence_store import EvidenceStore
from negotiation.domain import errors, reporting
from negotiation.domain.caller import Caller
from negotiation.domain.errors import InvalidInput, NotFound, Refused
from negotiation.domain.evidence import safe_filename, sniff
from negotiation.domain.policy import Policy
from negotiation.services.core.settling import event_rows
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.reports.queries import readable_report
from negotiation.services.reports.views import EvidenceView


def add_evidence(uow: UnitOfWork, files: EvidenceStore, caller: Caller, report_id: int, *,
                 filename: str | None, stream: BinaryIO) -> EvidenceView:
    refusal = reporting.role_refusal(caller, "add_evidence")
    if refusal is not None:
        raise refusal
    policy = uow.policy
    data = stream.read(policy.evidence_max_bytes + 1)
    with uow:
        report = uow.reports.report(report_id, lock=True)
        if report is None or not reporting.may_read(caller, report):
            raise NotFound(f"No delay report {report_id}.")
        refusal = reporting.evidence_refusal(caller, report)
        if refusal is not None:
            raise refusal
        evidence = Evidence(report_id=report.id, **stored_file(
            uow, caller, data, filename, held=len(uow.reports.evidence(report.id)),
            what="A report", under=f"reports/{report.id}"))
        uow.add(evidence, ReportHistoryEntry(
            report_id=report.id, at=uow.now, actor=caller.actor, action="evidence_added",
            data={"filename": evidence.filename, "size": evidence.size}))
        # Every report change shows on the timelines of the orders it names.
        added = reporting.report_event(report, "report.evidence_added", uow.now,
                                       filename=evidence.filename)
        for item in report.items:
            uow.events.add(event_rows(item.order_id, report.store_id, [added], caller))
        commit_with_file(uow, files, evidence.storage_key, data)
        return EvidenceView.of(evidence)


def stored_file(uow: UnitOfWork, caller: Caller, data: bytes, filename: str | None, *,
                held: int, what: str, under: str) -> dict[str, Any]:
    """The columns of one more evidence file of ``what``, which holds ``held`` already,
    stored under the key prefix ``under`` — or the refusal of the file."""
    policy = uow.policy
    content_type = checked_type(data, policy)
    if held >= policy.evidence_max_files:
        raise Refused(f"{what} carries at most {policy.evidence_max_files} files.",
                      code=errors.EVIDENCE_LIMIT_REACHED, field="file")
    return {"filename": safe_filename(filename, content_type), "content_type": content_type,
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "storage_key": f"{under}/{uuid.uuid4().hex}", "uploaded_by": caller.account_id,
            "uploaded_at": uow.now}


def commit_with_file(uow: UnitOfWork, files: EvidenceStore, key: str, data: bytes) -> None:
    """Write the file before its row commits, and remove it if the commit fails: no row
    names a file that is not there."""
    uow.flush()
    files.put(key, data)
    try:
        uow.commit()
    except BaseException:
        files.delete(key)
        raise


def checked_type(data: bytes, policy: Policy) -> str:
    """The recognised type of an evidence file's bytes, or the refusal of the file (too
    large, empty, of a type not accepted), for reports and appeals alike. Also for a form
    that files a report with a file: it is checked before the report is filed, so a
    refused file files nothing."""
    if len(data) > policy.evidence_max_bytes:
        raise Refused(f"An evidence file is at most {policy.evidence_max_bytes // 1024} KiB.",
                      code=errors.EVIDENCE_TOO_LARGE, field="file")
    if not data:
        raise InvalidInput("The file is empty.", field="file")
    content_type = sniff(data[:16])
    if content_type is None or content_type not in policy.evidence_types:
        allowed = ", ".join(policy.evidence_types)
        raise Refused(f"Evidence must be one of {allowed}; this file is none of them.",
                      code=errors.EVIDENCE_TYPE_NOT_ALLOWED, field="file")
    return content_type


def read_evidence(uow: UnitOfWork, files: EvidenceStore, caller: Caller, report_id: int,
                  evidence_id: int) -> tuple[EvidenceView, bytes]:
    """A file and what it is: only for the report's store and for reviewers."""
    with uow:
        readable_report(uow, caller, report_id)
        evidence = uow.reports.evidence_item(report_id, evidence_id)
        if evidence is None:
            raise NotFound(f"No evidence {evidence_id} on report {report_id}.")
        return EvidenceView.of(evidence), files.get(evidence.storage_key)


def remove_orphans(uow: UnitOfWork, files: EvidenceStore, *, older_than: timedelta,
                   chunk: int = 500) -> int:
    """Delete the stored files no evidence row names, written at least ``older_than``
    ago (younger ones may belong to an upload whose commit is still to come)."""
    cutoff = uow.clock.now() - older_than
    old_enough = (key for key, written in files.stored() if written <= cutoff)
    removed = 0
    while keys := list(itertools.islice(old_enough, chunk)):
        with uow:  # a short read per chunk: on SQLite no write lock is held meanwhile
            named = uow.reports.evidence_keys_in_use(keys)
        for key in keys:
            if key not in named:
                files.delete(key)
                removed += 1
    return removed
