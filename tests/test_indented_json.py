"""The scan JSON's writer (detector/indented_json.py) writes what json.dumps(..., indent=2) writes."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from detector import indented_json

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec=None) | st.sampled_from('"\\\n\t\x00\u2028é中'), max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30,
)


def expected(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@settings(max_examples=500, deadline=None)
@given(_VALUES)
def test_any_json_value_is_written_as_json_dumps_writes_it(data: Any) -> None:
    assert indented_json.dumps(data) == expected(data)


def test_values_it_leaves_to_json_dumps_come_out_the_same() -> None:
    for data in (
        {1: "int key", None: [], 2.5: {}},  # keys json.dumps converts
        OrderedDict(b=1, a=[True, False]),
        {"nested": [[[[]]], {}, "", -0.0, math.pi, 10**20]},
    ):
        assert indented_json.dumps(data) == expected(data)
