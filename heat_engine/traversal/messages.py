"""The resource step message: ids only; the step re-reads everything from the database."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

CREATE, UPDATE, DELETE = "CREATE", "UPDATE", "DELETE"
SUSPEND, RESUME, CHECK = "SUSPEND", "RESUME", "CHECK"
# acts that walk the graph backwards: dependents first
REVERSE_ACTS = (DELETE, SUSPEND)
# a stack action whose resource steps are deletes (after a create) or updates (after one)
ROLLBACK = "ROLLBACK"


@dataclasses.dataclass(frozen=True)
class Step:
    """Run ``action`` (CREATE, UPDATE or DELETE) on one resource for one traversal.

    The stack's own action (``stack.action``) may differ: a ROLLBACK traversal runs
    DELETE or UPDATE steps.
    """

    stack_id: str
    resource_id: int
    traversal_id: str
    action: str
    # delivered again after a failure, or resent by a sweep: a node it finds done may
    # not have passed the baton on, so it does (a fresh duplicate does not)
    replay: bool = False

    def to_body(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Step:
        return cls(**{f.name: body[f.name] for f in dataclasses.fields(cls) if f.name in body})

    def replayed(self) -> Step:
        return dataclasses.replace(self, replay=True)


class StepSender(Protocol):
    """Where ready steps go: the shared step queue."""

    def send(self, step: Step) -> None: ...


def is_forward(act: str) -> bool:
    """Whether steps doing ``act`` start at resources that require nothing."""
    return act not in REVERSE_ACTS
