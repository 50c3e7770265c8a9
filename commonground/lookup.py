"""Reading one row by its primary key for a use case: the row, or `NotFoundError`.

Every service that answers "this one, by id" reads the same way: a missing row, and a row the
caller may not know exists, are both "not found" with the service's own message. Services call
`get_or_not_found` instead of writing the read-and-raise each time.

Must not import any feature package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from commonground.errors import NotFoundError
from commonground.extensions import db

T = TypeVar("T")


def get_or_not_found(
    model: type[T],
    key: Any,
    message: str,
    *,
    visible: Callable[[T], bool] | None = None,
    options: Sequence[Any] = (),
) -> T:
    """The `model` row whose primary key is `key`; `NotFoundError(message)` when there is none,
    or when `visible` says the caller may not see it (hidden rows are not admitted to exist).
    `options` are loader options for the read (relationships read with the row)."""
    row = db.session.get(model, key, options=options)
    if row is None or (visible is not None and not visible(row)):
        raise NotFoundError(message)
    return row
