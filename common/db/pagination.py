"""Sorted, marker-paged listings, as upstream pages stacks and events.

The sort keys are followed by the row id so the order is total; a page starts after the
marker row in that whole order (a keyset), so rows sharing a sort value are neither
skipped nor repeated. One direction applies to every key. Without sort keys the order is
newest first; with them and no direction, ascending.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, false, or_

from common import exception

SORT_DIRS = ("asc", "desc")


def is_descending(sort_dir: str | None, has_sort_keys: bool) -> bool:
    """The direction of a listing; an unknown one is refused."""
    if sort_dir is None or sort_dir == "":
        return not has_sort_keys
    if sort_dir.lower() not in SORT_DIRS:
        raise exception.Invalid(reason="Unknown sort direction, must be 'desc' or 'asc'")
    return sort_dir.lower() == "desc"


def _equal(column: Any, value: Any) -> Any:
    return column.is_(None) if value is None else column == value


def _after(column: Any, value: Any, descending: bool) -> Any:
    """Rows past ``value`` in the column's order (NULL sorts lowest, as in MySQL/SQLite)."""
    if descending:
        return false() if value is None else or_(column < value, column.is_(None))
    return column.is_not(None) if value is None else column > value


def _past_marker(columns: Sequence[Any], values: Sequence[Any], descending: bool) -> Any:
    """Rows after the marker: equal on the first keys and past it on the next one."""
    alternatives = []
    for i, column in enumerate(columns):
        equal = (_equal(c, v) for c, v in zip(columns[:i], values[:i], strict=True))
        alternatives.append(and_(*equal, _after(column, values[i], descending)))
    return or_(*alternatives)


def page(
    query: Any,
    columns: Sequence[Any],
    descending: bool,
    marker_values: Sequence[Any] | None,
    limit: int | None,
) -> Any:
    """``query`` ordered by ``columns`` (the last one unique), starting after the row whose
    values are ``marker_values``, at most ``limit`` rows."""
    if marker_values is not None:
        query = query.where(_past_marker(columns, marker_values, descending))
    query = query.order_by(*(c.desc() if descending else c.asc() for c in columns))
    if limit is not None:
        query = query.limit(limit)
    return query
