"""The matching model as one typed networkx graph, for analysis and as the reference shape.

Nodes are tuples (kind, key) with attribute `kind`:
  ("partner", id)  name, sector, active, radius_km
  ("need", id)     capability, priority, effort_hours, neighbourhood
  ("capability", code)
  ("neighbourhood", name)
Edges carry `kind`:
  partner - capability   "does"        tasks_per_week, tasks_left, volunteer_hours_per_week
  need - capability      "requires"
  need - neighbourhood   "located_in"
  partner - neighbourhood "serves"     (named neighbourhoods of the service area)
  partner - need         "feasible"    distance_km, via, and score when `now` is given

Feasible edges ignore remaining capacity (the graph describes who could serve whom; capacity is on
the partner-capability edge). `plan.plan_city` solves a directed flow form of this graph: each
"does" edge becomes a (partner, capability) node with capacity tasks_left, and "feasible" edges of
partners with slots left become arcs to needs. The fast paths (candidates.py, plan.py) do not
build this graph: at city scale a networkx graph of every feasible pair costs far more than the
solve. Build it for analysis and on small cities.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import networkx as nx

from matching.candidates import CandidateIndex
from matching.model import DEFAULT_WEIGHTS, NeedSpec, PartnerSpec, Weights

_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)


def build_graph(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    *,
    neighbourhoods: Iterable[str] | None = None,
    now: datetime | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> nx.Graph:
    """Partners, needs, capabilities and neighbourhoods as one typed graph (see module doc).

    `neighbourhoods` adds neighbourhood nodes even where no need or partner names them.
    """
    idx = CandidateIndex(needs, partners)
    g = nx.Graph()
    for hood in sorted(set(neighbourhoods or ())):
        g.add_node(("neighbourhood", hood), kind="neighbourhood")
    for p in idx.partners:
        node = ("partner", p.id)
        g.add_node(
            node,
            kind="partner",
            name=p.name,
            sector=p.sector,
            active=p.active,
            radius_km=p.radius_km,
        )
        for code, slot in sorted(p.capabilities.items()):
            g.add_node(("capability", code), kind="capability")
            g.add_edge(
                node,
                ("capability", code),
                kind="does",
                tasks_per_week=slot.tasks_per_week,
                tasks_left=slot.tasks_left,
                volunteer_hours_per_week=slot.volunteer_hours_per_week,
            )
        for hood in sorted(p.neighbourhoods):
            g.add_node(("neighbourhood", hood), kind="neighbourhood")
            g.add_edge(node, ("neighbourhood", hood), kind="serves")
    for n in idx.needs:
        node = ("need", n.id)
        g.add_node(
            node,
            kind="need",
            capability=n.capability,
            priority=n.priority,
            effort_hours=n.effort_hours,
            neighbourhood=n.neighbourhood,
        )
        g.add_node(("capability", n.capability), kind="capability")
        g.add_edge(node, ("capability", n.capability), kind="requires")
        if n.neighbourhood is not None:
            g.add_node(("neighbourhood", n.neighbourhood), kind="neighbourhood")
            g.add_edge(node, ("neighbourhood", n.neighbourhood), kind="located_in")
    pairs = idx.best_pairs(now or _NO_TIME, weights, k=None, require_capacity=False)
    for i in range(len(pairs)):
        attrs: dict[str, object] = {
            "kind": "feasible",
            "distance_km": float(pairs.distance_km[i]),
            "via": int(pairs.via[i]),
        }
        if now is not None:
            attrs["score"] = int(pairs.cents[i]) / 100.0
        g.add_edge(
            ("partner", int(idx.partner_ids[pairs.partner_pos[i]])),
            ("need", int(idx.need_ids[pairs.need_pos[i]])),
            **attrs,
        )
    return g
