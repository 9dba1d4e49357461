"""The dependency graph: orders, cycles, leaves and roots."""

from __future__ import annotations

import pytest

from common import exception
from heat_engine.graph import Graph


def test_topological_order_puts_requirements_first():
    graph = Graph({"app": {"db", "net"}, "db": {"net"}, "net": set()})
    order = graph.topological_order()
    assert order.index("net") < order.index("db") < order.index("app")


def test_leaves_and_roots():
    graph = Graph({"app": {"db"}, "db": set(), "solo": set()})
    assert graph.leaves() == ["db", "solo"]
    assert graph.roots() == ["app", "solo"]
    assert graph.required_by("db") == {"app"}


@pytest.mark.parametrize(
    "requires",
    [
        {"a": {"a"}},
        {"a": {"b"}, "b": {"a"}},
        {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()},
    ],
)
def test_cycles_are_reported_with_their_members(requires):
    graph = Graph(requires)
    cycle = graph.find_cycle()
    assert cycle is not None and cycle[0] == cycle[-1]
    with pytest.raises(exception.CircularDependencyException) as info:
        graph.topological_order()
    assert "Circular Dependency Found" in str(info.value)


def test_nodes_only_named_as_requirements_are_part_of_the_graph():
    graph = Graph({"a": {"b"}})
    assert graph.nodes == ["a", "b"]
