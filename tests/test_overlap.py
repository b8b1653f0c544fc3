"""The overlap sweep finds exactly the overlapping pairs a pairwise check would find."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint.net.overlap import Group, group_pools, overlapping_groups
from multus_lint.rules.addressing import _judge_overlap

interval = st.tuples(st.sampled_from([4, 6]), st.integers(0, 200), st.integers(0, 40)).map(
    lambda t: (t[0], t[1], t[1] + t[2]))


def _pairs(groups: list[Group], **kw: int) -> set[frozenset[int]]:
    return {frozenset((id(a), id(b))) for a, b in overlapping_groups(groups, **kw)}


@settings(max_examples=300, deadline=None)
@given(st.lists(interval, max_size=40))
def test_sweep_matches_pairwise(intervals):
    groups = [Group(f, lo, hi, n, [n]) for n, (f, lo, hi) in enumerate(intervals)]
    brute = {frozenset((id(a), id(b))) for i, a in enumerate(groups) for b in groups[i + 1:]
             if a.family == b.family and a.lo <= b.hi and b.lo <= a.hi}
    found = list(overlapping_groups(groups, max_partners=10**6))
    assert len(found) == len({frozenset((id(a), id(b))) for a, b in found})  # each pair once
    assert _pairs(groups, max_partners=10**6) == brute


def test_touching_intervals_overlap_and_adjacent_ones_do_not():
    a, b, c = Group(4, 0, 10, "a"), Group(4, 10, 20, "b"), Group(4, 21, 30, "c")
    assert _pairs([c, b, a], max_partners=99) == {frozenset((id(a), id(b)))}


def test_families_never_meet():
    v4 = Group(4, 0, 2**32 - 1, "v4")
    v6 = Group(6, 0, 2**128 - 1, "v6")
    assert list(overlapping_groups([v4, v6])) == []


def test_identical_pools_become_one_group():
    rows = [(4, 10, 20, ("whereabouts", "", "10.0.0.0/24"), f"nad{i}") for i in range(1000)]
    rows.append((4, 15, 30, ("host-local", "x"), "hl"))
    groups = group_pools(rows)
    assert sorted(len(g.members) for g in groups) == [1, 1000]
    assert len(list(overlapping_groups(groups))) == 1


def test_partners_are_capped_per_group():
    groups = [Group(4, 0, 100, n) for n in range(500)]  # all overlap all
    pairs = list(overlapping_groups(groups, max_partners=8))
    assert len(pairs) <= 500 * 8
    assert len(pairs) == sum(min(n, 8) for n in range(500))


def _wb(name="", cidr="10.0.0.0/24", start=None, end=None, ex=(), ovl=True):
    net = ipaddress.ip_network(cidr)
    lo = int(start or net.network_address + 1)
    hi = int(end or net.broadcast_address - 1)
    return ("whereabouts", name, str(net), lo, hi, tuple(ex), ovl)


def test_judge_whereabouts():
    assert _judge_overlap(_wb(), _wb()) is None  # one pool
    assert _judge_overlap(_wb(ovl=False), _wb()) is None  # same pool: the flag does not matter
    assert _judge_overlap(_wb(ex=("10.0.0.1/32",)), _wb())[0] == "info"
    assert _judge_overlap(_wb(cidr="10.0.0.0/16"), _wb()) is None  # protected by reservations
    assert _judge_overlap(_wb(cidr="10.0.0.0/16", ovl=False), _wb())[0] == "warning"
    assert _judge_overlap(_wb(name="a"), _wb(name="b"))[0] == "warning"
    low = _wb(name="a", start=ipaddress.ip_address("10.0.0.10"), end=ipaddress.ip_address("10.0.0.50"))
    high = _wb(name="b", start=ipaddress.ip_address("10.0.0.100"))
    assert _judge_overlap(low, high) is None


def test_judge_host_local_and_mixed():
    assert _judge_overlap(("host-local", "net"), ("host-local", "net")) is None
    assert _judge_overlap(("host-local", "a"), ("host-local", "b"))[0] == "warning"
    assert _judge_overlap(("static", 1, "p"), ("static", 2, "p"))[0] == "warning"
    assert _judge_overlap(_wb(), ("host-local", "a"))[0] == "warning"
