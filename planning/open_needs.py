"""The city's open needs as engine input, kept per process and refreshed from the rows changed
since the last read.

"Who can act here" counts, for the partners tied on score and slots, the other open needs of
the capability in each one's area; on clustered data those partners reach ~20k needs, and
reading them (SQL rows, then `NeedSpec`s) was about 60 % of the request at 100k needs x 5k
partners (issue 14). Tasks near a partner with a wide area read thousands as well. Here the
open needs are read once per process; afterwards, when the need part of
`planning.queries.city_version` moved, only the rows stamped since the last read (`updated_at`,
less `LOOKBACK` for writes that committed after a later one was read) or added since (id above
the last seen) are read again. When the need count does not add up (a need deleted, or one
inserted with an id below the last seen), everything is read again.

The place index (`matching.CandidateIndex` over the kept needs) is rebuilt only after
`REBUILD_AFTER` changes; until then the needs changed since it was built are looked at one by
one on top of it, so an answer never misses a change (`in_areas`).

Reads through `planning.specs`; must not import Flask views or other planning services.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import or_, select

import matching
from commonground.extensions import db
from matching import NeedSpec, PartnerSpec
from needs.models import Need
from planning import specs

LOOKBACK = timedelta(minutes=10)
"""How far before the newest stamp already read a refresh reads again: a write stamped earlier
that committed later (a long transaction) is still seen if it committed within this time."""
REBUILD_AFTER = 500
"""Needs changed since the place index was built before it is built again (~0.2 s at 77k)."""
FREEZE_FROM = 20_000
"""Kept open needs from which a new index is kept out of the garbage collector's walks."""


@dataclass
class OpenNeeds:
    """The open needs with a known place at one need version, and an index over most of them."""

    key: Hashable
    version: tuple[Any, ...]
    """The need part of `city_version`: (count, largest id, newest `updated_at`)."""
    specs: dict[int, NeedSpec]
    index: matching.CandidateIndex
    changed: set[int] = field(default_factory=set)
    """Ids changed (opened, edited, closed) since `index` was built."""

    _recent: matching.CandidateIndex | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """The changed needs still open, indexed (built on first use; see `recent_index`)."""

    def current_index(self) -> matching.CandidateIndex | None:
        """The place index when no need changed since it was built (else None)."""
        return None if self.changed else self.index

    def recent_index(self) -> matching.CandidateIndex:
        """The needs changed since `index` was built that are open now, in their own small
        index, built once for this version of the kept needs."""
        if self._recent is None:
            self._recent = matching.CandidateIndex(
                (self.specs[i] for i in self.changed if i in self.specs), ()
            )
        return self._recent

    def competing_for(self, need: NeedSpec) -> matching.CompetingCount:
        """For the partners of `need`: how many other kept open needs of its capability lie in
        a partner's area, as `matching.rank_partners_for_need` breaks ties with it.

        Counted without reading or indexing the needs per request: each area's count over
        `index` is kept with the index (`CandidateIndex.area_need_counts`), and the needs
        changed since it was built (and `need` itself) are taken out by their indexed place and
        put back by their current one (`recent_index`); `index` outlives many changes, so the
        counts do too."""
        capability = need.capability
        stale = (self.index.need_position(i) for i in (*self.changed, need.id))
        stale_pos = np.asarray(
            sorted(
                {p for p in stale if p is not None and self.index.needs[p].capability == capability}
            ),
            dtype=np.int64,
        )
        recent = self.recent_index()

        def count(partners: Sequence[PartnerSpec]) -> np.ndarray:
            total = self.index.area_need_counts(partners, capability)
            if not stale_pos.size and not recent.needs:
                return total
            moved: dict[Hashable, int] = {}  # tied partners often share one area
            for k, partner in enumerate(partners):
                area = matching.area_of(partner)
                if area not in moved:
                    found, _, _ = recent.needs_for_partner(partner, capability)
                    moved[area] = int(np.count_nonzero(recent.need_ids[found] != need.id)) - int(
                        self.index.in_area(partner, capability, stale_pos).sum()
                    )
                total[k] += moved[area]
            return total

        return count

    def in_areas(self, partners: Sequence[PartnerSpec], capability: str) -> list[NeedSpec]:
        """The open needs of `capability` inside one of the partners' service areas (exactly:
        the engine decides), by id."""
        found: set[int] = set()
        recent = self.recent_index()
        for partner in partners:
            positions, _, _ = self.index.needs_for_partner(partner, capability)
            found.update(self.index.need_ids[positions].tolist())
        # the index answers for a changed need from its old place, capability and status:
        # the needs changed since it was built are looked at apart
        found.difference_update(self.changed)
        if recent.needs:
            for partner in partners:
                positions, _, _ = recent.needs_for_partner(partner, capability)
                found.update(recent.need_ids[positions].tolist())
        return [self.specs[i] for i in sorted(found)]

    def in_area(self, partner: PartnerSpec) -> list[NeedSpec]:
        """The open needs, of any capability the partner lists, inside its service area."""
        found: dict[int, NeedSpec] = {}
        for capability in sorted(partner.capabilities):
            found.update((n.id, n) for n in self.in_areas([partner], capability))
        return [found[i] for i in sorted(found)]


