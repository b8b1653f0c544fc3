"""Overlapping address pools across NetworkAttachmentDefinitions, by a sweep over intervals.

Every pool is an interval of integers (its addresses) per address family. Pools that share
their allocation state (the same whereabouts IPPool, the same host-local network name with
the same range) are grouped first, so a thousand NADs on one pool are one interval. The
groups are sorted by start and swept once with a heap of the intervals still open: each
group meets only the groups it really overlaps, so the cost is O(n log n) plus the pairs
found (bounded per group by ``max_partners``), never a loop over all pairs.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterator
from typing import Any

from multus_lint.records import dataclass, field


@dataclass(repr=False, eq=False)
class Group:
    """Pools with the same identity and the same interval: one node of the sweep."""

    family: int
    lo: int
    hi: int
    key: Hashable
    members: list[Any] = field(default_factory=list)


def group_pools(items: list[tuple[int, int, int, Hashable, Any]]) -> list[Group]:
    """(family, lo, hi, identity, member) rows -> groups of identical identity and interval."""
    groups: dict[tuple[int, int, int, Hashable], Group] = {}
    for family, lo, hi, ident, member in items:
        k = (family, lo, hi, ident)
        g = groups.get(k)
        if g is None:
            g = groups[k] = Group(family, lo, hi, ident)
        g.members.append(member)
    return list(groups.values())


def overlapping_groups(groups: list[Group], max_partners: int = 64) -> Iterator[tuple[Group, Group]]:
    """Pairs of groups whose intervals intersect (same family), each pair once.

    A group meets at most ``max_partners`` earlier-starting groups: beyond that the
    findings would say nothing new, and a pathological input stays linear.
    """
    order = sorted(groups, key=lambda g: (g.family, g.lo, g.hi))
    active: list[tuple[int, int, Group]] = []  # heap of (hi, tiebreak, group) still open
    family = None
    for n, g in enumerate(order):
        if g.family != family:
            family = g.family
            active = []
        while active and active[0][0] < g.lo:
            heapq.heappop(active)
        met = 0
        for _, _, other in active:
            yield other, g
            met += 1
            if met >= max_partners:
                break
        heapq.heappush(active, (g.hi, n, g))
