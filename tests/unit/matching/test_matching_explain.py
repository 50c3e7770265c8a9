"""Reasons as data, rendered for each reader: a partner reads about a task ("1.3 mi from your
base"), a coordinator about a partner ("their base is 1.3 mi away"); units are km or mi; only
real reasons are positive (ticked); the default text is the one stored plans carry."""

from __future__ import annotations

import pytest
from city_builders import NOW, make_need, make_partner, random_city

from matching import DEFAULT_WEIGHTS, CandidateIndex
from matching.explain import (
    KM_PER_MILE,
    format_distance,
    not_chosen_reason,
    reason_items,
    reasons,
    render,
    render_all,
    tie_break_reason,
)
from matching.model import NEGATIVE, NEUTRAL, POSITIVE
from matching.scoring import age_and_overdue_days

LABELS = {"lot_mowing": "lot mowing"}


def legacy_reasons(need, partner, distance_km, now, *, labels=None, via=0, kept=False):
    """The reason texts as they were before reasons became data (what stored plans hold)."""
    out = [f"{distance_km:.1f} km from your base"]
    if via == 1:
        out.append(f"in your neighbourhood list ({need.neighbourhood})")
    elif via == 2:
        out.append("inside your service area")
    out.append(f"does {(labels or {}).get(need.capability, need.capability)}")
    slot = partner.capabilities.get(need.capability)
    if slot is not None:
        out.append(f"{slot.tasks_left} of {slot.tasks_per_week} weekly slots left")
    age, overdue = age_and_overdue_days(need, now)
    out.append(f"open {int(age)} day" + ("" if int(age) == 1 else "s"))
    if overdue >= 1.0:
        out.append(f"overdue {int(overdue)} day" + ("" if int(overdue) == 1 else "s"))
    p = need.priority
    out.append("most urgent (priority 1)" if p == 1 else f"priority {p} (1 is most urgent)")
    total = partner.track_record.completed + partner.track_record.released
    if total:
        out.append(f"completed {partner.track_record.completed} of {total} past tasks")
    else:
        out.append("no track record yet")
    if kept:
        out.append("kept from the previous plan")
    return tuple(out)


def test_the_default_text_is_unchanged_for_stored_plans_and_existing_callers():
    needs, partners = random_city(9, 60, 20)
    index = CandidateIndex(needs, partners)
    pairs = index.best_pairs(NOW, DEFAULT_WEIGHTS, k=None, require_capacity=False)
    assert len(pairs) > 100
    vias = set()
    for n, p, d, v in zip(
        pairs.need_pos.tolist(),
        pairs.partner_pos.tolist(),
        pairs.distance_km,
        pairs.via.tolist(),
        strict=True,
    ):
        need, partner = index.needs[n], index.partners[p]
        kept = (n + p) % 3 == 0
        got = reasons(need, partner, float(d), NOW, labels=LABELS, via=v, kept=kept)
        assert got == legacy_reasons(need, partner, float(d), NOW, labels=LABELS, via=v, kept=kept)
        vias.add(v)
    assert vias == {0, 1, 2}


def _pair(distance_km=2.0921472, **partner):
    need = make_need(1, priority=4, age_days=41.5, due_in_days=-3.2)
    defaults = {"capabilities": {"lot_mowing": (5, 3)}, "completed": 12, "released": 2}
    found = make_partner(1, **{**defaults, **partner})
    return reason_items(need, found, distance_km, NOW, labels=LABELS)


def test_each_reader_gets_their_own_words_in_the_citys_units():
    items = _pair()  # 2.0921472 km = 1.3 mi
    assert render_all(items, audience="partner", units="mi")[:3] == (
        "1.3 mi from your base",
        "does lot mowing",
        "3 of 5 weekly slots left",
    )
    assert render_all(items, audience="coordinator", units="mi")[:3] == (
        "their base is 1.3 mi away",
        "does lot mowing",
        "3 of 5 weekly slots left this week",
    )
    assert render(items[0], audience="coordinator", units="km") == "their base is 2.1 km away"
    assert render(items[0]) == "2.1 km from your base"


