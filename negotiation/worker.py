"""The background work (``flask --app wsgi worker``): webhook deliveries, the expiring-soon
notices and the sweep, in one process; ``--once`` does one pass of everything due.

Deliveries go out from a pool of threads, at most ``WEBHOOK_CONCURRENCY`` at a time and
``WEBHOOK_PER_ENDPOINT_CONCURRENCY`` to any one endpoint, so a slow or silent receiver
holds only its own share. The loop takes what is due as slots free up and settles what
finished in one transaction, so under load each round trip to the database serves many
deliveries. Any number of workers may run on PostgreSQL: they take deliveries with
``SKIP LOCKED`` and lease them (see ``services/notifications/dispatch.py``).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from negotiation.adapters.webhook_transport import Outcome, WebhookSender, signature_headers
from negotiation.api.schemas import Event as EventSchema
from negotiation.runtime import Runtime
from negotiation.services.core.sweep import SweepReport, sweep
from negotiation.services.core.views import EventView
from negotiation.services.notifications import dispatch
from negotiation.services.notifications.dispatch import Claim, Settled
from negotiation.services.notifications.expiry_notices import notify_expiring_cards

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
NO_SECRET = ("no signing secret of the endpoint can be read under this SECRET_KEY; "
             "rotate the endpoint's secret")


@dataclass
class PassReport:
    delivered: int = 0
    failed: int = 0
    notices: int = 0
    sweep: SweepReport | None = None


def render(event: EventView) -> bytes:
    """The body of a delivery: the event exactly as the change feed answers it."""
    return json.dumps(EventSchema().dump(event), ensure_ascii=False,
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
        self._sweep_batch_size = sweep_batch_size
        self._key_retention = key_retention
        self._poll = poll_seconds
        # Signatures carry the wall clock's time: receivers check it against their own
        # to refuse replays, whatever clock the service's rules read.
        self._wall_time = wall_time
        self._jitter = jitter

    def close(self) -> None:
        self.sender.close()

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
        return sweep(self.runtime.uow, batch_size=self._sweep_batch_size,
                     key_retention=self._key_retention, files=self.runtime.evidence)

    # --- deliveries --------------------------------------------------------------------

    def deliver(self, report: PassReport, *, stop: threading.Event, drain: bool) -> None:
        """Keep every slot busy with a due delivery; settle what finishes. ``drain``: stop
        when nothing is due and nothing is in flight (one pass)."""
        slots = self.settings.concurrency
        in_flight: dict[Future[Settled], Claim] = {}
        busy: Counter[int] = Counter()
        with ThreadPoolExecutor(max_workers=slots, thread_name_prefix="delivery") as pool:
            while True:
                claimed = []
                if len(in_flight) < slots and not stop.is_set():
                    claimed = self._claim(slots - len(in_flight), busy)
                for claim in claimed:
                    in_flight[pool.submit(self._post, claim)] = claim
                    busy[claim.endpoint_id] += 1
                if not in_flight:
                    if drain or stop.is_set():
                        return
                    stop.wait(self._poll)
                    continue
                done, _ = wait(in_flight, timeout=self._poll, return_when=FIRST_COMPLETED)
                results = []
                for future in done:
                    claim = in_flight.pop(future)
                    busy[claim.endpoint_id] -= 1
                    results.append(future.result())
                if results:
                    self._settle(results, report)

    def _claim(self, room: int, busy: Counter[int]) -> list[Claim]:
        try:
            return dispatch.claim_due(self.runtime.uow(), self.settings,
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

    def _settle(self, results: list[Settled], report: PassReport) -> None:
        try:
            dispatch.settle(self.runtime.uow(), self.settings, results, self._jitter)
        except Exception:  # unrecorded: each lease runs out and the delivery goes again
            log.exception("recording %d delivery outcomes failed", len(results))
            return
        delivered = sum(1 for r in results if r.outcome.delivered)
        report.delivered += delivered
        report.failed += len(results) - delivered
