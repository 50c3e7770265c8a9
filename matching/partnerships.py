"""Partnership suggestions: pairs of partners that together cover needs neither covers alone.

Definition. For two active partners A and B, the shared area is where their service areas
overlap (any area form; capacity ignored: this is about who could team up, not this week's
slots). A need in the shared area is *complementary* when exactly one of A and B does its
capability. Let a = complementary needs A does and b = those B does. The pair is suggested when
a > 0 and b > 0 (each brings something the other lacks to the same streets), and
`needs_covered` = a + b. Needs in the shared area that both or neither can do are not counted.

Order: cross-sector pairs first, then needs_covered desc, then the two ids. The membership
matrix (needs x partners) is built with a KD-tree and multiplied per capability with scipy.sparse,
so cost grows with the number of (need, partner-area) memberships, fine for a few thousand
partners.

One partner's pairs (`partnerships_of`, what a briefing shows) are computed from that partner's
own area only: every need two partners share lies in each one's area, so restricting the needs to
the subject's area changes none of the subject's pairs, and the cost is that of its neighbours,
not of the city (issue 14: 960 s city-wide at 100k needs x 5k partners). No membership matrix is
built there: a pair's a and b are, per kind of work done by one of the two only, the needs of
that kind in the other's area, counted by `CandidateIndex.count_in_areas` (one tree pass over
the discs, the lists and polygons added), and only for as many of the partners as it takes:
counted best bound first (a pair covers at most the needs of the kinds one of the two does), the
others are left once none of them could enter the best `limit` (`_best_pairs`); only the pairs
shown list their needs (bench/README.md, "Briefings at city scale").

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from matching.candidates import CandidateIndex
from matching.explain import label
from matching.geometry import chord_for_km, km_for_chord, points_in_ring, ring_bbox
from matching.model import NeedSpec, Partnership, PartnerSpec


def partnership_suggestions(
    partners: Sequence[PartnerSpec],
    needs: Sequence[NeedSpec],
    *,
    limit: int = 20,
    labels: Mapping[str, str] | None = None,
) -> list[Partnership]:
    """Best complementary partner pairs (see module doc), at most `limit`."""
    idx = CandidateIndex(needs, [p for p in partners if p.active])
    if len(idx.partners) < 2 or not idx.needs:
        return []
    member = _membership(idx)
    one_sided = _one_sided_counts(idx, member)
    both = ((one_sided > 0).multiply(one_sided.T > 0)).tocoo()
    upper = both.row < both.col
    rows, cols = both.row[upper], both.col[upper]
    if rows.size == 0:
        return []  # scipy answers an empty fancy index with a sparse matrix, not an array
    totals = np.asarray((one_sided + one_sided.T)[rows, cols]).ravel()
    sectors = [p.sector for p in idx.partners]
    ranked = [
        (sectors[a] == sectors[b], -int(t), a, b)
        for a, b, t in zip(rows.tolist(), cols.tolist(), totals.tolist(), strict=True)
    ]
    ranked.sort()
    hoods = _neighbourhood_codes(idx)
    return [_describe(idx, member, hoods, a, b, labels) for _, _, a, b in ranked[: max(0, limit)]]


def partnerships_of(
    subject: PartnerSpec,
    partners: Sequence[PartnerSpec],
    needs: Sequence[NeedSpec],
    *,
    limit: int = 5,
    labels: Mapping[str, str] | None = None,
) -> list[Partnership]:
    """The best complementary pairs of `subject` with the other active partners, in the order
    of `partnership_suggestions`, at most `limit`.

    Same pairs, counts and words as `partnership_suggestions` over the whole city filtered to
    the subject (tests/unit/matching check it), computed only over the needs in the subject's
    own area and the partners that could complement it there. A pair's one-sided counts are,
    per kind of work, how many of those needs lie in the other's area: counted by
    `CandidateIndex.count_in_areas` (a tree count per disc, no need listed), only for the
    partners for whom that kind is one-sided and, best bound first, only until none left could
    enter the best `limit` (`_best_pairs`); only the pairs shown list their needs.
    """
    if not subject.active or limit <= 0:
        return []
    others = [p for p in partners if p.active and p.id != subject.id]
    if not others or not needs:
        return []
    idx = CandidateIndex(needs, [*others, subject])
    s = idx.partner_position(subject.id)
    assert s is not None
    own = np.flatnonzero(_membership(idx, np.asarray([s]))[:, s].toarray().ravel() > 0)
    if own.size == 0:
        return []
    if own.size < len(idx.needs):  # only the needs in its own area count: index those alone
        idx = CandidateIndex([idx.needs[i] for i in own.tolist()], idx.partners)
        s = idx.partner_position(subject.id)
        assert s is not None
    candidates = _complementing(subject, idx.partners, set(idx.need_capabilities))
    ranked = _best_pairs(idx, s, candidates, limit)
    shown = sorted({s, *(o for _, _, a, b in ranked for o in (a, b))})
    member = _membership(idx, np.asarray(shown, dtype=np.int64))
    hoods = _neighbourhood_codes(idx)
    return [_describe(idx, member, hoods, a, b, labels) for _, _, a, b in ranked]


FIRST_BATCH_PER_PAIR = 64
"""`_best_pairs` counts this many candidates per pair shown first; the next batches double."""


def _best_pairs(
    idx: CandidateIndex, s: int, candidates: Sequence[PartnerSpec], limit: int
) -> list[tuple[bool, int, int, int]]:
    """The `limit` best pairs of the partner at position `s` with `candidates`, as
    (same sector, -needs covered, lower position, higher position), best first: the pairs of
    counting every candidate, counting only as many as it takes.

    A pair covers at most its bound: every indexed need of the kinds done by one of the two
    only. The candidates are counted (`CandidateIndex.count_in_areas`, per kind one-sided) in
    the order of their best possible key (same sector, -bound, positions), in doubling
    batches, until the `limit`-th best key counted comes before the next candidate's best
    possible key: a candidate's key is never better than its bound's, and the ones after it
    have no better bounds, so none of them could enter (issue 14: a wide-area partner had
    ~2,700 candidates, of which a few hundred could reach its best five).
    """
    kinds = idx.need_capabilities
    sizes = np.asarray([idx.needs_of(k).size for k in kinds], dtype=np.int64)
    mine = np.asarray([k in idx.partners[s].capabilities for k in kinds], dtype=bool)
    pos = np.asarray([idx.partner_position(p.id) for p in candidates], dtype=np.int64)
    does = np.asarray(
        [[k in p.capabilities for k in kinds] for p in candidates], dtype=bool
    ).reshape(len(candidates), len(kinds))
    one_sided = does != mine
    bound = one_sided.astype(np.int64) @ sizes
    sector = idx.partners[s].sector
    order = sorted(
        (candidates[i].sector == sector, -int(bound[i]), min(o, s), max(o, s), i)
        for i, o in enumerate(pos.tolist())
    )
    best: list[tuple[bool, int, int, int]] = []
    start, batch = 0, FIRST_BATCH_PER_PAIR * limit
    while start < len(order) and not (len(best) >= limit and order[start][:4] > best[limit - 1]):
        keys = order[start : start + batch]
        chunk = np.asarray([key[4] for key in keys], dtype=np.int64)
        towards = np.zeros(chunk.size, dtype=np.int64)  # complementary needs s does
        back = np.zeros(chunk.size, dtype=np.int64)  # complementary needs the other does
        for c, kind in enumerate(kinds):
            rows = np.flatnonzero(one_sided[chunk, c])
            if rows.size:
                (towards if mine[c] else back)[rows] += idx.count_in_areas(kind, pos[chunk[rows]])
        for key, t, b in zip(keys, towards.tolist(), back.tolist(), strict=True):
            if t > 0 and b > 0:
                best.append((key[0], -(t + b), key[2], key[3]))
        best = sorted(best)[:limit]
        start, batch = start + batch, batch * 2
    return best


def _complementing(
    subject: PartnerSpec, partners: Sequence[PartnerSpec], kinds: set[str]
) -> list[PartnerSpec]:
    """The partners that could complement `subject` over needs of `kinds`, in their order: each
    does one of those kinds of work that the subject does not, and the subject one that it does
    not. A pair needs both, so the others never make one."""
    mine = set(subject.capabilities) & kinds
    return [
        p
        for p in partners
        if not (kinds & set(p.capabilities)) <= mine and not mine <= set(p.capabilities)
    ]


FEW_AREAS = 16
"""Up to this many partners, `_membership` tests every indexed need against each one's disc
rather than building a tree to find the needs within reach first."""


def _membership(
    idx: CandidateIndex, positions: NDArray[np.int64] | None = None
) -> sparse.csc_matrix:
    """Boolean (needs x partners) matrix: need inside the partner's service area; with
    `positions`, only those partners' columns are filled (the others are empty).

    The exact test (`_within`) decides; for many partners a tree over the needs first finds
    those within reach of each disc, for a few (a briefing's subject and the partners shown
    with it) every need is tested: a tree over a wide area's ~40k needs cost more than that."""
    chosen = np.arange(len(idx.partners)) if positions is None else positions
    everything = np.arange(len(idx.needs), dtype=np.int64)
    hits = None
    if chosen.size > FEW_AREAS:
        tree = cKDTree(idx.need_xyz)
        radii = chord_for_km(idx.partner_radius[chosen]) + 1e-9
        hits = tree.query_ball_point(idx.partner_xyz[chosen], radii)
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    for k, p in enumerate(chosen.tolist()):
        partner = idx.partners[p]
        found = everything if hits is None else np.asarray(hits[k], dtype=np.int64)
        inside = np.zeros(len(idx.needs), dtype=bool)
        inside[found[_within(idx, found, p)]] = True
        for hood in sorted(partner.neighbourhoods):
            for kind in idx.need_capabilities:
                inside[idx.cell_needs(kind, hood)] = True
        if partner.polygon:
            inside[_in_polygon(idx, partner)] = True
        got = np.flatnonzero(inside)
        rows.append(got)
        cols.append(np.full(got.size, p, dtype=np.int64))
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    data = np.ones(r.size, dtype=np.int64)
    return sparse.csc_matrix((data, (r, c)), shape=(len(idx.needs), len(idx.partners)))


