import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from detector.store.signatures import SignatureParams, band_keys, grouped_signatures


def _identity(x: int) -> int:
    return x


def test_signatures_are_bit_identical_to_datasketch() -> None:
    params = SignatureParams.from_datasketch(128, 1, 0.5)
    rng = np.random.default_rng(7)
    values = rng.integers(0, 2**32, 30_000, dtype=np.uint64).astype(np.uint32)
    starts = np.array([0, 3, 3, 12_000, 29_999], dtype=np.int64)
    sigs = grouped_signatures(values, starts, params)
    ends = [*starts[1:].tolist(), len(values)]
    for g, (s, e) in enumerate(zip(starts.tolist(), ends, strict=True)):
        m = MinHash(num_perm=128, seed=1, hashfunc=_identity)
        m.update_batch([int(v) for v in values[s:e]])
        assert np.array_equal(m.hashvalues, sigs[g])


def test_signatures_wrap_as_lean_minhash_for_datasketch_lsh() -> None:
    params = SignatureParams.from_datasketch(128, 1, 0.5)
    values = np.arange(1000, dtype=np.uint32)
    sigs = grouped_signatures(values, np.array([0, 500], dtype=np.int64), params)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for i, sig in enumerate(sigs):
        lsh.insert(f"p{i}", LeanMinHash(seed=1, hashvalues=sig, scheme="affine32"))
    query = LeanMinHash(seed=1, hashvalues=sigs[0], scheme="affine32")
    assert "p0" in lsh.query(query)


def test_lsh_parameters_come_from_datasketch() -> None:
    from datasketch.lsh import _optimal_param

    params = SignatureParams.from_datasketch(128, 1, 0.5)
    assert (params.bands, params.rows) == _optimal_param(0.5, 128, 0.5, 0.5)


def test_band_keys_are_equal_for_equal_bands_only() -> None:
    sig = np.arange(128, dtype=np.uint32).reshape(1, 128)
    other = sig.copy()
    other[0, 0] += 1  # only band 0 differs
    a, b = band_keys(sig, 25, 5), band_keys(other, 25, 5)
    assert a[0, 0] != b[0, 0]
    assert np.array_equal(a[0, 1:], b[0, 1:])
    assert len(set(a[0].tolist())) == 25  # bands with equal rows still differ by band number


def _naive(values: np.ndarray, starts: list[int], params: SignatureParams) -> np.ndarray:
    """Every group's minimum of (a * fmix32(v) + b) mod 2**32, one group at a time."""
    from detector.store.signatures import fmix32

    a, b = params.arrays()
    out = np.full((len(starts), params.num_perm), 0xFFFFFFFF, dtype=np.uint32)
    ends = [*starts[1:], len(values)]
    for g, (s, e) in enumerate(zip(starts, ends, strict=True)):
        s, e = min(s, len(values)), min(e, len(values))
        if e > s:
            mixed = fmix32(values[s:e])
            out[g] = (a[:, None] * mixed[None, :] + b[:, None]).min(axis=1)
    return out


def test_signatures_do_not_depend_on_the_batch_size() -> None:
    # Empty groups, groups longer than a batch (cut in pieces), a group reaching past the values.
    params = SignatureParams.from_datasketch(128, 1, 0.5)
    rng = np.random.default_rng(11)
    values = rng.integers(0, 2**32, 5_000, dtype=np.uint64).astype(np.uint32)
    cases = [
        [0],
        [0, 0, 0],
        [7, 7, 10],
        [0, 1, 2, 3, 4_999],
        [0, 3, 3, 2_000, 2_000, 4_000, 6_000],
        sorted(rng.integers(0, 5_000, 300).tolist()),
    ]
    for starts in cases:
        expected = _naive(values, starts, params)
        for batch in (1, 2, 3, 64, 1_000, 8_192, 100_000):
            got = grouped_signatures(values, np.array(starts, dtype=np.int64), params, batch=batch)
            assert np.array_equal(got, expected), (starts[:5], batch)


def test_no_values_give_empty_signatures() -> None:
    params = SignatureParams.from_datasketch(128, 1, 0.5)
    sigs = grouped_signatures(np.zeros(0, dtype=np.uint32), np.array([0, 0], dtype=np.int64), params)
    assert sigs.shape == (2, 128) and (sigs == 0xFFFFFFFF).all()
