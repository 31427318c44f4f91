"""Reading the untrusted scan dict for the HTML report: coercion, escaping helpers, links, file names.

The scan JSON may come from a file the user hands to ``detector report``; every value may be absent,
of the wrong type, or hostile. Nothing here raises on odd input: a missing string reads as "", a
non-number as None, a non-list as [].
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from detector.config import LIMITS

SEVERITIES = ("info", "low", "medium", "high")
KINDS = ("repost", "off-topic-repost", "off-topic", "duplicate-passage", "duplicate-page")
REPOST_KINDS = ("repost", "off-topic-repost")
TOPIC_KINDS = ("off-topic-repost", "off-topic")
RANKS = ("none", *SEVERITIES, "error")  # a page's worst severity, as the index sorts it
PAGES_DIR = "pages"

BIDI = {
    "\u061c": "ALM",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
}
# Bidi controls, and C0 controls other than tab, line feed and carriage return, and DEL.
INVISIBLE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def text(value: Any) -> str:
    """A display string; lone surrogates (valid in JSON, not in UTF-8) become U+FFFD, same length."""
    if value is None:
        return ""
    out = value if isinstance(value, str) else str(value)
    return _SURROGATE.sub("\ufffd", out)


def opt(value: Any) -> str | None:
    return None if value is None else text(value)


def num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def maps(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def strs(value: Any) -> list[str]:
    return [text(v) for v in value] if isinstance(value, list) else []


def _show_invisible(match: re.Match[str]) -> str:
    char = match.group()
    name = BIDI.get(char)
    if name is not None:
        # <bdi> confines the control to itself; style.css shows its name.
        return f'<bdi class="bidi" data-c="{name}">{char}</bdi>'
    code = ord(char)
    picture = chr(0x2400 + code) if code < 0x20 else "\u2421"
    return f'<span class="cc" title="U+{code:04X}">{picture}</span>'


def visible(value: Any) -> Markup:
    """Escaped text in which bidi controls are isolated and named, and C0 controls drawn as symbols."""
    return Markup(INVISIBLE.sub(_show_invisible, str(escape(text(value)))))


def flat(value: Any) -> str:
    """Text with bidi and C0 controls replaced by visible names, for places that hold no markup."""

    def name(match: re.Match[str]) -> str:
        char = match.group()
        return f"\u27e6{BIDI.get(char) or f'U+{ord(char):04X}'}\u27e7"

    return INVISIBLE.sub(name, text(value))


def width(value: Any) -> str:
    """A CSS percentage for a 0..1 value (bars and gauges)."""
    return f"{max(0.0, min(1.0, num(value) or 0.0)) * 100:.1f}%"


def percent(value: Any) -> str:
    number = num(value)
    return "—" if number is None else f"{number * 100:.1f}%"


def decimal(value: Any) -> str:
    number = num(value)
    return "—" if number is None else f"{number:.2f}"


def http_href(url: Any) -> str | None:
    """``url`` when it is a plain http(s) URL that may become a link, else None (shown as text)."""
    if not isinstance(url, str) or INVISIBLE.search(url) or re.search(r"[\s\"'<>\\`]", url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and host else None


def json_island(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">``: ``</script>`` and ``<!--`` cannot occur in it."""
    out = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    out = out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(_SURROGATE.sub("\ufffd", out))


def pretty(value: Any, limit: int = 20000) -> str:
    """Settings and manifests for the footer, as indented JSON, cut at ``limit`` characters."""
    out = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return out if len(out) <= limit else out[:limit] + f"\n… ({len(out) - limit} more characters)"


def page_filenames(uris: Sequence[str]) -> list[str]:
    """One safe, deterministic file name per uri: ``<ascii-slug>-<sha256[:12]>.html``.

    Only ``[a-z0-9-]`` survive in the slug, so no name can hold a separator, ``..``, a drive, NUL or
    a reserved device name, or exceed 66 characters; a repeated uri gets a distinct hash.
    """
    names: list[str] = []
    taken: set[str] = set()
    for uri in uris:
        raw = text(uri)
        slug = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")
        if len(slug) > LIMITS.slug_chars:  # keep the end (it tells pages apart best), from a word start
            tail = slug[-LIMITS.slug_chars:]
            slug = tail.partition("-")[2] or tail
        slug = slug or "page"
        salt = 0
        while True:
            key = raw if salt == 0 else f"{raw}\x00{salt}"
            name = f"{slug}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}.html"
            if name not in taken:
                break
            salt += 1
        taken.add(name)
        names.append(name)
    return names


# --- what the index and the page reports both read ----------------------------------------------


def dismissed(finding: Mapping[str, Any]) -> bool:
    """A finding a reviewer dismissed: shown, but counted nowhere."""
    return mapping(finding.get("decision")).get("status") == "dismissed"


def worst(page: Mapping[str, Any]) -> str:
    """``error``, ``none`` or the highest severity of the page's findings (dismissed ones aside)."""
    if page.get("error") is not None:
        return "error"
    ranks = [
        SEVERITIES.index(f["severity"])
        for f in maps(page.get("findings"))
        if f.get("severity") in SEVERITIES and not dismissed(f)
    ]
    return SEVERITIES[max(ranks)] if ranks else "none"


def content(page: Mapping[str, Any]) -> dict[str, float | None] | None:
    shares = page.get("content")
    if not isinstance(shares, Mapping):
        return None
    return {k: num(shares.get(k)) for k in ("unique", "shared", "copied")}


def duplicated(shares: Mapping[str, Any] | None) -> float | None:
    """The duplicated share of main text: all but its unique part (shared on the site or copied)."""
    if not shares:
        return None
    unique = num(shares.get("unique"))
    if unique is not None:
        return max(0.0, min(1.0, 1.0 - unique))
    parts = [x for x in (num(shares.get("shared")), num(shares.get("copied"))) if x is not None]
    return min(1.0, sum(parts)) if parts else None


@dataclass(frozen=True)
class SourceView:
    """A source named by a finding; ``url_href`` is set only for a safe http(s) URL."""

    id: str
    title: str
    uri: str
    url: str
    url_href: str | None
    category: str | None


def source_view(ref: Any, sources: Mapping[str, Any]) -> SourceView:
    """The finding's source reference, completed from the scan's ``sources`` where it is silent."""
    ref = mapping(ref)
    sid = text(ref.get("id"))
    full = mapping(sources.get(sid))

    def pick(key: str) -> str | None:
        value = ref.get(key)
        return opt(value if value is not None else full.get(key))

    uri, url = pick("uri") or "", pick("url") or ""
    title = pick("title") or uri or sid or "(untitled source)"
    return SourceView(sid, title, uri, url, http_href(url), pick("category"))


@dataclass(frozen=True)
class Shared:
    """What the index and every page report show alike: the CSP, the style, the footer."""

    csp: str
    style: Markup
    tool: str
    settings_json: str
    index_json: str
