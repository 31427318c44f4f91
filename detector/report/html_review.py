"""What the report's review script needs (CONTRACT.md "Review decisions"), the same in every file.

The script keeps a reviewer's decisions in ``localStorage`` under ``detector.review/1:<id>``, as a
decisions file (``detector.decisions/1``) validated with ``SCHEMA`` on every read. ``id`` names the
report by its pages, their findings' fingerprints and the decisions it starts from: re-rendering the
same scan continues the review, and a report rendered with a newer decisions file starts from it.
Until the reviewer decides something, the review is ``init``: the decisions the scan JSON carries
(each finding's ``decision`` and ``summary.decisions.stale``), completed with ``by`` and ``at`` from
the decisions file when one was given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from detector.decisions import SCHEMA, STATUSES, Decisions
from detector.model import DECISION_OPTIONAL_FIELDS
from detector.report.html_scan import mapping, maps

STORAGE_PREFIX = "detector.review/1:"


def _entry(value: Mapping[str, Any]) -> dict[str, str] | None:
    """A well-formed decisions entry from an untrusted dict, or None."""
    fp, status = value.get("fingerprint"), value.get("decision")
    if not isinstance(fp, str) or not fp or status not in STATUSES:
        return None
    out = {"fingerprint": fp, "decision": str(status)}
    return out | {k: v for k in DECISION_OPTIONAL_FIELDS if isinstance(v := value.get(k), str)}


def initial_decisions(pages: Sequence[Mapping[str, Any]], scan: Mapping[str, Any]) -> list[dict[str, str]]:
    """The decisions the scan JSON carries, one per fingerprint (the first finding's), stale ones last."""
    seen: dict[str, dict[str, str]] = {}
    for page in pages:
        uri = page.get("uri")
        for f in maps(page.get("findings")):
            decision = mapping(f.get("decision"))
            raw = {"fingerprint": f.get("fingerprint"), "decision": decision.get("status")}
            raw |= {"kind": f.get("kind"), "uri": uri, "note": decision.get("note")}
            entry = _entry(raw)
            if entry is not None:
                seen.setdefault(entry["fingerprint"], entry)
    for stale in maps(mapping(mapping(scan.get("summary")).get("decisions")).get("stale")):
        entry = _entry(stale)
        if entry is not None:
            seen.setdefault(entry["fingerprint"], entry)
    return list(seen.values())


def review_data(
    pages: Sequence[Mapping[str, Any]], scan: Mapping[str, Any], decisions: Decisions | None
) -> dict[str, Any]:
    """``review`` of every data island: the storage key, the initial decisions, the schema."""
    init = initial_decisions(pages, scan)
    if decisions is not None:  # the file keeps who decided and when; the JSON does not
        extra = {e.fingerprint: e for e in decisions.entries}
        for entry in init:
            known = extra.get(entry["fingerprint"])
            if known is not None and known.decision == entry["decision"]:
                entry |= {k: v for k in ("by", "at") if (v := getattr(known, k)) is not None}
    shape = [[page.get("uri"), [f.get("fingerprint") for f in maps(page.get("findings"))]] for page in pages]
    digest = hashlib.sha256(
        json.dumps([shape, init], ensure_ascii=False, sort_keys=True, default=str).encode("utf-8", "replace")
    ).hexdigest()
    return {"key": STORAGE_PREFIX + digest[:20], "init": init, "schema": SCHEMA}