def _within(idx: CandidateIndex, needs: NDArray[np.int64], p: int) -> NDArray[np.bool_]:
    chord = np.linalg.norm(idx.need_xyz[needs] - idx.partner_xyz[p], axis=1)
    return km_for_chord(chord) <= idx.partner_radius[p]


def _in_polygon(idx: CandidateIndex, partner: PartnerSpec) -> NDArray[np.int64]:
    ring = partner.polygon[0] if partner.polygon else ()
    x0, y0, x1, y1 = ring_bbox(ring)
    lon, lat = idx.need_lon, idx.need_lat
    box = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
    return box[points_in_ring(lon[box], lat[box], ring)]


def _does(idx: CandidateIndex, capability: str) -> NDArray[np.int64]:
    return np.fromiter(
        (1 if capability in p.capabilities else 0 for p in idx.partners),
        dtype=np.int64,
        count=len(idx.partners),
    )


def _one_sided_counts(idx: CandidateIndex, member: sparse.csc_matrix) -> sparse.csr_matrix:
    """[a, b] = needs in both areas whose capability a does and b does not."""
    total = sparse.csr_matrix((len(idx.partners), len(idx.partners)), dtype=np.int64)
    for cap in idx.need_capabilities:
        rows = idx.needs_of(cap)
        sub = member[rows]
        shared = (sub.T @ sub).tocsr()
        does = _does(idx, cap)
        total = total + sparse.diags(does, dtype=np.int64) @ shared @ sparse.diags(
            1 - does, dtype=np.int64
        )
    total = total.tocsr()
    total.eliminate_zeros()
    return total