def test_the_area_reason_names_whose_list_it_is():
    partner = make_partner(1, radius_km=1, neighbourhoods=frozenset({"Mid City"}))
    need = make_need(1, 6, 0, neighbourhood="Mid City")
    (area,) = [r for r in reason_items(need, partner, 6.0, NOW, via=1) if r.kind == "area"]
    assert render(area) == "in your neighbourhood list (Mid City)"
    assert render(area, audience="coordinator") == "in their neighbourhood list (Mid City)"
    (poly,) = [r for r in reason_items(need, partner, 6.0, NOW, via=2) if r.kind == "area"]
    assert render(poly, audience="coordinator") == "inside their service area"


def tones(items):
    return {r.kind: r.tone for r in items}


def test_only_real_reasons_are_positive():
    good = tones(_pair(distance_km=1.0))
    assert good["distance"] == good["capability"] == good["slots"] == POSITIVE
    assert good["open"] == good["overdue"] == good["track_record"] == POSITIVE
    assert good["priority"] == NEUTRAL  # the score and the forms disagree on its direction
    far = tones(
        _pair(distance_km=4.0, completed=2, released=10, capabilities={"lot_mowing": (5, 0)})
    )
    assert far["distance"] == NEUTRAL
    assert far["track_record"] == NEGATIVE and far["slots"] == NEGATIVE
    newcomer = reason_items(make_need(1, age_days=2), make_partner(1), 0.5, NOW)
    assert tones(newcomer)["no_track_record"] == NEUTRAL
    assert tones(newcomer)["open"] == NEUTRAL
    assert "overdue" not in tones(newcomer)


def test_the_tick_follows_the_newcomers_prior_rate():
    at_prior = tones(_pair(completed=7, released=3))
    above = tones(_pair(completed=8, released=2))
    below = tones(_pair(completed=6, released=4))
    assert (below["track_record"], at_prior["track_record"], above["track_record"]) == (
        NEGATIVE,
        NEUTRAL,
        POSITIVE,
    )


def test_distances_convert_to_miles():
    assert format_distance(KM_PER_MILE) == "1.6 km"
    assert format_distance(KM_PER_MILE, "mi") == "1.0 mi"
    assert format_distance(10 * KM_PER_MILE, "mi") == "10.0 mi"


@pytest.mark.parametrize(("audience", "units"), [("partner", "miles"), ("viewer", "km")])
def test_unknown_units_or_audiences_are_refused(audience, units):
    (first, *_) = _pair()
    with pytest.raises(ValueError, match="must be one of"):
        render(first, audience=audience, units=units)


def test_tie_breaks_say_which_criterion_decided_and_never_hide_the_id():
    assert render(tie_break_reason("tasks_left", 5, 1), audience="coordinator") == (
        "same score as the next; more free slots this week (5 vs 1)"
    )
    assert "fewer other open needs compete for them (0 vs 4)" in render(
        tie_break_reason("competing_needs", 0, 4)
    )
    assert "listed by partner number" in render(tie_break_reason("partner_id", 3, 7))
    assert "listed by need number" in render(tie_break_reason("need_id", 3, 7))
    assert render(tie_break_reason("distance", 0.5, KM_PER_MILE), units="mi") == (
        "same score as the next; nearer (0.3 mi vs 1.0 mi)"
    )


def test_why_a_higher_ranked_partner_was_not_chosen():
    full = not_chosen_reason(tasks_left=3, planned=3)
    assert full.tone == NEGATIVE
    assert render(full, audience="coordinator") == (
        "not chosen by the latest plan: their 3 free slots this week are all taken by other "
        "planned tasks (3 planned)"
    )
    assert "only free slot this week is taken by another planned task" in render(
        not_chosen_reason(tasks_left=1, planned=1), audience="coordinator"
    )
    spare = render(not_chosen_reason(tasks_left=3, planned=1), audience="coordinator")
    assert spare.startswith(
        "not chosen by the latest plan, though 2 of their 3 free slots this week are unplanned"
    )


def test_every_tie_break_criterion_has_words():
    from matching.explain import TIE_WORDS
    from matching.ranking import NEED_TIE_BREAKS, PARTNER_TIE_BREAKS

    assert set(TIE_WORDS) == set(PARTNER_TIE_BREAKS) | set(NEED_TIE_BREAKS)
    for by in TIE_WORDS:
        text = render(tie_break_reason(by, 2, 1), audience="coordinator", units="mi")
        assert text.startswith("same score as the next; ") and len(text) > 30
