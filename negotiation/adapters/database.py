"""Engines for the embedded SQLite default and for PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    any_,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    insert,
    inspect,
    orm,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE, get_history
from sqlalchemy.orm.exc import StaleDataError

SQLITE_BUSY_TIMEOUT_MS = 10_000
STATEMENT_BY_STATEMENT = "negotiation_statement_by_statement"


def normalise_url(url: str) -> str:
    """Accept the usual ``postgresql://`` and ``postgres://`` forms; we drive psycopg 3."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1)
                      if url.startswith("postgres://") else url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def build_engine(url: str, **options: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, **options)
        _make_sqlite_serialisable(engine)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


def _make_sqlite_serialisable(engine: Engine) -> None:
    """WAL for concurrent readers, a busy timeout, and writes that cannot interleave.

    Every transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up front,
    so two requests never both read "2 cards" and both insert a third, and a reader
    never fails halfway when it has to write a lazily applied expiry.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(STATEMENT_BY_STATEMENT):
            return  # the driver then commits each statement: a write locks only itself
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Session(orm.Session):
    """SQLAlchemy's session, which also runs the writers repositories give it
    (``write_first``) whenever it flushes, before flushing its own objects.

    A repository may buffer the rows it only ever appends (a sweep batch writes thousands)
    and insert them in one statement per table, instead of handing them to the session
    as pending objects, which its flush processes object by object. Its writer runs at
    every flush — on request, at commit, and before a query (autoflush) — so a query sees
    those rows as it would see pending objects.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.write_first: list[Callable[[], None]] = []
        # Set by write_changes_and_let_go: the unit ends with this flush, and no one reads
        # anything through the session afterwards.
        self.ending = False

    def flush(self, objects: Sequence[Any] | None = None) -> None:
        try:
            for write in self.write_first:
                write()
        except BaseException:
            self.rollback()  # as a failed flush does: nothing half-written may commit
            raise
        super().flush(objects)

    def write_changes_and_let_go(self) -> None:
        """For a unit of work that ends with this flush (a sweep batch): write what its
        persistent objects' columns changed, one ``UPDATE`` per table and set of columns
        (an ``executemany``, in the tables' dependency order and the rows' key order, as
        the ORM would), and empty the session.

        The ORM's flush finds and writes the same changes, but at some 35 µs per object
        (its unit of work weighs every relationship of every changed object), three times
        the statement's own cost. Anything else pending — a new or deleted object, a
        relationship changed — is left to it, all of it: then this writes nothing.
        """
        self.ending = True
        if self.new or self.deleted:
            return
        rows: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
        columns: dict[Any, dict[str, Any]] = {}  # per mapper: attribute -> column, or None
        for obj in self.dirty:
            state = inspect(obj)
            mapper = state.mapper
            if mapper not in columns:
                if len(mapper.tables) != 1 or mapper.version_id_col is not None:
                    return
                columns[mapper] = {  # None: a relationship, or a SQL expression's property
                    prop.key: prop.columns[0] if isinstance(prop, orm.ColumnProperty)
                    and prop.columns[0].table is mapper.local_table else None
                    for prop in mapper.attrs}
            table, changed, of_key = mapper.local_table, {}, columns[mapper]
            for key in of_key.keys() - state.unmodified:  # set since loaded
                added = get_history(obj, key, PASSIVE_NO_INITIALIZE).added
                if not added:
                    continue  # set to what it was
                if key in mapper.relationships:
                    return
                if (column := of_key[key]) is not None:
                    changed[column.key] = added[0]
            if changed:
                where = {f"{c.key}__key": v for c, v in zip(mapper.primary_key, state.identity,
                                                          strict=True)}
                rows[table, tuple(sorted(changed))].append({**changed, **where})
        connection = self.connection()
        order = ({t: i for i, t in enumerate(next(iter(rows))[0].metadata.sorted_tables)}
                 if rows else {})
        for (table, names), params in sorted(rows.items(), key=lambda kv: (order[kv[0][0]],
                                                                              kv[0][1])):
            params.sort(key=lambda p: tuple(p[f"{c.key}__key"] for c in table.primary_key))
            if connection.dialect.name == "postgresql":
                result = connection.execute(_update_from_arrays(table, names, params))
            else:
                result = connection.execute(update(table).where(
                    *(c == bindparam(f"{c.key}__key") for c in table.primary_key)), params)
            if connection.dialect.supports_sane_multi_rowcount and \
                    result.rowcount != len(params):
                raise StaleDataError(f"UPDATE of {table.name} matched {result.rowcount} "
                                     f"rows of {len(params)}")
        self.expunge_all()


def _update_from_arrays(table: Table, names: tuple[str, ...],
                        rows: list[dict[str, Any]]) -> Any:
    """PostgreSQL: the rows' changes as one statement, ``UPDATE … FROM (SELECT unnest(…),
    …)``, an array parameter per column. Each row is written as by the ``executemany``
    above; the driver sends one statement, not one per row, and the server runs one:
    about half the CPU on either side."""
    columns = [(c, f"{c.key}__key") for c in table.primary_key] + [(table.c[n], n)
                                                                   for n in names]
    changed = _unnested(columns, rows).subquery("changed")
    return (update(table).values({n: changed.c[n] for n in names})
            .where(*(c == changed.c[name] for c, name in columns[:len(table.primary_key)])))


