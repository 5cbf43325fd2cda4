"""Cost of one state transition through the shared machines, in microseconds.

Measured in one process, in the same run, on plain objects (no database, no ORM):

- ``baseline``: a bare attribute assignment (``card.state = ACCEPTED``), what a
  transition would cost with no state machine at all;
- ``fire``: ``fire(CARD_MACHINE, card, "accept")`` on the shared card machine, the way
  the rules move a card (``negotiation/domain/machine.py``);
- ``fire+condition``: the negotiation machine's ``send_card`` then
  ``card_closed(cards_left=1)``, whose first row has a condition that is evaluated and
  fails, so the second row is taken: the most expensive path the rules use;
- ``machine per object``: the trap that ``docs/architecture.md`` warns about, a
  ``transitions.Machine`` built for each object (same states, transitions and options)
  and its trigger called once.

Each loop iteration resets the object to its source state with one plain assignment, in
every variant alike, so the differences are the transition's own cost. Each variant is
timed ``--repeats`` times over ``--number`` iterations (bounded), interleaved so that a
noisy neighbour slows them all alike; the median of the repeats is reported.

    .venv/bin/python bench/transition_overhead.py
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transitions import Machine

from negotiation.domain.enums import CardState, NegotiationState
from negotiation.domain.machine import (
    _OPTIONS,
    CARD_MACHINE,
    CARD_TRANSITIONS,
    NEGOTIATION_MACHINE,
    fire,
)

TARGET_US = 20.0


class Plain:
    """A stand-in for a card or a negotiation: only the attribute the machine moves."""

    def __init__(self, state: object) -> None:
        self.state = state


def bench_baseline(number: int) -> float:
    card = Plain(CardState.PENDING)
    pending, accepted = CardState.PENDING, CardState.ACCEPTED
    start = time.perf_counter_ns()
    for _ in range(number):
        card.state = pending
        card.state = accepted
    return (time.perf_counter_ns() - start) / number / 1000


def bench_fire(number: int) -> float:
    card = Plain(CardState.PENDING)
    pending, machine = CardState.PENDING, CARD_MACHINE
    start = time.perf_counter_ns()
    for _ in range(number):
        card.state = pending
        fire(machine, card, "accept")
    elapsed = time.perf_counter_ns() - start
    assert card.state is CardState.ACCEPTED
    return elapsed / number / 1000


def bench_fire_condition(number: int) -> float:
    """Two transitions per iteration: the unconditional one and the conditional one."""
    negotiation = Plain(NegotiationState.OPEN)
    opened, machine = NegotiationState.OPEN, NEGOTIATION_MACHINE
    start = time.perf_counter_ns()
    for _ in range(number):
        negotiation.state = opened
        fire(machine, negotiation, "send_card")
        fire(machine, negotiation, "card_closed", cards_left=1)
    elapsed = time.perf_counter_ns() - start
    assert negotiation.state is NegotiationState.OPEN
    return elapsed / number / 2 / 1000


def bench_machine_per_object(number: int) -> float:
    options = {**_OPTIONS}
    del options["model"]
    card = Plain(CardState.PENDING)
    pending = CardState.PENDING
    start = time.perf_counter_ns()
    for _ in range(number):
        card = Plain(pending)
        Machine(model=card, states=CardState, transitions=CARD_TRANSITIONS,
                initial=pending, **options)
        card.accept()  # type: ignore[attr-defined]
    elapsed = time.perf_counter_ns() - start
    assert card.state is CardState.ACCEPTED
    return elapsed / number / 1000


VARIANTS: dict[str, tuple[Callable[[int], float], int]] = {
    # name: (timer, share of --number: the trap is ~100x slower, so fewer iterations)
    "baseline (attribute assignment)": (bench_baseline, 1),
    "fire() on the shared machine": (bench_fire, 1),
    "fire() with a condition": (bench_fire_condition, 1),
    "Machine per object": (bench_machine_per_object, 50),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20_000,
                        help="transitions per timing (machine per object: a fiftieth)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()
    if not 1 <= args.repeats <= 50 or not 100 <= args.number <= 1_000_000:
        parser.error("bounded runs only: 1-50 repeats of 100-1,000,000 transitions")

    for timer, share in VARIANTS.values():  # warm-up: imports, caches, first-call costs
        timer(max(10, args.number // share // 10))
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.repeats):
        for name, (timer, share) in VARIANTS.items():
            gc.collect()
            samples[name].append(timer(max(10, args.number // share)))

    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians["baseline (attribute assignment)"]
    shared = medians["fire() on the shared machine"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; "
          f"median of {args.repeats} repeats; µs per transition")
    print(f"{'variant':<34}{'median µs':>10}{'min µs':>9}{'max µs':>9}"
          f"{'× baseline':>12}{'× fire()':>10}")
    for name, values in samples.items():
        median = medians[name]
        print(f"{name:<34}{median:10.3f}{min(values):9.3f}{max(values):9.3f}"
              f"{median / base:12.1f}{median / shared:10.2f}")
    print(f"\nfire() overhead over a bare assignment: {shared - base:.2f} µs per transition")
    verdict = "met" if shared <= TARGET_US else "NOT met"
    print(f"target fire() ≤ {TARGET_US:g} µs per transition: {verdict} ({shared:.2f} µs)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"samples_us": samples, "median_us": medians},
                                        indent=2))


if __name__ == "__main__":
    main()
