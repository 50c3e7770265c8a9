"""The unit of work: what one use case writes commits together, or not at all.

Services wrap the part of a use case that writes in `with unit_of_work(conflict=...):`. When
the block ends normally the session commits; when anything is raised it rolls back and the
exception goes on, except that
- a broken constraint (`IntegrityError`: a unique name taken meanwhile, a second active claim
  on a need) becomes a `ConflictError` with the `conflict` message, and
- a writer that lost a race for the database (PostgreSQL serialization failure or deadlock,
  SQLite "database is locked") becomes a `ConflictError` the caller may retry.

Units nest: a use case that calls another one (accepting an offer claims the need, registering
an organisation adds its first member) runs both in the outermost unit, which alone commits or
rolls back. An inner unit flushes when it ends, so a constraint it breaks is reported with its
own message; an exception leaving it is the outer unit's to roll back.

Status changes stay conditional `UPDATE ... WHERE status IN (...)` statements checked by row
count (see `needs.services`): the unit of work makes them atomic with what goes with them, it
does not replace them.

Must not import any feature package.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from commonground.errors import ConflictError
from commonground.extensions import db

CONFLICT = "This conflicts with a change made meanwhile; try again."
"""The default message for a broken constraint."""

BUSY = "The record is busy; try again."
"""The message for a writer that lost a race for the database."""

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization failure and deadlock: the transaction may simply be retried."""

_DEPTH = "commonground.unit_of_work.depth"


def lost_a_race(exc: BaseException) -> bool:
    """True when the database refused a writer because another one got there first."""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig).lower()


def _as_conflict(
    exc: BaseException, conflict: str, errors: dict[str, Any] | None
) -> ConflictError | None:
    """The conflict a database error means for the caller; None for any other exception."""
    if isinstance(exc, IntegrityError):
        return ConflictError(conflict, errors)
    if lost_a_race(exc):
        return ConflictError(BUSY)
    return None


def in_unit_of_work() -> bool:
    """Whether a unit of work is open on the current session."""
    return db.session().info.get(_DEPTH, 0) > 0


@contextmanager
def unit_of_work(
    conflict: str = CONFLICT, errors: dict[str, Any] | None = None
) -> Iterator[Session]:
    """Commit what the block writes, or roll it all back (see the module doc).

    Yields the session. `conflict` and `errors` (per-field messages) are those of the
    `ConflictError` a broken constraint raises.
    """
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth:
            session.flush()
        else:
            session.commit()
    except BaseException as exc:
        if not depth:
            session.rollback()
        mapped = _as_conflict(exc, conflict, errors)
        if mapped is not None:
            raise mapped from exc
        raise
    finally:
        session.info[_DEPTH] = depth
