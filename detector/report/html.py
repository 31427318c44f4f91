"""Self-contained HTML report rendered from the scan JSON dict (``CONTRACT.md``).

``detector scan --report DIR`` and ``detector report SCAN.json --out DIR`` both call
``write_html_report``, which reads nothing but that dict. It writes ``DIR/index.html`` and one report
per page under ``DIR/pages/`` (names from ``html_scan.page_filenames``: safe and deterministic).

Every string from a page, a source or the settings is untrusted. Defences, each enough on its own
against the worst case (running script):
- jinja2 autoescape on every ``{{ }}``; the ``v`` filter also isolates and names bidi controls and
  draws C0 controls, so that they can neither reorder nor hide parts of the report;
- data islands (``<script type="application/json">``) escape ``<``, ``>`` and ``&`` as ``\\u003c``...;
- the script builds nodes with ``textContent`` only, never ``innerHTML``; links go only to our own
  report files, or to http(s) URLs with ``rel="noopener noreferrer nofollow"``;
- a Content-Security-Policy allows only our one inline script (by its sha256) and loads nothing.

Review decisions live in the browser (``html_review``): fingerprints reach the page only as escaped
attribute values and JSON, notes only through ``textContent`` and form values, and an imported or
stored decisions file is validated against the contract's schema before it is used.

Modules: ``html_scan`` (reading the untrusted dict), ``html_index`` / ``html_page`` (one frozen
context dataclass per template, and its builder), ``segments`` (highlight spans without nesting).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from detector.decisions import Decisions
from detector.report.html_index import IndexContext, index_context
from detector.report.html_page import PageContext, page_context
from detector.report.html_review import review_data
from detector.report.html_scan import (
    PAGES_DIR,
    Shared,
    decimal,
    flat,
    mapping,
    maps,
    page_filenames,
    percent,
    pretty,
    text,
    visible,
    width,
)
from detector.safe_write import real_folder, write_text_atomically

__all__ = ["CONTEXTS", "IndexContext", "PageContext", "environment", "write_html_report"]

# The template each context dataclass renders (tests check that they match field for field).
CONTEXTS: dict[str, type[Any]] = {"index.html": IndexContext, "page.html": PageContext}


def environment() -> Environment:
    """The jinja2 environment: autoescape for .html, StrictUndefined, the report's filters."""
    env = Environment(
        loader=PackageLoader("detector.report", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True, default=False),
        undefined=StrictUndefined,
    )
    env.filters["v"] = visible
    env.filters["flat"] = flat
    env.filters["w"] = width
    env.filters["pct"] = percent
    env.filters["num"] = decimal
    return env


def _script(env: Environment, name: str) -> tuple[Markup, str]:
    """Our inline script and its Content-Security-Policy."""
    code = env.get_template(name).render()
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
    csp = (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    return Markup(code), csp


def _render(env: Environment, context: IndexContext | PageContext) -> str:
    name = next(n for n, cls in CONTEXTS.items() if isinstance(context, cls))
    return env.get_template(name).render({f.name: getattr(context, f.name) for f in fields(context)})


def write_html_report(scan: Mapping[str, Any], out_dir: Path, *, decisions: Decisions | None = None) -> Path:
    """Render index.html and one page report per scanned page from a scan JSON dict (CONTRACT.md form).

    ``decisions``: the file the scan's decisions came from (its ``by`` and ``at`` survive an export).
    Returns the index path.
    """
    out_dir = Path(out_dir)
    env = environment()
    pages = maps(scan.get("pages"))
    names = page_filenames([text(p.get("uri")) for p in pages])
    href_of: dict[str, str] = {}
    for page, name in zip(pages, names, strict=True):
        href_of.setdefault(text(page.get("uri")), name)
    tool = mapping(scan.get("tool"))
    tool_name = f"{text(tool.get('name')) or 'detector'} {text(tool.get('version'))}".strip()
    style = Markup(env.get_template("style.css").render())
    footer = (tool_name, pretty(scan.get("settings")), pretty(scan.get("index")))
    sources = mapping(scan.get("sources"))
    review = review_data(pages, scan, decisions)

    # Our own folders and files replace whatever is planted there (a symlink is replaced, not followed).
    real_folder(out_dir / PAGES_DIR)
    script, csp = _script(env, "page.js")
    shared = Shared(csp, style, *footer)
    for page, name in zip(pages, names, strict=True):
        context = page_context(page, sources, href_of, shared, script, review)
        write_text_atomically(out_dir / PAGES_DIR / name, _render(env, context))

    script, csp = _script(env, "index.js")
    context_index = index_context(scan, pages, names, Shared(csp, style, *footer), script, review)
    path = out_dir / "index.html"
    write_text_atomically(path, _render(env, context_index))
    return path
