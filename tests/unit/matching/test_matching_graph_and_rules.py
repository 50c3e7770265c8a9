"""The typed graph the engine builds. (The rules that keep matching/ a pure core are rows of
tests/test_architecture.py.)"""

from __future__ import annotations

from city_builders import NOW, make_need, make_partner

from matching import build_graph


def test_graph_holds_typed_nodes_and_edges():
    partners = [
        make_partner(
            1, 0, 0, capabilities={"lot_mowing": (5, 2)}, neighbourhoods=frozenset({"Old South"})
        ),
        make_partner(2, 30, 0, capabilities={"lot_mowing": (1, 0)}),
    ]
    needs = [make_need(1, 1, 0, neighbourhood="Scotlandville"), make_need(2, 30.5, 0)]
    g = build_graph(needs, partners, neighbourhoods=["Mid City"], now=NOW)
    kinds = sorted(d["kind"] for _, d in g.nodes(data=True))
    assert kinds == ["capability"] + ["need"] * 2 + ["neighbourhood"] * 3 + ["partner"] * 2
    does = g.edges[("partner", 1), ("capability", "lot_mowing")]
    assert (does["kind"], does["tasks_per_week"], does["tasks_left"]) == ("does", 5, 2)
    assert g.edges[("need", 1), ("neighbourhood", "Scotlandville")]["kind"] == "located_in"
    assert g.edges[("partner", 1), ("neighbourhood", "Old South")]["kind"] == "serves"
    feasible = g.edges[("partner", 1), ("need", 1)]
    assert feasible["kind"] == "feasible" and abs(feasible["distance_km"] - 1) < 1e-3
    assert feasible["score"] > 0
    # zero capacity still reaches: the graph says who could serve whom
    assert g.has_edge(("partner", 2), ("need", 2))
    assert not g.has_edge(("partner", 1), ("need", 2))
