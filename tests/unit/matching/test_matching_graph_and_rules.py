"""The typed graph, and the rules that keep matching/ a pure core."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from city_builders import NOW, make_need, make_partner

from matching import build_graph

PACKAGE = Path(__file__).resolve().parents[3] / "matching"
ALLOWED_THIRD_PARTY = {"numpy", "scipy", "networkx", "ortools", "matching"}


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


def _imports(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_matching_imports_only_the_stdlib_and_the_numeric_stack():
    for path in sorted(PACKAGE.glob("*.py")):
        foreign = _imports(path) - ALLOWED_THIRD_PARTY - set(sys.stdlib_module_names)
        assert not foreign, f"{path.name} imports {foreign}"


def test_matching_does_no_io_and_reads_no_clock():
    banned = ("datetime.now", "date.today", "time.time(", "open(", "print(", "utcnow")
    for path in sorted(PACKAGE.glob("*.py")):
        text = path.read_text()
        assert not [b for b in banned if b in text], path.name
        assert ast.get_docstring(ast.parse(text)), path.name
        assert "Must not import" in text, path.name


def test_there_is_no_utils_module():
    assert not (PACKAGE / "utils.py").exists()
