"""Pure helpers of the dashboards (*dasbor*): grouping per-unit figures by branch of the unit tree, shares
and rates. No Flask app, no database (unit-tested in tests/unit/test_dashboard_rules.py).

A dashboard looks at a *root*: a unit's subtree (a Pimpinan's own unit, or a unit picked inside the scope) or
the whole city (``None``). Its rows are the *branches* of the root: the root's own staff (the unit itself)
and each direct sub-unit with everything below it; for the city, every top-level unit (OPD) with its subtree.
The database sums per unit (GROUP BY unit); ``branch_of`` maps every unit to its branch and ``sum_by_branch``
adds the per-unit figures up, so no query runs per row.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping, Optional

YEAR_MIN, YEAR_MAX = 2000, 2100
YEARS_BACK = 5  # the trend charts show this many years up to the chosen one


def branch_of(units: Iterable[tuple], root_id: Optional[int]) -> dict:
    """{unit id: branch id} for every unit under ``root_id`` (``units``: (id, parent_id) pairs).

    The root's own units map to the root; a unit below a direct child of the root maps to that child. With
    ``root_id`` None the branches are the top-level units (parent None). Units not under the root, and units
    in a corrupted (looping) part of the tree, are left out."""
    parent_of = {u: p for u, p in units}
    result: dict = {}
    if root_id is not None:
        result[root_id] = root_id

    def top(unit_id):
        path, node = [], unit_id
        while node not in result:
            if node in path:
                return None  # a loop
            path.append(node)
            parent = parent_of.get(node, None) if node in parent_of else None
            if root_id is None and parent is None and node in parent_of:
                result[node] = node  # a top-level unit is its own branch
                path.pop()
                break
            if root_id is not None and parent == root_id:
                result[node] = node
                path.pop()
                break
            if parent is None:
                return None  # not under the root
            node = parent
        for n in path:
            result[n] = result[node]
        return result[node]

    for unit_id in list(parent_of):
        top(unit_id)
    return result


def sum_by_branch(per_unit: Mapping, branches: Mapping) -> dict:
    """Add per-unit figures up per branch. Values are numbers, tuples/lists of numbers (added element-wise)
    or dicts of numbers (added per key). Units without a branch are left out."""
    out: dict = {}
    for unit_id, value in per_unit.items():
        b = branches.get(unit_id)
        if b is None:
            continue
        if b not in out:
            out[b] = dict(value) if isinstance(value, Mapping) else (list(value) if isinstance(value, (list, tuple))
                                                                       else value)
            continue
        acc = out[b]
        if isinstance(value, Mapping):
            for k, v in value.items():
                acc[k] = acc.get(k, 0) + v
        elif isinstance(value, (list, tuple)):
            out[b] = [a + v for a, v in zip(acc, value)]
        else:
            out[b] = acc + value
    return out


def rate(part, whole, places: int = 1) -> Optional[Decimal]:
    """``part`` of ``whole`` as a percentage rounded half up to ``places`` decimals; None when ``whole`` is 0."""
    if not whole:
        return None
    q = Decimal(1).scaleb(-places)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(q, rounding=ROUND_HALF_UP)


def year_range(year: int, back: int = YEARS_BACK) -> list:
    """The ``back`` years ending with ``year``, oldest first."""
    return list(range(year - back + 1, year + 1))


def valid_year(raw, default: int) -> int:
    """A year from a query argument, else ``default`` (never raises)."""
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if text.isascii() and text.isdigit() and YEAR_MIN <= int(text) <= YEAR_MAX:
        return int(text)
    return default
