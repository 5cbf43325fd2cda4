"""One transaction per use case: committed when asked, rolled back otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from negotiation.adapters.account_repository import AccountRepository
from negotiation.adapters.appeal_repository import AppealRepository
from negotiation.adapters.assessment_repository import AssessmentRepository
from negotiation.adapters.database import Session
from negotiation.adapters.event_repository import EventRepository
from negotiation.adapters.inbox_repository import InboxRepository
from negotiation.adapters.order_repository import OrderRepository
from negotiation.adapters.records_repository import RecordsRepository
from negotiation.adapters.report_repository import ReportRepository
from negotiation.adapters.webhook_repository import WebhookRepository
from negotiation.clock import Clock
from negotiation.domain.errors import Conflict
from negotiation.domain.policy import Policy


class UnitOfWork:
    """A session, the clock and the policy: everything a use case needs from outside.

    ``now`` is read once when the unit starts, so every rule in one use case sees the
    same instant.
    """

    session: Session
    orders: OrderRepository
    accounts: AccountRepository
    events: EventRepository
    reports: ReportRepository
    appeals: AppealRepository
    assessment: AssessmentRepository
    webhooks: WebhookRepository
    inbox: InboxRepository
    records: RecordsRepository
    now: datetime

    def __init__(self, sessions: Callable[[], Session], clock: Clock, policy: Policy) -> None:
        self._sessions = sessions
        self.clock = clock
        self.policy = policy

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.orders = OrderRepository(self.session)
        self.accounts = AccountRepository(self.session)
        self.events = EventRepository(self.session)
        self.reports = ReportRepository(self.session)
        self.appeals = AppealRepository(self.session)
        self.assessment = AssessmentRepository(self.session)
        self.session.write_first.append(self.assessment.write_new)  # at every flush
        self.webhooks = WebhookRepository(self.session)
        self.inbox = InboxRepository(self.session)
        self.records = RecordsRepository(self.session)
        self.now = self.clock.now()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self, *, last: bool = False) -> None:
        """Commit; ``last`` when nothing is read or written through this unit after it (a
        sweep batch), so its objects' changes may be written in bulk and let go of."""
        with self.constraints_as_conflict():
            if last:
                self.session.write_changes_and_let_go()
            self.session.flush()  # also what the repositories buffered (Session.write_first)
            self.events.write(self.now)
            self.session.commit()
        self.assessment.forget()

    def add(self, *objects: object) -> None:
        """New objects, written at the next flush."""
        self.session.add_all(objects)

    def flush(self) -> None:
        """Write pending changes now (to learn ids), with the database's constraints."""
        with self.constraints_as_conflict():
            self.session.flush()

    @contextmanager
    def writes_held_until_commit(self) -> Iterator[None]:
        """No flush before a query meanwhile: what the block changes reaches the
        database at commit, in one statement per table and kind of change."""
        with self.session.no_autoflush:
            yield

    @contextmanager
    def constraints_as_conflict(self) -> Iterator[None]:
        """A constraint the database enforced, as the refusal ``conflict``."""
        # The rules refuse first; a constraint only fires when a concurrent request got
        # past them at the same moment, which the client may simply retry.
        try:
            yield
        except IntegrityError as err:
            self.rollback()
            raise Conflict("The request collided with another change; retry it.") from err

    def rollback(self) -> None:
        """Undo the transaction, and forget what was buffered or read for it."""
        self.session.rollback()
        self.events.forget()
        self.assessment.forget()

    def wait_for_disk_at_commit(self) -> None:
        """Have this transaction's commit wait for PostgreSQL to flush it to disk, on a
        unit whose connections otherwise do not (``database.not_waiting_for_disk``)."""
        if self.skip_locked:  # PostgreSQL; SQLite has no such setting per transaction
            self.session.execute(text("SET LOCAL synchronous_commit TO ON"))

    @property
    def skip_locked(self) -> bool:
        """Whether the database can skip rows another transaction has locked."""
        return self.session.get_bind().dialect.name == "postgresql"
