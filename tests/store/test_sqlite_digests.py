"""The writer looks up what the embedded index holds for a part's ids in a few queries: the same
answers as one query per id, for ids there, absent, repeated, and more than one query holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from detector.config import LIMITS
from tests.store.test_sqlite_format import _store, _write


def test_the_digests_of_many_ids_are_those_of_each_id_looked_up_alone(tmp_path: Path) -> None:
    store = _store(tmp_path / "a.idx")
    every_third = range(0, 2 * LIMITS.sqlite_query_chunk, 3)
    _write(store, {f"d{i}": np.array([i + 1], dtype=np.int64) for i in every_third})
    ids = [f"d{i}" for i in range(2 * LIMITS.sqlite_query_chunk + 5)] + ["d0", "d3", "missing", "d0"]
    got = store.digests_of(ids)
    assert got == [store.digest_of(i) for i in ids]
    assert sum(d is not None for d in got) > LIMITS.sqlite_query_chunk // 2 and got[-2] is None
    store.close()
