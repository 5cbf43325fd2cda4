"""The background work (``flask --app wsgi worker``): webhook deliveries, the expiring-soon
notices and the sweep, in one process; ``--once`` does one pass of everything due.

Deliveries go out from a pool of threads, at most ``WEBHOOK_CONCURRENCY`` at a time and
``WEBHOOK_PER_ENDPOINT_CONCURRENCY`` to any one endpoint, so a slow or silent receiver
holds only its own share. The loop takes what is due as slots free up and records what
finished in one transaction, so under load each round trip to the database serves many
deliveries. Any number of workers may run on PostgreSQL: they take deliveries with
``SKIP LOCKED`` and lease them (see ``services/notifications/dispatch.py``).
"""

from __future__ import annotations

import json
import logging
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from negotiation.adapters.database import not_waiting_for_disk, session_factory
from negotiation.adapters.webhook_transport import Outcome, WebhookSender, signature_headers
from negotiation.api.schemas.notifications import EventOut
from negotiation.runtime import Runtime
from negotiation.services.core.sweep import SweepReport, sweep
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import EventView
from negotiation.services.notifications import dispatch
from negotiation.services.notifications.dispatch import Claim, Settled
from negotiation.services.notifications.endpoints import purge_deleted_endpoints
from negotiation.services.notifications.expiry_notices import notify_expiring_cards

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
# How long an outcome may wait for others to be recorded with it: one transaction for
# many, under load; a moment's delay in what a reader of the deliveries sees.
RECORD_WITHIN = 0.05
NO_SECRET = ("no signing secret of the endpoint can be read under this SECRET_KEY; "
             "rotate the endpoint's secret")


@dataclass
class PassReport:
    delivered: int = 0
    failed: int = 0
    notices: int = 0
    sweep: SweepReport | None = None


_EVENT_OUT = EventOut()  # a schema is safe to share: dumping keeps no state


def render(event: EventView) -> bytes:
    """The body of a delivery: the event exactly as the change feed answers it."""
    return json.dumps(_EVENT_OUT.dump(event), ensure_ascii=False,
                      separators=(",", ":")).encode()


