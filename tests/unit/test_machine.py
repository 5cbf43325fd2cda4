"""The transition tables: what may follow what, and nothing else (no silent False)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from negotiation.domain.enums import CardState, NegotiationState
from negotiation.domain.machine import (
    CARD_MACHINE,
    CARD_TRANSITIONS,
    NEGOTIATION_MACHINE,
    NEGOTIATION_TRANSITIONS,
    TransitionRejected,
    final_states,
    fire,
)

C, N = CardState, NegotiationState


@dataclass
class Thing:
    state: Any


def allowed_from(table: list[dict[str, Any]]) -> dict[tuple[str, Any], set[Any]]:
    allowed: dict[tuple[str, Any], set[Any]] = {}
    for row in table:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        for source in sources:
            allowed.setdefault((row["trigger"], source), set()).add(row["dest"])
    return allowed


CARD_ALLOWED = allowed_from(CARD_TRANSITIONS)
NEGOTIATION_ALLOWED = allowed_from(NEGOTIATION_TRANSITIONS)
CARD_TRIGGERS = sorted({row["trigger"] for row in CARD_TRANSITIONS})
NEGOTIATION_TRIGGERS = sorted({row["trigger"] for row in NEGOTIATION_TRANSITIONS})


def test_the_card_table_is_the_one_rules_md_draws():
    assert allowed_from(CARD_TRANSITIONS) == {
        ("accept", C.PENDING): {C.ACCEPTED}, ("reject", C.PENDING): {C.REJECTED},
        ("expire", C.PENDING): {C.EXPIRED}, ("withdraw", C.PENDING): {C.WITHDRAWN},
        ("void", C.PENDING): {C.VOIDED}}


def test_the_negotiation_table_is_the_one_rules_md_draws():
    assert allowed_from(NEGOTIATION_TRANSITIONS) == {
        ("send_card", N.OPEN): {N.AWAITING_BUYER},
        ("agree", N.AWAITING_BUYER): {N.AGREED},
        ("card_closed", N.AWAITING_BUYER): {N.FAILED, N.OPEN},
        ("lapse", N.OPEN): {N.FAILED},
        ("close", N.OPEN): {N.CLOSED}, ("close", N.AWAITING_BUYER): {N.CLOSED}}


@pytest.mark.parametrize("state", list(C))
@pytest.mark.parametrize("trigger", CARD_TRIGGERS)
def test_every_card_trigger_moves_where_the_table_says_or_raises(trigger, state):
    card = Thing(state)
    if (trigger, state) in CARD_ALLOWED:
        fire(CARD_MACHINE, card, trigger)
        assert {card.state} == CARD_ALLOWED[trigger, state]
    else:
        with pytest.raises(TransitionRejected):
            fire(CARD_MACHINE, card, trigger)
        assert card.state is state


@pytest.mark.parametrize("cards_left", [0, 1])
@pytest.mark.parametrize("state", list(N))
@pytest.mark.parametrize("trigger", NEGOTIATION_TRIGGERS)
def test_every_negotiation_trigger_moves_where_the_table_says_or_raises(trigger, state,
                                                                         cards_left):
    negotiation = Thing(state)
    if (trigger, state) in NEGOTIATION_ALLOWED:
        fire(NEGOTIATION_MACHINE, negotiation, trigger, cards_left=cards_left)
        assert negotiation.state in NEGOTIATION_ALLOWED[trigger, state]
    else:
        with pytest.raises(TransitionRejected):
            fire(NEGOTIATION_MACHINE, negotiation, trigger, cards_left=cards_left)
        assert negotiation.state is state


def test_a_card_closing_with_no_card_left_fails_the_negotiation():
    negotiation = Thing(N.AWAITING_BUYER)
    fire(NEGOTIATION_MACHINE, negotiation, "card_closed", cards_left=0)
    assert negotiation.state is N.FAILED


def test_a_card_closing_with_cards_left_reopens_the_negotiation():
    negotiation = Thing(N.AWAITING_BUYER)
    fire(NEGOTIATION_MACHINE, negotiation, "card_closed", cards_left=1)
    assert negotiation.state is N.OPEN


@pytest.mark.parametrize("machine", [CARD_MACHINE, NEGOTIATION_MACHINE],
                         ids=["card", "negotiation"])
def test_there_are_no_automatic_to_state_triggers(machine):
    assert not [name for name in machine.events if name.startswith("to_")]
    for state in machine.states:
        with pytest.raises(TransitionRejected, match="no trigger"):
            fire(machine, Thing(next(iter(machine.states.values())).value), f"to_{state}")


def test_firing_attaches_nothing_to_the_model():
    card = Thing(C.PENDING)
    fire(CARD_MACHINE, card, "accept")
    assert vars(card) == {"state": C.ACCEPTED}
    assert not hasattr(card, "accept") and not hasattr(card, "to_expired")


def test_an_unknown_trigger_is_rejected():
    with pytest.raises(TransitionRejected):
        fire(CARD_MACHINE, Thing(C.PENDING), "approve")


def test_the_final_card_states_are_every_state_but_pending():
    assert final_states(CARD_MACHINE) == {C.ACCEPTED, C.REJECTED, C.EXPIRED, C.WITHDRAWN,
                                          C.VOIDED}


def test_the_final_negotiation_states_are_agreed_failed_and_closed():
    assert final_states(NEGOTIATION_MACHINE) == {N.AGREED, N.FAILED, N.CLOSED}


@pytest.mark.parametrize("machine", [CARD_MACHINE, NEGOTIATION_MACHINE],
                         ids=["card", "negotiation"])
def test_no_trigger_leaves_a_final_state(machine):
    finals = final_states(machine)
    for trigger in machine.events:
        for final in finals:
            with pytest.raises(TransitionRejected):
                fire(machine, Thing(final), trigger, cards_left=1)
