"""Claims over time, without HTTP: weekly capacity, stale claims and their release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.actor import SYSTEM
from commonground.errors import ConflictError, PermissionDeniedError
from needs import services

# A Wednesday afternoon in the city (America/Chicago, UTC-6 in November).
WEDNESDAY = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)


@pytest.fixture
def member(make):
    partner = make.partner(capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}])
    return make.user("partner", partner=partner)


def test_weekly_capacity_resets_on_monday_in_the_city_time_zone(make, member):
    first, second = make.need(now=WEDNESDAY), make.need(now=WEDNESDAY)
    services.claim_need(member.actor, first.id, now=WEDNESDAY)
    with pytest.raises(ConflictError):
        services.claim_need(member.actor, second.id, now=WEDNESDAY)
    # Sunday 23:30 local is still the same week...
    sunday_night = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
    with pytest.raises(ConflictError):
        services.claim_need(member.actor, second.id, now=sunday_night)
    # ...Monday 00:30 local (06:30 UTC) is a new one.
    monday = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    assert services.claim_need(member.actor, second.id, now=monday).status == "active"


def test_claims_not_started_in_seven_days_are_released_with_an_event(make, member):
    need = make.need(now=WEDNESDAY)
    services.claim_need(member.actor, need.id, now=WEDNESDAY)
    assert services.release_stale_claims(SYSTEM, now=WEDNESDAY + timedelta(days=6)) == []
    released = services.release_stale_claims(SYSTEM, now=WEDNESDAY + timedelta(days=7, hours=1))
    assert released == [need.id]
    assert services.get_need(SYSTEM, need.id).status == "open"
    last = services.need_history(SYSTEM, need.id)[-1]
    assert last.action == "release" and "not started within 7 days" in last.note


def test_started_claims_go_stale_only_after_thirty_days(make, member):
    need = make.need(now=WEDNESDAY)
    services.claim_need(member.actor, need.id, now=WEDNESDAY)
    services.start_need(member.actor, need.id, now=WEDNESDAY + timedelta(days=1))
    assert services.release_stale_claims(SYSTEM, now=WEDNESDAY + timedelta(days=29)) == []
    assert services.release_stale_claims(SYSTEM, now=WEDNESDAY + timedelta(days=31)) == [need.id]


def test_a_capability_can_set_its_own_staleness(make):
    partner = make.partner(capabilities=[{"capability": "board_up", "tasks_per_week": 3}])
    member = make.user("partner", partner=partner)
    need = make.need(capability="board_up", now=WEDNESDAY)  # board-up: 3 days to start
    services.claim_need(member.actor, need.id, now=WEDNESDAY)
    assert services.release_stale_claims(SYSTEM, now=WEDNESDAY + timedelta(days=4)) == [need.id]


def test_only_coordinators_and_admins_release_stale_claims(make):
    with pytest.raises(PermissionDeniedError):
        services.release_stale_claims(make.user("outreach").actor, now=WEDNESDAY)


def test_the_completion_report_is_kept_on_the_claim(make, member):
    need = make.need(now=WEDNESDAY)
    claim = services.claim_need(member.actor, need.id, now=WEDNESDAY)
    services.start_need(member.actor, need.id, now=WEDNESDAY)
    services.complete_need(
        member.actor,
        need.id,
        {"volunteers": 4, "hours": 9.5, "units": 12, "unit_kind": "bags", "notes": "ok"},
        now=WEDNESDAY + timedelta(hours=3),
    )
    assert (claim.volunteers, claim.hours, claim.units, claim.unit_kind) == (4, 9.5, 12, "bags")
    assert claim.status == "done" and claim.completed_at == WEDNESDAY + timedelta(hours=3)
