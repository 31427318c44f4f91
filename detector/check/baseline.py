"""Baselines: the findings a repository has accepted, so that a check reports only new ones.

The file is JSON, one entry per finding, sorted::

    {"schema": "detector.baseline/1",
     "findings": [{"fingerprint": "...", "kind": "duplicate-passage", "path": "docs/guide.md"}, ...]}

``path`` is relative to the project root (so the baseline holds wherever the check runs from) and the
fingerprint comes from the kind and the normalised text involved (CONTRACT.md), never from offsets: editing
other lines of a file keeps its findings accepted. Entries are counted: each accepts one finding, so a
second finding with the same fingerprint in the same file is new.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detector import safe_json
from detector.errors import BaselineError
from detector.filemode import apply_umask

SCHEMA = "detector.baseline/1"


@dataclass(frozen=True, order=True)
class BaselineEntry:
    path: str
    kind: str
    fingerprint: str


@dataclass(frozen=True)
class BaselineSplit:
    new: tuple[int, ...]  # indexes of the findings that are not in the baseline
    known: tuple[int, ...]  # indexes of the findings the baseline accepts
    stale: int  # baseline entries that match no finding any more


def split(baseline: Sequence[BaselineEntry], findings: Sequence[BaselineEntry]) -> BaselineSplit:
    """Which findings the baseline accepts; each entry accepts one finding."""
    left: Counter[BaselineEntry] = Counter(baseline)
    new: list[int] = []
    known: list[int] = []
    for i, entry in enumerate(findings):
        if left[entry] > 0:
            left[entry] -= 1
            known.append(i)
        else:
            new.append(i)
    return BaselineSplit(tuple(new), tuple(known), sum(left.values()))


def read_baseline(path: Path) -> tuple[BaselineEntry, ...]:
    """Read a baseline; a missing, truncated or foreign file is a BaselineError naming it."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no such baseline file (create it with --write-baseline {path})"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise BaselineError(f"{path}: baseline cannot be read ({err})") from None
    try:
        data: Any = safe_json.loads(raw)
    except ValueError as err:
        raise BaselineError(f"{path}: not a detector baseline (invalid JSON: {err})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise BaselineError(f"{path}: not a detector baseline (schema is not {SCHEMA})")
    items = data.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f'{path}: not a detector baseline ("findings" is not a list)')
    entries: list[BaselineEntry] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) and item.get(k) for k in ("fingerprint", "kind", "path")
        ):
            raise BaselineError(f'{path}: finding {n} needs "fingerprint", "kind" and "path" strings')
        entries.append(BaselineEntry(item["path"], item["kind"], item["fingerprint"]))
    return tuple(entries)


def dumps_baseline(entries: Iterable[BaselineEntry]) -> str:
    ordered = sorted(entries)
    data = {
        "schema": SCHEMA,
        "findings": [{"fingerprint": e.fingerprint, "kind": e.kind, "path": e.path} for e in ordered],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_baseline(path: Path, entries: Iterable[BaselineEntry]) -> None:
    """Write the baseline whole or not at all: an interrupted run leaves the old one intact."""
    text = dumps_baseline(entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            apply_umask(fh.fileno())
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
