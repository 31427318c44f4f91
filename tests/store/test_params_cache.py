"""Signature parameters come from a cache file after the first run, and are datasketch's."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector.store import params_cache
from detector.store.signatures import SignatureParams


def test_cached_parameters_are_datasketch_s_and_a_damaged_cache_is_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    truth = SignatureParams.from_datasketch(64, 3, 0.6)
    assert params_cache.signature_params(64, 3, 0.6) == truth
    (cache,) = (tmp_path / "detector").glob("minhash-params-*-p64-s3-t0.6.json")
    calls: list[int] = []
    real = SignatureParams.from_datasketch

    def counted(num_perm: int, seed: int, threshold: float) -> SignatureParams:
        calls.append(num_perm)
        return real(num_perm, seed, threshold)

    monkeypatch.setattr(SignatureParams, "from_datasketch", staticmethod(counted))
    assert params_cache.signature_params(64, 3, 0.6) == truth and calls == []  # read from the cache
    for damage in ('{"bands": 0, "rows": 5, "a": [], "b": []}', "[" * 100_000, "not json"):
        cache.write_text(damage, encoding="utf-8")
        assert params_cache.signature_params(64, 3, 0.6) == truth
    assert len(calls) == 3  # each damaged file was ignored and datasketch asked again
    assert params_cache.signature_params(64, 3, 0.6) == truth and len(calls) == 3  # and rewritten
