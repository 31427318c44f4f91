"""The index manifest: every setting that changes a signature or a band key.

An index built with other settings would answer queries silently wrong, so opening one
with a manifest that differs from the current settings is refused with the differences named.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from detector.config import MANIFEST_FIELDS
from detector.errors import IndexFileError
from detector.store.signatures import SCHEME, SignatureParams
from detector.text.normalize import NORMALIZER_VERSION

FORMAT = "detector.index/1"


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
            data = json.loads(raw)
            return Manifest(**data)
        except (ValueError, TypeError) as err:
            raise IndexFileError(f"{where}: the index manifest is unreadable ({err})") from err

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
        raise IndexFileError(f"{where}: index format {manifest.format!r} is not {FORMAT!r}")
    if expected is not None:
        diffs = expected.differences(manifest)
        if diffs:
            raise IndexFileError(f"{where}: built with other settings: {'; '.join(diffs)}")
    try:
        perms = json.loads(raw_permutations or "")
        params = SignatureParams(
            manifest.num_perm, manifest.seed, manifest.bands, manifest.rows, tuple(perms[0]), tuple(perms[1])
        )
    except (ValueError, TypeError, IndexError, KeyError) as err:
        raise IndexFileError(f"{where}: the index permutations are unreadable") from err
    return manifest, params
