"""The city plan that gaps, recruitment and the coordinator's home read, kept per process.

Computing it (reading every open need and partner, and solving the city plan when no current
plan is stored) took seconds to minutes at 100k needs (issue 14), on every view. One basis is
kept per process and served again while the city is unchanged (`planning.queries.city_version`,
a handful of SQL aggregates) and it is at most PLAN_BASIS_MAX_AGE_S seconds old (waiting time
keeps raising every need's points, so a basis is not kept forever). Reports computed from it
are kept with it, read-only (`frozen`): every request of the process is served the same
objects, with no copy (a deep copy of the gap report on every request was a third of the gaps
API at M). Must not import Flask: the caller passes the key and the age.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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


class KeptByKey(Generic[T]):
    """A few values per process by key, the least recently used forgotten first; thread-safe.

    For reports with arguments (the KPIs of one period) whose key holds everything they read,
    so a kept value is never out of date, only unused: no age limit. Two threads asking for the
    same missing key may both compute it; either result is the same and one is kept.
    """

    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._entries: OrderedDict[Hashable, T] = OrderedDict()

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under `key`, or `make()` kept under it."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every kept value (a test emptied the database under them)."""
        with self._lock:
            self._entries.clear()


def memoised(memo: dict[Hashable, Any], key: Hashable, compute: Callable[[], T]) -> T:
    """`memo[key]`, computed once by `compute`."""
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
    raise TypeError("a kept report is shared by every request: copy it to change it")


class FrozenDict(dict):
    """A dict nobody can change: what a kept report is made of (see `frozen`). Still a dict, so
    JSON, marshmallow, templates and comparisons read it as one; `{**d}` or `dict(d)` give a
    changeable copy.
    """

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


class FrozenList(list):
    """A list nobody can change (see `FrozenDict`); `list(rows)` or `rows[:]` give a
    changeable copy."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenList:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (list(self),))


def frozen(value: Any) -> Any:
    """`value` with every dict made a `FrozenDict` and every list a `FrozenList`, all the way
    down (tuples stay tuples; the leaves, numbers, strings and datetimes, cannot change)."""
    if isinstance(value, FrozenDict | FrozenList):
        return value
    if isinstance(value, dict):
        return FrozenDict((k, frozen(v)) for k, v in value.items())
    if isinstance(value, list):
        return FrozenList(frozen(v) for v in value)
    if isinstance(value, tuple):
        return tuple(frozen(v) for v in value)
    return value
