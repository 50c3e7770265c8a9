"""Residents' reports: the one path by which the public web form and Open311 apps create a
report. A report arrives as `reported` (awaiting triage: `needs.triage`), is refused outside
the city's bounds, may carry up to MAX_PHOTOS photos (a refused photo never loses the report:
the text is kept and the refusal returned), keeps a reporter's email only with stated consent,
and queues the first "we received it" email in the same unit of work.

Also what the public may see of a report (`public_report`): no personal data ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from accounts.actor import Actor
from accounts.roles import Role
from capabilities.models import Capability
from commonground.db_types import utcnow
from commonground.errors import NotFoundError, ValidationError
from commonground.extensions import db
from commonground.transaction import unit_of_work
from geo import places
from geo.services import nearest_neighbourhood
from media.images import CleanPhoto
from media.services import PhotoRejectedError, Upload, clean_upload, store_photo, stored_files
from needs import notices
from needs.models import Need
from needs.services import record_event

MAX_PHOTOS = 3
RESIDENT = Actor(user_id=None, role=Role.VIEWER, label="A resident (web form)")
"""Who acts when someone reports through the public form: no account."""


@dataclass
class RefusedPhoto:
    """A photo not kept, and why, in words for the resident."""

    position: int  # 1-based, as the resident chose them
    filename: str
    reason: str

    @property
    def message(self) -> str:
        name = f" ({self.filename})" if self.filename else ""
        return f"Photo {self.position}{name} was not added: {self.reason}."


@dataclass
class SubmittedReport:
    """The report made, and the photos refused."""

    need: Need
    refused: list[RefusedPhoto] = field(default_factory=list)


def public_capabilities() -> list[Capability]:
    """The kinds of problem residents may report, by label."""
    return list(
        db.session.scalars(
            select(Capability)
            .where(Capability.is_active.is_(True), Capability.is_public.is_(True))
            .order_by(Capability.label)
        )
    )


def _public_capability(code: str) -> Capability:
    capability = db.session.get(Capability, code)
    if capability is None or not capability.is_active or not capability.is_public:
        raise ValidationError(
            "Choose what kind of problem it is.", {"capability": ["Choose one from the list."]}
        )
    return capability


def locate(
    address: str | None, latitude: float | None, longitude: float | None
) -> tuple[float, float]:
    """The report's point: the pin when given, else the address through the city's geocoder
    (`geo.places.locate`, as every form); refused outside the city's bounds. A resident's pin
    is not checked against the address: nobody would read the warning."""
    place = places.locate(address, latitude, longitude, within_city=True, check_pin=False)
    assert place is not None  # a place is required
    return place.latitude, place.longitude


def _title(capability: Capability, address: str | None, neighbourhood: str | None) -> str:
    where = address or neighbourhood
    return f"{capability.label} at {where}"[:200] if where else capability.label


def _cleaned(uploads: list[Upload]) -> tuple[list[CleanPhoto], list[RefusedPhoto]]:
    kept, refused = [], []
    for position, upload in enumerate(uploads, start=1):
        name = upload.filename[:80]
        if position > MAX_PHOTOS:
            refused.append(RefusedPhoto(position, name, f"at most {MAX_PHOTOS} photos are taken"))
            continue
        try:
            kept.append(clean_upload(upload))
        except PhotoRejectedError as exc:
            refused.append(RefusedPhoto(position, name, str(exc)))
    return kept, refused


def submit_report(
    actor: Actor,
    data: dict[str, Any],
    uploads: list[Upload] | None = None,
    *,
    source: str = "resident",
    now: datetime | None = None,
) -> SubmittedReport:
    """Make a report awaiting triage, with its photos; refused photos are returned, not fatal."""
    actor.require("report.submit")
    now = now or utcnow()
    capability = _public_capability(data["capability"])
    latitude, longitude = locate(data.get("address"), data.get("latitude"), data.get("longitude"))
    photos, refused = _cleaned(uploads or [])
    email = data.get("reporter_email") if data.get("notify") else None
    neighbourhood = nearest_neighbourhood(latitude, longitude)
    need = Need(
        capability_code=capability.code,
        title=_title(capability, data.get("address"), neighbourhood),
        description=data["description"],
        address=data.get("address"),
        latitude=latitude,
        longitude=longitude,
        neighbourhood=neighbourhood,
        media_url=data.get("media_url"),
        effort_hours=capability.default_effort_hours,
        source=source,
        status="reported",
        reporter_name=data.get("reporter_name") or None,
        reporter_email=email.strip().lower() if email else None,
        reporter_notices=bool(email),
        opened_at=now,
        created_at=now,
        updated_at=now,
    )
    with stored_files() as stored, unit_of_work():
        db.session.add(need)
        db.session.flush()
        for photo in photos:
            stored.append(store_photo(need.id, photo, role="report"))
        record_event(need.id, actor, "report", None, "reported", now=now)
        notices.report_changed(need, "receive", now=now)
    return SubmittedReport(need, refused)


def get_report(report_id: int) -> Need:
    """A report anyone may look at: a need of a public kind (or NotFoundError)."""
    need = db.session.get(Need, report_id)
    capability = db.session.get(Capability, need.capability_code) if need else None
    if need is None or capability is None or not capability.is_public:
        raise NotFoundError(f"No report #{report_id}.")
    return need
