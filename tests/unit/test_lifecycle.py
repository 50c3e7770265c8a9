"""The need lifecycle table, tested on its own (no app, no database)."""

from __future__ import annotations

import pytest

from commonground.errors import ConflictError
from needs.lifecycle import STATUS_WORDS, STATUSES, TRANSITIONS, allowed_actions, transition

EXPECTED = {
    ("reported", "accept"): "open",
    ("reported", "merge"): "duplicate",
    ("reported", "dismiss"): "not_actionable",
    ("open", "claim"): "claimed",
    ("claimed", "start"): "in_progress",
    ("in_progress", "complete"): "completed",
    ("completed", "verify"): "verified",
    ("claimed", "release"): "open",
    ("in_progress", "release"): "open",
    ("completed", "reopen"): "open",
    ("open", "cancel"): "cancelled",
    ("open", "mark_duplicate"): "duplicate",
    ("open", "mark_not_actionable"): "not_actionable",
    ("open", "close_at_source"): "closed",
    ("claimed", "close_at_source"): "closed",
    ("in_progress", "close_at_source"): "closed",
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_status_and_action_pair_is_allowed_exactly_as_specified(status, action):
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(ConflictError) as refused:
            transition(status, action)
        assert refused.value.errors["allowed"] == allowed_actions(status)
        assert STATUS_WORDS[status].lower() in refused.value.message  # words, not codes
        assert "_" not in refused.value.message
    else:
        assert transition(status, action).target == expected


def test_an_illegal_transition_names_the_allowed_ones():
    with pytest.raises(ConflictError) as refused:
        transition("completed", "claim")
    assert "reopen" in refused.value.message and "verify" in refused.value.message


def test_terminal_states_allow_nothing():
    for status in ("verified", "cancelled", "duplicate", "not_actionable", "closed"):
        assert allowed_actions(status) == []


def test_releases_reopens_and_closures_require_a_reason_and_others_do_not():
    needs_reason = {name for name, t in TRANSITIONS.items() if t.needs_reason}
    assert needs_reason == {
        "release",
        "reopen",
        "cancel",
        "mark_duplicate",
        "mark_not_actionable",
        "close_at_source",
        "dismiss",
    }


def test_unknown_action_is_refused_with_the_allowed_list():
    with pytest.raises(ConflictError) as refused:
        transition("open", "teleport")
    assert refused.value.errors["allowed"] == allowed_actions("open")
