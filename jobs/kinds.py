"""The registration API of job kinds: what long work a job record may stand for, who may start
it, and the function that does it.

    @job_kind("city_plan", "City plan", permission="plan.run")
    def city_plan(actor: Actor, run: JobRun) -> JobOutcome: ...

The function runs in a worker as the person who started the job (their current role, checked
again by the services it calls), reports progress through `run.progress(done, total)` and keeps
what must survive a lost worker with `run.save(...)`, inside the same unit of work as the
change it stands for, so a run that is repeated after its worker died skips what was done
(`run.saved`). It returns a `JobOutcome`: the message shown on the job's page, the result data
and the result reference (`"plan/12"`) the pages and the API link to.

The kinds themselves are declared in `jobs.work`. Must not import Flask or SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from accounts.actor import Actor


class JobRun(Protocol):
    """What a job kind's function receives besides the actor: its job record's handle."""

    job_id: int
    params: dict[str, Any]
    saved: dict[str, Any]

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record how far the work got (written at most a few times a second)."""

    def save(self, **items: Any) -> None:
        """Merge items into the job's result, in the caller's unit of work when one is open."""


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job reports: a message, result data, and what it produced."""

    message: str
    result: dict[str, Any] = field(default_factory=dict)
    result_ref: str | None = None


RESULT_KINDS = {"plan": True, "briefings": False, "needs": False}
"""What a job's result reference may point at, and whether it names one item (a plan by id)."""


def result_ref(kind: str, item_id: int | None = None) -> str:
    """A job's stored result reference: "plan/<id>", "briefings" or "needs"."""
    if RESULT_KINDS[kind] != (item_id is not None):
        raise ValueError(f"result kind {kind!r} with item {item_id!r}")
    return kind if item_id is None else f"{kind}/{item_id}"


def parse_result_ref(ref: str | None) -> tuple[str, int | None] | None:
    """(kind, item id or None) of a stored result reference; None for no reference or one
    this version does not know (the API and the pages turn it into their own link)."""
    if not ref:
        return None
    kind, _, item = ref.partition("/")
    if kind not in RESULT_KINDS or RESULT_KINDS[kind] != bool(item):
        return None
    if not item:
        return kind, None
    return (kind, int(item)) if item.isdigit() and len(item) < 10 else None


JobBody = Callable[[Actor, JobRun], JobOutcome]


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its name, a title for people, the permission to start it, its body."""

    name: str
    title: str
    permission: str
    run: JobBody


KINDS: dict[str, JobKind] = {}
"""Every declared kind by name."""


def job_kind(name: str, title: str, *, permission: str) -> Callable[[JobBody], JobBody]:
    """Declare the decorated function `run(actor, job_run) -> JobOutcome` as a job kind that
    people holding `permission` may start and see."""

    def register(run: JobBody) -> JobBody:
        if name in KINDS:
            raise ValueError(f"job kind {name!r} is declared twice")
        KINDS[name] = JobKind(name, title, permission, run)
        return run

    return register