class OpenNeedsCache:
    """One `OpenNeeds` per process, refreshed on demand; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OpenNeeds | None = None

    def clear(self) -> None:
        """Forget the kept needs (a test emptied the database under them)."""
        with self._lock:
            self._kept = None

    def current(self, key: Hashable, version: tuple[Any, ...]) -> OpenNeeds:
        """The open needs at `version` (the need part of `city_version`, read by the caller),
        read whole the first time and for a new `key`, else refreshed from what changed."""
        with self._lock:
            before = kept = self._kept
            if kept is None or kept.key != key:
                kept = _read_all(key, version)
            elif kept.version != version:
                kept = _refresh(kept, version)
            self._kept = kept
            new_index = before is None or kept.index is not before.index
            if new_index and len(kept.specs) >= FREEZE_FROM:
                _out_of_collections()
            return kept


def _out_of_collections() -> None:
    """Collect, then move every object alive to the collector's permanent generation
    (`gc.freeze`), so its full collections no longer walk the kept needs: at 100k needs they
    walked ~0.5M objects, ~0.3 s, every few briefings of a wide area (issue 14 item 7; field
    notes, trap 40). Done once per new kept index of at least FREEZE_FROM needs (read whole,
    or rebuilt after REBUILD_AFTER changes).

    Process-wide, and safe: a frozen object is still freed when its last reference goes (the
    kept needs are frozen dataclasses of plain values: they hold no cycles); only cyclic
    garbage among the frozen would wait, and each freeze first unfreezes and collects
    everything, so such garbage lives at most until the next kept index. Small cities (the
    tests) never reach FREEZE_FROM."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _spec_rows(condition=None) -> Iterable[tuple[Any, NeedSpec | None]]:
    """(row, spec or None when the need is not an open one with a place) of the needs."""
    query = select(*specs.NEED_COLUMNS, Need.status, Need.location_status, Need.updated_at)
    conditions = specs.OPEN_WITH_PLACE if condition is None else (condition,)
    query = query.where(*conditions)
    for row, spec in specs.need_specs_of(db.session.execute(query.order_by(Need.id))):
        is_open = row.status == "open" and row.location_status == "ok"
        yield row, (spec if is_open and spec is not None else None)


def _read_all(key: Hashable, version: tuple[Any, ...]) -> OpenNeeds:
    kept = {spec.id: spec for _, spec in _spec_rows() if spec is not None}
    return OpenNeeds(key, version, kept, matching.CandidateIndex(kept.values(), ()))


def _refresh(kept: OpenNeeds, version: tuple[Any, ...]) -> OpenNeeds:
    """The kept needs with the rows changed since `kept.version` read again."""
    count, largest, newest = kept.version
    since: datetime | None = newest - LOOKBACK if newest is not None else None
    changed = Need.id > (largest or 0)
    if since is not None:
        changed = or_(Need.updated_at >= since, changed)
    added = 0
    found = dict(kept.specs)
    touched = set(kept.changed)
    for row, spec in _spec_rows(changed):
        if row.id > (largest or 0):
            added += 1
        old = found.get(row.id)
        if spec is None:
            if old is not None:
                del found[row.id]
                touched.add(row.id)
        elif old != spec:
            found[row.id] = spec
            touched.add(row.id)
    if version[0] != count + added:  # a need was deleted, or inserted below the largest id
        return _read_all(kept.key, version)
    if len(touched) > REBUILD_AFTER:
        return OpenNeeds(kept.key, version, found, matching.CandidateIndex(found.values(), ()))
    return OpenNeeds(kept.key, version, found, kept.index, touched)
