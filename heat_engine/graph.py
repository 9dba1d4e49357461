"""A dependency graph of named nodes; it knows nothing of resources.

An edge ``a -> b`` means "a requires b": b must finish before a starts (create),
and a must be gone before b goes (delete).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from common import exception


class Graph:
    """Nodes and their requirements, with cycle detection and both traversal orders."""

    def __init__(self, requires: Mapping[str, Iterable[str]]) -> None:
        self._requires: dict[str, set[str]] = {n: set(r) for n, r in requires.items()}
        for reqs in list(self._requires.values()):
            for r in reqs:
                self._requires.setdefault(r, set())
        self._required_by: dict[str, set[str]] = {n: set() for n in self._requires}
        for node, reqs in self._requires.items():
            for r in reqs:
                self._required_by[r].add(node)

    @property
    def nodes(self) -> list[str]:
        return sorted(self._requires)

    def requires(self, node: str) -> set[str]:
        return set(self._requires[node])

    def required_by(self, node: str) -> set[str]:
        return set(self._required_by[node])

    def leaves(self) -> list[str]:
        """Nodes that require nothing: where a forward traversal starts."""
        return sorted(n for n, r in self._requires.items() if not r)

    def roots(self) -> list[str]:
        """Nodes nothing requires: where a reverse traversal starts."""
        return sorted(n for n, r in self._required_by.items() if not r)

    def find_cycle(self) -> list[str] | None:
        """One cycle as a list of nodes, or None."""
        white, grey, black = 0, 1, 2
        colour = dict.fromkeys(self._requires, white)
        for start in sorted(self._requires):
            if colour[start] != white:
                continue
            stack: list[tuple[str, list[str]]] = [(start, sorted(self._requires[start]))]
            path = [start]
            colour[start] = grey
            while stack:
                node, pending = stack[-1]
                if not pending:
                    colour[node] = black
                    stack.pop()
                    path.pop()
                    continue
                nxt = pending.pop()
                if colour[nxt] == grey:
                    return [*path[path.index(nxt) :], nxt]
                if colour[nxt] == white:
                    colour[nxt] = grey
                    path.append(nxt)
                    stack.append((nxt, sorted(self._requires[nxt])))
        return None

    def check_acyclic(self) -> None:
        cycle = self.find_cycle()
        if cycle:
            raise exception.CircularDependencyException(cycle=", ".join(cycle))

    def topological_order(self) -> list[str]:
        """Every node after everything it requires."""
        self.check_acyclic()
        order: list[str] = []
        remaining = {n: len(r) for n, r in self._requires.items()}
        ready = sorted(n for n, c in remaining.items() if c == 0)
        while ready:
            node = ready.pop(0)
            order.append(node)
            for dependent in sorted(self._required_by[node]):
                remaining[dependent] -= 1
                if remaining[dependent] == 0:
                    ready.append(dependent)
        return order