# From how many rows an insert goes as arrays on PostgreSQL (``insert_rows``): a sweep
# batch's hundreds, not a request's few, whose prepared executemany is as cheap.
ROWS_AS_ARRAYS = 16


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]],
                returning: Sequence[ColumnElement[Any]] = ()) -> Sequence[Any]:
    """Insert plain rows (each with the same keys); with ``returning``, the values of
    those expressions for each row inserted, in no particular order.

    As an ``executemany``; on PostgreSQL, from ``ROWS_AS_ARRAYS`` rows, as one statement,
    ``INSERT … SELECT unnest(…), …`` with an array parameter per column: the driver sends
    one statement, not one per row, and the server plans and runs it once (on a sweep
    of 200,000 items, 12 % less of PostgreSQL's CPU).
    """
    if not rows:
        return []
    if connection.dialect.name != "postgresql" or len(rows) < ROWS_AS_ARRAYS:
        statement, params = insert(table), list(rows)
    else:
        names = list(rows[0])
        arrays = _unnested([(table.c[name], name) for name in names], rows)
        statement, params = insert(table).from_select(names, arrays), None
    if returning:
        return connection.execute(statement.returning(*returning), params).all()
    connection.execute(statement, params)
    return []


def _unnested(columns: Sequence[tuple[Any, str]], rows: Sequence[dict[str, Any]]) -> Any:
    """``SELECT unnest(:a), unnest(:b), …``: the rows as one array parameter per column
    (each ``(column, key in the rows)``), cast to the column's type, labelled by key."""
    return select(*(
        func.unnest(cast(bindparam(None, [row[name] for row in rows], type_=ARRAY(c.type)),
                         ARRAY(c.type))).label(name)
        for c, name in columns))


def not_waiting_for_disk(engine: Engine) -> Engine:
    """An engine beside ``engine`` whose transactions commit without waiting for
    PostgreSQL to flush them to disk (``synchronous_commit`` off for its connections):
    for what a database crash may lose without harm. A transaction that must not be lost
    asks for the wait back (``UnitOfWork.wait_for_disk_at_commit``). SQLite: ``engine``.
    """
    if is_sqlite(engine):
        return engine
    return build_engine(engine.url.render_as_string(hide_password=False), pool_size=2,
                        connect_args={"options": "-c synchronous_commit=off"})


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, class_=Session, expire_on_commit=False)


def autocommit_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose every statement commits on its own: no BEGIN, no ROLLBACK, and on
    SQLite no write lock, for a read that needs no transaction (who a key belongs to)."""
    return sessionmaker(engine.execution_options(**_statement_by_statement(engine, True)),
                        class_=Session, expire_on_commit=False)


def _statement_by_statement(engine: Engine, on: bool) -> dict[str, Any]:
    """The execution options that make a connection's statements commit one by one
    (``on``), or run in the transactions its sessions begin.

    SQLite's connections already run the driver without transactions of its own (we emit
    BEGIN IMMEDIATE); an isolation level set on one would be reset to the driver's
    default when it returns to the pool, so there such a connection only skips that BEGIN.
    """
    if is_sqlite(engine):
        return {STATEMENT_BY_STATEMENT: on}
    return {"isolation_level": "AUTOCOMMIT" if on else engine.dialect.default_isolation_level}


class SharedConnection:
    """One pooled connection for units of work that run one after another (those of one
    web request): checked out, and its liveness checked, once instead of once per unit.

    Each unit's session still begins, commits or rolls back its own transaction on it; a
    unit whose statements commit one by one (``autocommit``) gets it in that mode. The
    connection is taken at the first session, and goes back to the pool at :meth:`close`.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._autocommit = False

    def session(self, *, autocommit: bool = False) -> Session:
        connection = self._connection
        if connection is None:
            connection = self._connection = self._engine.connect()
        if autocommit is not self._autocommit:
            connection.execution_options(**_statement_by_statement(self._engine, autocommit))
            self._autocommit = autocommit
        # "control_fully": the session owns the transaction it begins, as on an engine.
        return Session(bind=connection, expire_on_commit=False,
                       join_transaction_mode="control_fully")

    def close(self) -> None:
        """Give the connection back; the pool resets what :meth:`session` set on it."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._autocommit = False


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def rows_changed(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE or DELETE matched: its result is a cursor's."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} is not the result of a statement")
    return result.rowcount


def one_of(session: orm.Session, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """``column IN values``, for a list of any length (a sweep batch's ids).

    On PostgreSQL as ``column = ANY(:values)``: one array parameter, so the statement is
    the same whatever the list, compiled, parsed by the driver and prepared by the server
    once; an ``IN`` list has a parameter per value, and the driver parses the statement
    anew each time (more than 50 parameters are not cached), some milliseconds a batch.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def one_of_query(session: orm.Session, column: Any, query: Any) -> ColumnElement[bool]:
    """``column IN (query)``, for a query of candidates among many rows.

    On PostgreSQL as ``column = ANY(ARRAY(query))``: the candidates are then looked up by
    ``column``'s index, in its order, so ``ORDER BY column LIMIT n`` stops after ``n``
    of them. As ``IN``, the planner may walk the whole index by ``column`` instead, to
    merge it with them: with 200,000 orders, 86 ms a sweep batch against 27.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(func.array(query.scalar_subquery()))
    return column.in_(query)
