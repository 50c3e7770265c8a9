"""Data built once and rolled back: `db.session` bound to one connection's open transaction.

A test that needs the same rows for hundreds of requests (the authorization matrix) builds them
once inside an outer transaction and runs each request inside a SAVEPOINT that is rolled back.
While `bound_to(connection)` is active, every `db.session` (one per application context, as in
the app) is bound to that connection with `join_transaction_mode="create_savepoint"`: a
service's `commit()` releases the session's own SAVEPOINT, never the outer transaction, so even
a request that commits leaves nothing behind once its SAVEPOINT is rolled back.

Works on SQLite (the app's engine already sends BEGIN itself, so pysqlite's SAVEPOINT handling
is sound) and on PostgreSQL. Nothing else may open its own connection meanwhile: on SQLite it
would wait for the outer transaction's write lock, on PostgreSQL it would not see the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.globals import app_ctx
from flask_sqlalchemy.session import Session
from sqlalchemy.engine import Connection
from sqlalchemy.orm import scoped_session, sessionmaker

from commonground.extensions import db


class _OneConnectionSession(Session):
    """Flask-SQLAlchemy's session, but every table goes to the session's own connection.

    Flask-SQLAlchemy's `get_bind` picks the engine of a table's bind key and ignores `bind=`;
    the app has one database, so the connection is the answer for every table.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())


@contextmanager
def bound_to(connection: Connection) -> Iterator[None]:
    """Make `db.session` (in every application context) work inside `connection`'s transaction."""
    app_session = db.session
    db.session = scoped_session(
        sessionmaker(
            class_=_OneConnectionSession,
            db=db,
            bind=connection,
            join_transaction_mode="create_savepoint",
            query_cls=db.Query,
        ),
        scopefunc=_app_context_id,
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = app_session


@contextmanager
def outer_transaction() -> Iterator[Connection]:
    """One connection in a transaction that is rolled back at the end; `db.session` joins it.

    Use inside an application context. Everything made meanwhile, committed or not, is gone
    afterwards.
    """
    connection = db.engine.connect()
    transaction = connection.begin()
    try:
        with bound_to(connection):
            yield connection
    finally:
        transaction.rollback()
        connection.close()


@contextmanager
def rolled_back(app: Flask, connection: Connection) -> Iterator[None]:
    """A fresh application context (fresh `g`, fresh session) whose changes are rolled back.

    Requests made by a test client inside it reuse this context, as they reuse a test's.
    """
    with app.app_context():
        savepoint = connection.begin_nested()
        try:
            yield
        finally:
            db.session.remove()  # rolls back the session's own SAVEPOINT, if one is open
            if savepoint.is_active:
                savepoint.rollback()
