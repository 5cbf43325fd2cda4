"""The idempotency keys' queries (``uow.records``), on the test database."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import START


def test_a_key_is_reserved_once_found_completed_and_released(rt):
    with rt.uow() as uow:
        assert uow.records.idempotency_key("account:1", "k") is None
        assert uow.records.reserve_idempotency_key("account:1", "k", "h" * 64, START)
        uow.commit()
    with rt.uow() as uow:  # the unique (caller, key): a second reservation fails
        assert not uow.records.reserve_idempotency_key("account:1", "k", "x" * 64, START)
    with rt.uow() as uow:  # another caller's key of the same name is another key
        assert uow.records.reserve_idempotency_key("account:2", "k", "h" * 64, START)
        uow.commit()
    with rt.uow() as uow:
        assert uow.records.complete_idempotency_key("account:1", "k", 201, '{"id": 1}')
        assert not uow.records.complete_idempotency_key("account:1", "other", 201, "{}")
        uow.commit()
    with rt.uow() as uow:
        found = uow.records.idempotency_key("account:1", "k")
        assert found is not None
        assert (found.request_hash, found.status_code, found.response_body) == (
            "h" * 64, 201, '{"id": 1}')
        uow.records.release_idempotency_key("account:1", "k")
        uow.commit()
    with rt.uow() as uow:
        assert uow.records.idempotency_key("account:1", "k") is None
        assert uow.records.idempotency_key("account:2", "k") is not None


def test_only_the_first_of_two_renewals_of_one_reservation_takes_it_over(rt):
    later = START + timedelta(minutes=10)
    with rt.uow() as uow:
        uow.records.reserve_idempotency_key("account:1", "k", "h" * 64, START)
        uow.commit()
    with rt.uow() as uow:
        key_id = uow.records.idempotency_key("account:1", "k").id
        assert uow.records.renew_idempotency_key(key_id, START, later)
        assert not uow.records.renew_idempotency_key(key_id, START, later)  # seen changed
        uow.commit()
    with rt.uow() as uow:
        assert uow.records.idempotency_key("account:1", "k").created_at == later
        uow.records.complete_idempotency_key("account:1", "k", 200, "{}")
        uow.commit()
    with rt.uow() as uow:  # a completed key is never taken over
        assert not uow.records.renew_idempotency_key(key_id, later, later)


def test_purging_deletes_the_keys_reserved_before_the_cutoff_and_counts_them(rt):
    with rt.uow() as uow:
        for n, hours in enumerate((0, 47, 49, 72)):
            uow.records.reserve_idempotency_key("account:1", f"k{n}", "h" * 64,
                                                START - timedelta(hours=hours))
        uow.commit()
    with rt.uow() as uow:
        assert uow.records.purge_idempotency_keys(START - timedelta(hours=48)) == 2
        uow.commit()
    with rt.uow() as uow:
        left = [k for k in ("k0", "k1", "k2", "k3")
                if uow.records.idempotency_key("account:1", k) is not None]
        assert left == ["k0", "k1"]
        assert uow.records.purge_idempotency_keys(START - timedelta(hours=48)) == 0


def test_no_evidence_row_names_a_key_never_stored(rt):
    with rt.uow() as uow:
        assert uow.reports.evidence_keys_in_use(["reports/1/nope", "reports/2/nope"]) == set()
