"""``ScalarMap._align``'s shortcut for a value written as it is (issue 16: a one-line JSON
config in a quoted scalar, located for every finding in it) gives the greedy loop's offsets."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from multus_lint.load.positions import YAML_ONLY_BREAKS, ScalarMap, ShiftMap


def greedy(raw: str, value: str, j: int) -> list[int]:
    """The alignment loop of ScalarMap._align, as it is for every other value."""
    n = len(raw)
    last = max(n - 1, 0)
    out = []
    ws = " \t\r\n" + YAML_ONLY_BREAKS
    for ch in value:
        if j < n and raw[j] == ch:
            out.append(j)
            j += 1
        elif ch in " \n\t":
            out.append(min(j, last))
            while j < n and raw[j] in ws:
                j += 1
        else:
            k = j
            while k < n and raw[k] in ws:
                k += 1
            found = raw.find(ch, k, k + 8)
            if found != -1:
                out.append(found)
                j = found + 1
            else:
                out.append(min(j, last))
    return out


text = st.text(alphabet='ab "\\\n{}:,', max_size=30)


@settings(max_examples=300, deadline=None)
@given(value=text, tail=text, style=st.sampled_from(["'", '"', None]))
def test_written_as_is_is_the_greedy_alignment(value: str, tail: str, style: str | None) -> None:
    start = 1 if style else 0
    raw = (style or "") + value + tail
    smap = ScalarMap(ShiftMap(0), raw, (0, 0), style, value)
    assert smap._align() == array("l", greedy(raw, value, start))


@settings(max_examples=300, deadline=None)
@given(value=text, body=text, style=st.sampled_from(["'", '"', None]))
def test_any_raw_text_is_the_greedy_alignment(value: str, body: str, style: str | None) -> None:
    raw = (style or "") + body
    smap = ScalarMap(ShiftMap(0), raw, (0, 0), style, value)
    assert smap._align() == array("l", greedy(raw, value, 1 if style else 0))
