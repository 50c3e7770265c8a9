"""The demo city loads through the services, deterministically and only once."""

from __future__ import annotations

from datetime import UTC, date

from sqlalchemy import func, select

from commonground.db_types import utcnow
from commonground.extensions import db
from needs.lifecycle import STATUSES
from needs.models import Need, NeedEvent
from partners.models import Partner
from seeds.demo import load_demo_city

TODAY = date(2026, 11, 21)


def _fingerprint() -> list[tuple]:
    return list(
        db.session.execute(
            select(
                Need.external_id,
                Need.capability_code,
                Need.status,
                Need.latitude,
                Need.longitude,
                Need.priority,
            ).order_by(Need.external_id)
        )
    )


def test_the_demo_city_has_every_sector_capability_and_state(app_context):
    result = load_demo_city(today=TODAY)
    assert result.loaded and result.partners == 40 and result.needs == 600
    sectors = set(db.session.scalars(select(Partner.sector)))
    assert sectors == {
        "nonprofit",
        "faith_based",
        "business",
        "neighbourhood_association",
        "school_university",
        "civic_group",
    }
    statuses = set(db.session.scalars(select(Need.status)))
    assert set(STATUSES) - {"closed"} <= statuses  # every status but closed-at-source
    waiting = db.session.scalars(select(Need.source).where(Need.status == "reported"))
    assert set(waiting) == {"resident"}  # residents' reports in the coordinators' queue
    assert len(set(db.session.scalars(select(Need.capability_code)))) == 10
    assert {role for _, role, _ in result.users} == {
        "admin",
        "coordinator",
        "outreach",
        "partner",
        "viewer",
    }
    # Every need's history starts with its posting.
    posts = db.session.scalar(select(func.count()).where(NeedEvent.action == "post"))
    assert posts == 600


def test_seeding_twice_changes_nothing_and_reset_gives_the_same_city(app_context):
    load_demo_city(today=TODAY)
    before = _fingerprint()
    assert load_demo_city(today=TODAY).loaded is False
    assert _fingerprint() == before
    assert load_demo_city(reset=True, today=TODAY).loaded is True
    assert _fingerprint() == before


def test_the_demo_city_loaded_today_writes_no_event_after_the_clock(app_context):
    load_demo_city(today=utcnow().date())
    latest = db.session.scalar(select(func.max(NeedEvent.at)))
    assert latest is not None and _aware(latest) <= utcnow()


def _aware(moment):
    """A stored time as aware UTC (SQLite hands back naive times)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
