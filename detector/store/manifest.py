"""The index manifest: every setting that changes a signature or a band key.

An index built with other settings would answer queries silently wrong, so opening one
with a manifest that differs from the current settings is refused with the differences named.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from detector import safe_json
from detector.config import LIMITS, MANIFEST_FIELDS
from detector.errors import IndexFileError
from detector.store.signatures import SCHEME, SignatureParams
from detector.text.normalize import NORMALIZER_VERSION

# 2: the SQLite band table became packed runs of blocks (store/band_runs.py); an index of an
# older format is refused with how to rebuild it.
FORMAT = "detector.index/2"
# Ranges a manifest must respect before anything is computed from it: LIMITS.manifest_*.


@dataclass(frozen=True)
class Manifest:
    format: str
    normalizer_version: int
    scheme: str
    shingle_size: int
    num_perm: int
    seed: int
    lsh_threshold: float
    bands: int
    rows: int
    chunk_tokens: int
    min_passage_tokens: int

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    def public(self) -> dict[str, object]:
        return dict(sorted(asdict(self).items()))

    @staticmethod
    def for_settings(settings: Mapping[str, Any], params: SignatureParams) -> Manifest:
        """The manifest of an index built with ``settings`` (``Settings.manifest()``)."""
        return Manifest(
            format=FORMAT,
            normalizer_version=NORMALIZER_VERSION,
            scheme=SCHEME,
            bands=params.bands,
            rows=params.rows,
            **settings,
        )

    def settings(self) -> dict[str, Any]:
        """The settings it was built with, as ``Settings.manifest()`` gives them."""
        return {name: getattr(self, name) for name in MANIFEST_FIELDS}

    @staticmethod
    def from_json(raw: str, where: str) -> Manifest:
        try:
            data = safe_json.loads(raw)
            manifest = Manifest(**data)
        except (ValueError, TypeError) as err:
            raise IndexFileError(f"{where}: the index manifest is unreadable ({err})") from err
        problem = manifest.problem()
        if problem is not None:
            raise IndexFileError(f"{where}: the index manifest is corrupt ({problem})")
        return manifest

    def problem(self) -> str | None:
        """What is wrong with the values (types and ranges), or None."""
        for f in fields(self):
            value = getattr(self, f.name)
            kinds: dict[str, type | tuple[type, ...]] = {"str": str, "int": int, "float": (int, float)}
            kind = kinds[str(f.type)]
            if isinstance(value, bool) or not isinstance(value, kind):
                return f"{f.name} is {type(value).__name__}, not {f.type}"
        counts = {
            "num_perm": (self.num_perm, LIMITS.manifest_max_perm),
            "bands": (self.bands, LIMITS.manifest_max_perm),
            "rows": (self.rows, LIMITS.manifest_max_perm),
            "shingle_size": (self.shingle_size, LIMITS.manifest_max_tokens),
            "chunk_tokens": (self.chunk_tokens, LIMITS.manifest_max_tokens),
            "min_passage_tokens": (self.min_passage_tokens, LIMITS.manifest_max_tokens),
        }
        for name, (value, most) in counts.items():
            if not 1 <= value <= most:
                return f"{name} {value} is not between 1 and {most}"
        if self.bands * self.rows > self.num_perm:
            return f"bands x rows ({self.bands} x {self.rows}) exceeds num_perm ({self.num_perm})"
        if not 0 <= self.seed < LIMITS.manifest_max_seed:
            return f"seed {self.seed} is out of range"
        if not 0.0 < self.lsh_threshold < 1.0:
            return f"lsh_threshold {self.lsh_threshold} is not between 0 and 1"
        return None

    def differences(self, other: Manifest) -> list[str]:
        mine, theirs = asdict(self), asdict(other)
        return [f"{k} is {theirs[k]!r} in the index, {mine[k]!r} here" for k in mine if mine[k] != theirs[k]]


def read_manifest(
    raw_manifest: str, raw_permutations: str | bytes | None, expected: Manifest | None, where: str
) -> tuple[Manifest, SignatureParams]:
    """The manifest and permutations an index holds, checked the same way for every store:
    the format, the settings it was built with (against ``expected``), readable permutations."""
    manifest = Manifest.from_json(raw_manifest, where)
    if manifest.format != FORMAT:
        raise IndexFileError(
            f"{where}: index format {manifest.format!r} is not {FORMAT!r}: rebuild it into a new"
            " index (`detector index SOURCE... --index NEW`)"
        )
    if expected is not None:
        diffs = expected.differences(manifest)
        if diffs:
            raise IndexFileError(
                f"{where}: built with other settings ({'; '.join(diffs)}): rebuild it with detector index"
            )
    try:
        perms = safe_json.loads(raw_permutations or "")
        params = SignatureParams(
            manifest.num_perm, manifest.seed, manifest.bands, manifest.rows, tuple(perms[0]), tuple(perms[1])
        )
    except (ValueError, TypeError, IndexError, KeyError) as err:
        raise IndexFileError(f"{where}: the index permutations are unreadable") from err
    if not (
        isinstance(perms, list)
        and len(perms) == 2
        and all(len(row) == manifest.num_perm for row in (params.a, params.b))
        and all(type(x) is int and 0 <= x < 2**32 for row in (params.a, params.b) for x in row)
    ):
        shape = f"2 x {manifest.num_perm}"
        raise IndexFileError(f"{where}: the index permutations are corrupt (not {shape} numbers)")
    return manifest, params
