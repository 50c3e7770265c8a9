"""The matching engine for those who are not registered partners yet, and for places.

A prospective organisation typed in by outreach (or a neighbourhood's residents, for a community
meeting) becomes a `PartnerSpec` through `specs.prospect_spec`; these use cases then ask the same
engine functions the registered partners get: which open needs it could take on this week, and
whom it could team up with. `need_ids_in_area` tells which needs lie in a service area, by the
engine's own rules (disc, listed neighbourhoods, polygon). `place_prospect` gives a prospect
its point from the address outreach typed (`geo.places.locate`), so neither coordinates nor a
neighbourhood centre is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import matching
from accounts.actor import Actor
from capabilities.services import capability_labels
from commonground.db_types import utcnow
from commonground.errors import ValidationError
from geo import places
from needs.queries import need_summaries
from partners.queries import partner_names
from planning import specs
from planning.open_needs import OpenNeeds
from planning.services import open_needs, partner_reach


def place_prospect(data: dict[str, Any]) -> dict[str, Any]:
    """The prospect's fields with its point: the coordinates given, else its address looked up
    now; an address not found falls back to the neighbourhood chosen (its centre), and is
    refused on the address field when none was chosen."""
    if data.get("latitude") is not None and data.get("longitude") is not None:
        return data
    address = (data.get("address") or "").strip()
    if not address:
        if not data.get("neighbourhood"):
            raise ValidationError(
                "Say where the organisation is.",
                {
                    "address": ["Give its address, or choose a neighbourhood."],
                    "neighbourhood": ["Choose a neighbourhood, or give its address."],
                },
            )
        return data
    try:
        place = places.locate(address, None, None)
    except places.AddressNotFoundError as error:
        if data.get("neighbourhood"):
            return data  # the neighbourhood's centre stands in
        raise ValidationError(
            error.message,
            {"address": ["Not found: check the address, or choose a neighbourhood."]},
        ) from None
    assert place is not None
    return {**data, "latitude": place.latitude, "longitude": place.longitude}


def need_ids_in_area(area: matching.PartnerSpec, needs: Sequence[matching.NeedSpec]) -> set[int]:
    """Ids of the needs (any capability) inside the area of `area`."""
    index = matching.CandidateIndex(needs, ())
    found: set[int] = set()
    for capability in sorted({n.capability for n in needs}):
        positions, _, _ = index.needs_for_partner(area, capability)
        found.update(int(i) for i in index.need_ids[positions])
    return found


def suggest_needs_for_prospect(
    actor: Actor,
    prospect: matching.PartnerSpec,
    *,
    now: datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """What a prospective organisation could do near it this week, best first, with reasons.

    Without `limit`, as many per capability as it says it could take on each week.
    """
    actor.require("plan.read")
    now = now or utcnow()
    ranked = specs.rank_open_needs(prospect, now, limit)
    titles = need_summaries(s.need_id for s in ranked)
    return [
        {
            "need_id": s.need_id,
            "need_title": titles.get(s.need_id, {}).get("title"),
            "capability": titles.get(s.need_id, {}).get("capability"),
            "neighbourhood": titles.get(s.need_id, {}).get("neighbourhood"),
            "partner_id": None,
            "partner_name": prospect.name,
            "score": s.score,
            "distance_km": round(s.distance_km, 2),
            "reasons": list(s.reasons),
        }
        for s in ranked
    ]


def open_needs_in_area(kept: OpenNeeds, subject: matching.PartnerSpec) -> list[matching.NeedSpec]:
    """The kept open needs (`planning.services.open_needs`) of every kind of work inside the
    subject's area, kind by kind, each kind by id.

    The kinds are those of the kept index and of the needs changed since it was built, not
    gathered from each of the ~77k kept needs (27 ms at L, twice a briefing: issue 14): every
    kept need is one of the two, and a kind left with no open need finds none."""
    kinds = set(kept.index.need_capabilities)
    kinds.update(kept.specs[i].capability for i in kept.changed if i in kept.specs)
    return [n for kind in sorted(kinds) for n in kept.in_areas([subject], kind)]


def partnerships_with(
    actor: Actor,
    subject: matching.PartnerSpec,
    *,
    now: datetime | None = None,
    limit: int = 5,
    needs: Sequence[matching.NeedSpec] | None = None,
) -> list[dict[str, Any]]:
    """Active partners `subject` (a registered partner's spec or a prospect's) could team up
    with: pairs that together cover needs neither covers alone, cross-sector first.

    `needs`: the kept open needs in its area (`open_needs_in_area`) when the caller has them
    already (a briefing takes them for its picture too)."""
    actor.require("plan.read")
    now = now or utcnow()
    # The subject's own best pairs, from the needs in its own area (every need a pair shares
    # lies there) and the partners reaching them: not the city's pairs cut to a length. The
    # needs are the process's kept open needs (`open_needs`, refreshed to the city's version),
    # not read again from SQL for each briefing (36k rows for a wide-area partner at L); the
    # partners are the kept ones (`partner_reach`), not every partner and claim read again,
    # and only those that may reach its needs (`specs.may_reach`).
    if needs is None:
        needs = open_needs_in_area(open_needs(), subject)
    pairs = matching.partnerships_of(
        subject,
        specs.may_reach(partner_reach(now).partners, needs),
        needs,
        limit=limit,
        labels=capability_labels(),
    )
    names = partner_names(pid for p in pairs for pid in p.partner_ids if pid != subject.id)
    names[subject.id] = subject.name
    out = []
    for pair in pairs:
        mine = pair.partner_ids.index(subject.id)
        other = 1 - mine
        out.append(
            {
                "partner": {
                    "id": pair.partner_ids[other],
                    "name": names.get(pair.partner_ids[other]),
                },
                "they_bring": list(pair.brings[other]),
                "you_bring": list(pair.brings[mine]),
                "cross_sector": pair.cross_sector,
                "needs_covered": pair.needs_covered,
                "neighbourhoods": list(pair.neighbourhoods),
                "reasons": list(pair.reasons),
            }
        )
    return out
