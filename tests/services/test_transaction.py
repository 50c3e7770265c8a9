"""The unit of work, on the real database: a use case's writes commit together or not at all,
broken constraints and lost races become conflicts, and nested use cases share one unit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from accounts import onboarding
from accounts.actor import SYSTEM
from capabilities.models import Capability
from commonground.errors import ConflictError
from commonground.extensions import db
from commonground.transaction import BUSY, in_unit_of_work, lost_a_race, unit_of_work
from needs.models import Claim, Need
from needs.services import claim_need, need_history
from partners.models import Partner
from tests.factories import PASSWORD


def _capability(code: str, label: str = "A kind of work") -> Capability:
    return Capability(code=code, label=label, description="", default_effort_hours=1.0)


def _stored(code: str) -> bool:
    db.session.rollback()  # read what the database holds, not what the session still has
    return db.session.scalar(select(Capability.code).where(Capability.code == code)) is not None


def test_what_the_block_writes_is_committed_when_it_ends(app_context):
    with unit_of_work():
        db.session.add(_capability("tree_planting"))
    assert _stored("tree_planting")


def test_an_exception_rolls_everything_back_and_goes_on(app_context):
    with pytest.raises(RuntimeError, match="boom"), unit_of_work():
        db.session.add(_capability("tree_planting"))
        db.session.flush()
        raise RuntimeError("boom")
    assert not _stored("tree_planting")


def test_a_broken_constraint_is_a_conflict_with_the_callers_message(app_context):
    with (
        pytest.raises(ConflictError, match="That code is taken"),
        unit_of_work(conflict="That code is taken."),
    ):
        db.session.add(_capability("litter_cleanup"))  # the starting taxonomy has it
    # the session is usable again at once
    with unit_of_work():
        db.session.add(_capability("tree_planting"))
    assert _stored("tree_planting")


def test_a_nested_unit_commits_nothing_on_its_own(app_context):
    with pytest.raises(RuntimeError), unit_of_work():
        with unit_of_work():
            db.session.add(_capability("tree_planting"))
        assert in_unit_of_work()
        raise RuntimeError("the outer use case fails after the inner one succeeded")
    assert not in_unit_of_work()
    assert not _stored("tree_planting")


def test_a_constraint_an_inner_unit_breaks_carries_the_inner_message(app_context):
    with pytest.raises(ConflictError, match="inner"), unit_of_work(conflict="outer"):
        db.session.add(_capability("tree_planting"))
        with unit_of_work(conflict="inner"):
            db.session.add(_capability("litter_cleanup"))
    assert not _stored("tree_planting")


class _SerializationFailure(Exception):
    sqlstate = "40001"


def test_a_lost_race_is_a_conflict_the_caller_may_retry(app_context):
    lost = OperationalError("UPDATE need ...", {}, _SerializationFailure("could not serialize"))
    assert lost_a_race(lost)
    assert lost_a_race(OperationalError("UPDATE", {}, Exception("database is locked")))
    assert not lost_a_race(OperationalError("SELECT", {}, Exception("no such table: need")))
    with pytest.raises(ConflictError, match=re.escape(BUSY)), unit_of_work():
        db.session.add(_capability("tree_planting"))
        db.session.flush()
        raise lost
    assert not _stored("tree_planting")


def test_a_postgresql_serialization_failure_is_a_conflict(app_context):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("serializable snapshots are PostgreSQL's")
    relabel = update(Capability).where(Capability.code == "litter_cleanup")
    with pytest.raises(ConflictError, match=re.escape(BUSY)), unit_of_work():
        db.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        db.session.scalar(select(Capability.label).where(Capability.code == "litter_cleanup"))
        with db.engine.begin() as other:  # another writer commits after our snapshot
            other.execute(relabel.values(label="Litter pick-up"))
        db.session.execute(relabel.values(label="Litter cleanup (city)"))
    assert db.session.get(Capability, "litter_cleanup").label == "Litter pick-up"


def test_a_lifecycle_step_that_lost_the_race_says_what_won_and_writes_nothing(make):
    member = make.user("partner", partner=make.partner())
    need_id = make.need().id
    db.session.rollback()
    with db.engine.begin() as other:  # another partner's claim lands first
        other.execute(update(Need).where(Need.id == need_id).values(status="claimed"))
    stale = db.session.get(Need, need_id)
    set_committed_value(stale, "status", "open")  # what this request read before it landed
    with pytest.raises(ConflictError, match=r"now claimed\); 'claim' no longer applies") as err:
        claim_need(member.actor, need_id)
    assert err.value.errors == {"status": "claimed"}
    assert db.session.scalar(select(func.count(Claim.id))) == 0
    assert [e.action for e in need_history(SYSTEM, need_id)] == ["post"]


def test_an_organisation_is_never_stored_without_its_first_member(app_context, monkeypatch):
    def email_taken_meanwhile(**_member):
        raise ConflictError("A user with that email already exists.")

    monkeypatch.setattr(onboarding, "_insert_user", email_taken_meanwhile)
    organisation = {"name": "Half Registered", "sector": "nonprofit", "base_latitude": 30.45}
    member = {"name": "Ann", "email": "ann@half.example", "password": PASSWORD}
    with pytest.raises(ConflictError):
        onboarding.register_organisation(
            {**organisation, "base_longitude": -91.18, "service_radius_km": 3.0}, member
        )
    db.session.rollback()
    assert db.session.scalar(select(Partner.id).where(Partner.name == "Half Registered")) is None
