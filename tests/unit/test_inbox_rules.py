"""Which event types are whose notifications: a buyer is told only what it may see."""

from __future__ import annotations

import pytest

from negotiation.domain.audience import BUYERS
from negotiation.domain.enums import Role
from negotiation.domain.event_types import CATALOGUE
from negotiation.domain.inbox import (
    BUYER_NOTICES,
    PLATFORM_NOTICES,
    SELLER_NOTICES,
    inbox_of,
)


@pytest.mark.parametrize("event_type", sorted(BUYER_NOTICES))
def test_every_buyer_notice_is_an_event_a_buyer_may_see(event_type):
    assert BUYERS.may_see(event_type)


@pytest.mark.parametrize("event_type", sorted(SELLER_NOTICES | BUYER_NOTICES | PLATFORM_NOTICES))
def test_every_notice_type_is_in_the_event_catalogue(event_type):
    assert event_type in CATALOGUE


def test_the_stores_own_events_are_no_buyers_notice():
    assert not BUYER_NOTICES & {"penalty.deducted", "penalty.revoked", "product.banned",
                                "report.evidence_added", "api_key.revoked"}


@pytest.mark.parametrize(("role", "types", "platform_only"), [
    (Role.OWNER, SELLER_NOTICES, False),
    (Role.AGENT, SELLER_NOTICES, False),
    (Role.BUYER, BUYER_NOTICES, False),
    (Role.REVIEWER, PLATFORM_NOTICES, True),
    (Role.ADMIN, PLATFORM_NOTICES, True),
])
def test_each_role_reads_its_own_inbox(role, types, platform_only):
    inbox = inbox_of(role)
    assert inbox.types == types
    assert inbox.platform_only is platform_only
    assert (inbox.audience is BUYERS) is (role is Role.BUYER)
