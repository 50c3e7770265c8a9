"""The city plan that gaps, recruitment and the coordinator's home read, kept per process.

Computing it (reading every open need and partner, and solving the city plan when no current
plan is stored) took seconds to minutes at 100k needs (issue 14), on every view. One basis is
kept per process and served again while the city is unchanged (`planning.queries.city_version`,
a handful of SQL aggregates) and it is at most PLAN_BASIS_MAX_AGE_S seconds old (waiting time
keeps raising every need's points, so a basis is not kept forever). Reports computed from it
are kept with it. Must not import Flask: the caller passes the key and the age.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class BasisCache(Generic[T]):
    """One value per process with its key and the moment it describes; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[Hashable, datetime, T] | None = None

    def get(self, key: Hashable, now: datetime, max_age: timedelta) -> T | None:
        """The kept value when its key is `key` and it describes a moment from `max_age`
        before `now` up to `now` (never a later moment than asked for); else None."""
        with self._lock:
            entry = self._entry
        if entry is None or entry[0] != key or not entry[1] <= now <= entry[1] + max_age:
            return None
        return entry[2]

    def put(self, key: Hashable, at: datetime, value: T) -> None:
        """Keep `value` (describing moment `at`) under `key`, replacing what was kept."""
        with self._lock:
            self._entry = (key, at, value)

    def clear(self) -> None:
        """Forget the kept value (a test emptied the database under it)."""
        with self._lock:
            self._entry = None


def memoised(memo: dict[Hashable, Any], key: Hashable, compute: Callable[[], T]) -> T:
    """`memo[key]`, computed once by `compute`."""
    if key not in memo:
        memo[key] = compute()
    return memo[key]