class Worker:
    def __init__(self, runtime: Runtime, *, sweep_batch_size: int,
                 key_retention: timedelta, poll_seconds: float = POLL_SECONDS,
                 wall_time: Callable[[], float] = time.time,
                 jitter: Callable[[], float] = random.random) -> None:
        self.runtime = runtime
        self.settings = runtime.webhooks
        self.sender = WebhookSender(timeout_seconds=self.settings.timeout_seconds,
                                    allow_private=self.settings.allow_private_urls,
                                    max_connections=self.settings.concurrency)
        # Taking deliveries and recording outcomes, a crash may lose: their own connections.
        self.delivery_engine = not_waiting_for_disk(runtime.engine)
        self._delivery_sessions = session_factory(self.delivery_engine)
        self._sweep_batch_size = sweep_batch_size
        self._key_retention = key_retention
        self._poll = poll_seconds
        # Signatures carry the wall clock's time: receivers check it against their own
        # to refuse replays, whatever clock the service's rules read.
        self._wall_time = wall_time
        self._jitter = jitter

    def close(self) -> None:
        self.sender.close()
        if self.delivery_engine is not self.runtime.engine:
            self.delivery_engine.dispose()

    def _delivery_uow(self) -> UnitOfWork:
        return UnitOfWork(self._delivery_sessions, self.runtime.clock, self.runtime.policy)

    # --- one pass, for cron and tests --------------------------------------------------

    def run_once(self) -> PassReport:
        report = PassReport(notices=notify_expiring_cards(self.runtime.uow))
        report.sweep = self.sweep()
        self.deliver(report, stop=threading.Event(), drain=True)
        return report

    # --- until stopped -----------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Until ``stop`` is set; deliveries in flight then are finished and recorded."""
        report = PassReport()
        notices = threading.Thread(target=self._every, name="notices-and-sweep",
                                   args=(stop,), daemon=True)
        notices.start()
        self.deliver(report, stop=stop, drain=False)
        notices.join(timeout=self.settings.timeout_seconds)

    def _every(self, stop: threading.Event) -> None:
        next_sweep = 0.0
        while not stop.is_set():
            try:
                notify_expiring_cards(self.runtime.uow)
                if time.monotonic() >= next_sweep:
                    self.sweep()
                    next_sweep = time.monotonic() + self.settings.sweep_interval_seconds
            except Exception:  # a failed round is logged and tried again next time
                log.exception("notices or sweep failed; trying again")
            stop.wait(self._poll)

    def sweep(self) -> SweepReport:
        """The sweep, and the rows of webhook endpoints deleted over an hour ago."""
        report = sweep(self.runtime.uow, batch_size=self._sweep_batch_size,
                       key_retention=self._key_retention, files=self.runtime.evidence)
        purge_deleted_endpoints(self.runtime.uow)
        return report

    # --- deliveries --------------------------------------------------------------------

    def deliver(self, report: PassReport, *, stop: threading.Event, drain: bool) -> None:
        """Keep the slots busy with due deliveries, while a thread of its own records
        what finishes. ``drain``: stop when nothing is due and nothing is in flight.

        Taking work and recording outcomes are transactions; run one after the other
        they would leave the slots idle while either waits on the database. So the loop
        takes work once most slots are free (:meth:`_worth_a_turn`), and the recorder
        records what finished in lots of about as many (:meth:`_record`): under load each
        turn of the database serves many deliveries.
        """
        slots = self.settings.concurrency
        in_flight: dict[Future[Settled], tuple[Claim, float]] = {}  # and when it was posted
        busy: Counter[int] = Counter()
        finished: queue.SimpleQueue[Settled | None] = queue.SimpleQueue()
        recorder = threading.Thread(target=self._record, args=(finished, report),
                                    name="delivery-recorder")
        recorder.start()
        idle_until = 0.0  # nothing more was due: look again after a poll, not at once
        try:
            with ThreadPoolExecutor(max_workers=slots, thread_name_prefix="delivery") as pool:
                while True:
                    room = slots - len(in_flight)
                    looked = nothing_due = False
                    now = time.monotonic()
                    if (not stop.is_set() and room >= self._worth_a_turn(in_flight, now)
                            and (now >= idle_until or (drain and not in_flight))):
                        claimed = self._claim(room, busy)
                        looked, nothing_due = True, len(claimed) < room
                        if nothing_due:
                            idle_until = time.monotonic() + self._poll
                        for claim in claimed:
                            in_flight[pool.submit(self._post, claim)] = (claim, now)
                            busy[claim.endpoint_id] += 1
                    if not in_flight:
                        if stop.is_set() or (drain and looked and nothing_due):
                            return
                        stop.wait(max(0.0, idle_until - time.monotonic()))
                        continue
                    done, _ = wait(in_flight, timeout=self._poll, return_when=FIRST_COMPLETED)
                    for future in done:
                        claim, _ = in_flight.pop(future)
                        busy[claim.endpoint_id] -= 1
                        finished.put(future.result())
        finally:
            finished.put(None)  # the recorder records what is left, then ends
            recorder.join()

    def _worth_a_turn(self, in_flight: dict[Future[Settled], tuple[Claim, float]],
                      now: float) -> int:
        """How many free slots are worth taking work for: 7 in 8 of the slots that turn
        over. Each turn costs the same few statements whatever it takes, so under load
        the fewer turns the better; a slot whose delivery has run for over a poll (a
        slow or silent receiver) does not turn over, so the others are refilled anyway.
        """
        turning = self.settings.concurrency - sum(
            1 for _, posted in in_flight.values() if now - posted > self._poll)
        return _most_of(turning)

    def _record(self, finished: queue.SimpleQueue[Settled | None], report: PassReport) -> None:
        """Settle outcomes as they come, in lots: a lot is recorded once it holds as many
        as a turn takes, or ``RECORD_WITHIN`` after its first, until told there are no
        more."""
        enough = _most_of(self.settings.concurrency)
        while True:
            first = finished.get()
            results = [] if first is None else [first]
            ending = first is None
            until = time.monotonic() + RECORD_WITHIN
            while not ending and len(results) < enough:
                try:
                    item = finished.get(timeout=max(0.0, until - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:
                    ending = True
                else:
                    results.append(item)
            self._record_outcomes(results, report)
            if ending:
                return

    def _claim(self, room: int, busy: Counter[int]) -> list[Claim]:
        try:
            return dispatch.claim_due(self._delivery_uow(), self.settings,
                                      self.runtime.webhook_seal, limit=room,
                                      busy={e: n for e, n in busy.items() if n})
        except Exception:  # the database went away: nothing is taken, try again later
            log.exception("taking due deliveries failed; trying again")
            return []

    def _post(self, claim: Claim) -> Settled:
        started_at = self.runtime.clock.now()
        if not claim.secrets:
            return Settled(claim, started_at, Outcome(None, 0, NO_SECRET, ""))
        body = render(claim.event)
        headers = signature_headers(str(claim.event.id), int(self._wall_time()), body,
                                    claim.secrets)
        return Settled(claim, started_at, self.sender.send(claim.url, body, headers))

    def _record_outcomes(self, results: list[Settled], report: PassReport) -> None:
        if not results:
            return
        try:
            dispatch.record_outcomes(self._delivery_uow(), self.settings, results, self._jitter)
        except Exception:  # unrecorded: each lease runs out and the delivery goes again
            log.exception("recording %d delivery outcomes failed", len(results))
            return
        delivered = sum(1 for r in results if r.outcome.delivered)
        report.delivered += delivered
        report.failed += len(results) - delivered


def _most_of(slots: int) -> int:
    """7 in 8 of ``slots``, at least one: how many deliveries a turn is worth."""
    return max(1, slots * 7 // 8)
