"""The registration API of periodic routines: `routine(name, when)` declares one, `every` and
`daily` say when it runs. The routines themselves are declared in `jobs.schedule`.

A routine is a function `run(now) -> str | None` (the message recorded for its run). Declared
with `record=True` (the default) each run leaves a job record of kind `routine` with that
message, or the error; minute-by-minute housekeeping passes `record=False`. `enabled` reads
the configuration when the worker starts (e.g. the nightly plan, off by default): a routine
that is not enabled is listed by `flask schedule` but never runs.

Daily times are in the city's time zone (CITY_TIMEZONE). Must not import any feature package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

RoutineBody = Callable[[datetime], "str | None"]


@dataclass(frozen=True)
class Every:
    """Every `minutes` minutes, on the minutes of the hour divisible by it (1: every minute)."""

    minutes: int = 1

    def matches(self, moment: datetime, _zone: ZoneInfo) -> bool:
        """Whether the routine runs in the minute starting at `moment` (UTC)."""
        return (moment.hour * 60 + moment.minute) % self.minutes == 0

    def describe(self) -> str:
        if self.minutes == 1:
            return "every minute"
        return "every hour" if self.minutes == 60 else f"every {self.minutes} minutes"


@dataclass(frozen=True)
class Daily:
    """Once a day at `hour:minute` in the city's time zone."""

    hour: int
    minute: int = 0

    def matches(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone)
        return (local.hour, local.minute) == (self.hour, self.minute)

    def describe(self) -> str:
        return f"daily at {self.hour:02d}:{self.minute:02d}"


When = Every | Daily


def every(minutes: int = 1) -> Every:
    """A routine that runs every `minutes` minutes (1 to 60, dividing a day evenly)."""
    if not 1 <= minutes <= 60 or (24 * 60) % minutes:
        raise ValueError("every(minutes) takes 1 to 60 minutes dividing a day evenly.")
    return Every(minutes)


def daily(at: str) -> Daily:
    """A routine that runs once a day at `at` ("HH:MM", the city's local time)."""
    hour, _, minute = at.partition(":")
    if not (hour.isdigit() and minute.isdigit()) or int(hour) > 23 or int(minute) > 59:
        raise ValueError(f"daily() takes HH:MM, not {at!r}.")
    return Daily(int(hour), int(minute))


def next_run(when: When, after: datetime, zone: ZoneInfo) -> datetime:
    """The first whole minute strictly after `after` at which `when` matches (UTC)."""
    moment = after.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(2 * 24 * 60):
        if when.matches(moment, zone):
            return moment
        moment += timedelta(minutes=1)
    raise ValueError(f"{when.describe()} never matches")


@dataclass(frozen=True)
class Routine:
    """A periodic routine: its name, when it runs, what it does, whether its runs are recorded
    and whether the configuration turns it on."""

    name: str
    when: When
    run: RoutineBody
    description: str
    record: bool = True
    enabled: Callable[[Mapping], bool] = lambda _config: True


ROUTINES: dict[str, Routine] = {}
"""Every declared routine by name, in declaration order."""


def routine(
    name: str,
    when: When,
    *,
    record: bool = True,
    enabled: Callable[[Mapping], bool] | None = None,
) -> Callable[[RoutineBody], RoutineBody]:
    """Declare the decorated function `run(now) -> str | None` as a periodic routine.

    Its docstring's first line is what `flask schedule` prints. A name is declared once.
    """

    def register(run: RoutineBody) -> RoutineBody:
        if name in ROUTINES:
            raise ValueError(f"routine {name!r} is declared twice")
        description = (run.__doc__ or name).strip().splitlines()[0]
        ROUTINES[name] = Routine(
            name, when, run, description, record, enabled or (lambda _config: True)
        )
        return run

    return register