def _neighbourhood_codes(idx: CandidateIndex) -> tuple[list[str], NDArray[np.int64]]:
    """The neighbourhoods of the indexed needs, sorted, and each need's place in that list
    (-1 for none)."""
    names = sorted({n.neighbourhood for n in idx.needs if n.neighbourhood is not None})
    place = {name: k for k, name in enumerate(names)}
    codes = np.fromiter(
        (-1 if n.neighbourhood is None else place[n.neighbourhood] for n in idx.needs),
        dtype=np.int64,
        count=len(idx.needs),
    )
    return names, codes


def _describe(
    idx: CandidateIndex,
    member: sparse.csc_matrix,
    neighbourhoods: tuple[list[str], NDArray[np.int64]],
    a: int,
    b: int,
    labels: Mapping[str, str] | None,
) -> Partnership:
    pa, pb = idx.partners[a], idx.partners[b]
    col_a = member[:, a].toarray().ravel() > 0
    col_b = member[:, b].toarray().ravel() > 0
    shared = np.flatnonzero(col_a & col_b)
    kinds = idx.need_capabilities
    does_a = np.asarray([k in pa.capabilities for k in kinds], dtype=bool)
    does_b = np.asarray([k in pb.capabilities for k in kinds], dtype=bool)
    code = idx.need_cap_code[shared]
    one_sided = does_a[code] != does_b[code]
    picked = shared[one_sided]
    per_kind = np.bincount(code[one_sided], minlength=len(kinds))
    brings_a = {kinds[c]: int(per_kind[c]) for c in np.flatnonzero(does_a & (per_kind > 0))}
    brings_b = {kinds[c]: int(per_kind[c]) for c in np.flatnonzero(does_b & (per_kind > 0))}
    names, codes = neighbourhoods
    in_hood = codes[picked]
    per_hood = np.bincount(in_hood[in_hood >= 0], minlength=len(names))
    hoods = {names[h]: int(per_hood[h]) for h in np.flatnonzero(per_hood)}
    ids = idx.need_ids[picked].tolist()
    caps_a = tuple(sorted(brings_a, key=lambda c: (-brings_a[c], c)))
    caps_b = tuple(sorted(brings_b, key=lambda c: (-brings_b[c], c)))
    hood_names = tuple(sorted(hoods, key=lambda h: (-hoods[h], h)))
    text = (
        f"{pa.name} ({pa.sector}) brings {_join([label(c, labels) for c in caps_a])}; "
        f"{pb.name} ({pb.sector}) brings {_join([label(c, labels) for c in caps_b])}; "
        f"together they reach {len(ids)} open needs in {_where(hood_names)}"
    )
    return Partnership(
        partner_ids=(pa.id, pb.id),
        cross_sector=pa.sector != pb.sector,
        needs_covered=len(ids),
        need_ids=tuple(sorted(ids)),
        brings=(caps_a, caps_b),
        neighbourhoods=hood_names,
        reasons=(text,),
    )


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _where(hoods: tuple[str, ...]) -> str:
    if not hoods:
        return "their shared area"
    if len(hoods) <= 2:
        return _join(list(hoods))
    others = len(hoods) - 2
    return f"{hoods[0]}, {hoods[1]} and {others} other neighbourhood" + ("s" if others > 1 else "")
