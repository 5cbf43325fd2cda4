"""The negotiation, card, delay-report and appeal state machines: transitions as data, one per kind.

The tables below are the single source of truth for what may follow what; the
diagram in docs/state-machine.md is generated from them. Each machine is shared by every
object of its kind (``model=None``) and driven through :func:`fire`, which never attaches
anything to the object: a machine per object, or ``add_model`` on a long-lived shared
machine, would cost time or leak memory on every request.

Triggers that do not apply to the current state raise instead of returning ``False``;
the rules in :mod:`negotiation.domain.eligibility` refuse with a proper code before a
trigger is ever fired, so a ``MachineError`` here means a programming error.
"""

from __future__ import annotations

from typing import Any

from transitions import EventData, Machine, MachineError

from negotiation.domain.enums import AppealState, CardState, NegotiationState, ReportStatus

C = CardState
N = NegotiationState
R = ReportStatus
A = AppealState


CARD_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "accept", "source": C.PENDING, "dest": C.ACCEPTED},
    {"trigger": "reject", "source": C.PENDING, "dest": C.REJECTED},
    {"trigger": "expire", "source": C.PENDING, "dest": C.EXPIRED},
    {"trigger": "withdraw", "source": C.PENDING, "dest": C.WITHDRAWN},
    {"trigger": "void", "source": C.PENDING, "dest": C.VOIDED},
]


def no_cards_left(event: EventData) -> bool:
    """Condition: the card that just closed was the last one the order may send."""
    return event.kwargs["cards_left"] <= 0


NEGOTIATION_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "send_card", "source": N.OPEN, "dest": N.AWAITING_BUYER},
    {"trigger": "agree", "source": N.AWAITING_BUYER, "dest": N.AGREED},
    # A card closed without agreement (rejected, expired, withdrawn): the first matching
    # row wins, so the unconditional reopen must come after the exhaustion check.
    {"trigger": "card_closed", "source": N.AWAITING_BUYER, "dest": N.FAILED,
     "conditions": no_cards_left},
    {"trigger": "card_closed", "source": N.AWAITING_BUYER, "dest": N.OPEN},
    {"trigger": "lapse", "source": N.OPEN, "dest": N.FAILED},
    {"trigger": "close", "source": [N.OPEN, N.AWAITING_BUYER], "dest": N.CLOSED},
]

REPORT_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "approve", "source": R.PENDING_REVIEW, "dest": R.APPROVED},
    {"trigger": "reject", "source": R.PENDING_REVIEW, "dest": R.REJECTED},
    {"trigger": "withdraw", "source": R.PENDING_REVIEW, "dest": R.WITHDRAWN},
]

APPEAL_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "uphold", "source": A.PENDING_REVIEW, "dest": A.UPHELD},
    {"trigger": "overturn", "source": A.PENDING_REVIEW, "dest": A.OVERTURNED},
]

_OPTIONS: dict[str, Any] = {
    "model": None,
    "auto_transitions": False,
    "ignore_invalid_triggers": False,
    "send_event": True,
    "model_attribute": "state",
}


def build_card_machine(cls: type[Machine] = Machine, **extra: Any) -> Machine:
    return cls(states=C, transitions=CARD_TRANSITIONS, initial=C.PENDING, **_OPTIONS, **extra)


def build_negotiation_machine(cls: type[Machine] = Machine, **extra: Any) -> Machine:
    return cls(states=N, transitions=NEGOTIATION_TRANSITIONS, initial=N.OPEN, **_OPTIONS, **extra)


def build_report_machine(cls: type[Machine] = Machine, **extra: Any) -> Machine:
    # A report's state is its ``status``, the name API.md gives it.
    options = {**_OPTIONS, "model_attribute": "status"}
    return cls(states=R, transitions=REPORT_TRANSITIONS, initial=R.PENDING_REVIEW,
               **options, **extra)


def build_appeal_machine(cls: type[Machine] = Machine, **extra: Any) -> Machine:
    return cls(states=A, transitions=APPEAL_TRANSITIONS, initial=A.PENDING_REVIEW,
               **_OPTIONS, **extra)


CARD_MACHINE = build_card_machine()
NEGOTIATION_MACHINE = build_negotiation_machine()
REPORT_MACHINE = build_report_machine()
APPEAL_MACHINE = build_appeal_machine()


class TransitionRejected(RuntimeError):
    """A trigger was fired from a state the table does not allow."""


def fire(machine: Machine, model: Any, trigger: str, **kwargs: Any) -> None:
    """Run ``trigger`` on ``model`` through the shared ``machine`` or raise."""
    try:
        event = machine.events[trigger]
    except KeyError:
        raise TransitionRejected(f"no trigger {trigger!r}") from None
    try:
        moved = event.trigger(model, **kwargs)
    except MachineError as err:
        state = getattr(model, machine.model_attribute)
        raise TransitionRejected(f"{trigger!r} is not allowed from {state}") from err
    if not moved:
        state = getattr(model, machine.model_attribute)
        raise TransitionRejected(f"{trigger!r} matched no transition from {state}")


def final_states(machine: Machine) -> frozenset[Any]:
    """States with no way out, derived from the table rather than listed twice."""
    sources: set[str] = set()
    for event in machine.events.values():
        sources.update(event.transitions)
    return frozenset(state.value for name, state in machine.states.items() if name not in sources)
