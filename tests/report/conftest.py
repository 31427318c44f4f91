"""Shared fixtures of the report tests: rendered fixture reports and a headless Chromium.

Browser tests skip when /usr/bin/chromium or playwright is missing, except under
DETECTOR_REQUIRE_SYSTEM=1, where they fail: CI must not pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from detector.report.html import write_html_report
from detector.report.order import ordered_findings

from .scan_fixtures import demo_scan, schema

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"


def validate(scan: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema()).validate(scan)


@pytest.fixture(scope="session")
def demo() -> dict[str, Any]:
    """The hand-made demo scan, its findings in the contract's order (as a scan writes them)."""
    scan = demo_scan()
    for page in scan["pages"]:
        page["findings"] = ordered_findings(page["findings"])
    validate(scan)
    return scan


@pytest.fixture(scope="session")
def demo_report(demo: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo scan rendered once for the session: the path of its index.html."""
    return write_html_report(demo, tmp_path_factory.mktemp("report"))


def _missing(reason: str) -> None:
    if os.environ.get("DETECTOR_REQUIRE_SYSTEM") == "1":
        pytest.fail(f"{reason} (DETECTOR_REQUIRE_SYSTEM=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright (never `playwright install`)."""
    if not CHROMIUM.exists():
        _missing("no /usr/bin/chromium: apt-get install -y chromium fonts-wqy-microhei")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: pip install playwright")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


class Watched:
    """A page with every console error, page error, dialog and request recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.documents: set[str] = set()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.on("request", lambda r: self.requests.append(r.url))
        # Anything but a file:// document is refused even if a bug asked for it.
        page.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort(),
        )

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: Path) -> None:
        self.documents.add(path.as_uri())
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, java_script_enabled=True)
    page = context.new_page()
    try:
        yield Watched(page)
    finally:
        context.close()


@pytest.fixture
def w(watched: Watched) -> Iterator[Watched]:
    """A watched page; after the test, nothing broke and nothing left the file:// documents."""
    yield watched
    assert watched.errors == [], watched.errors
    assert watched.dialogs == [], watched.dialogs
    assert set(watched.requests) <= watched.documents, watched.requests  # only the documents themselves
    assert watched.page.evaluate("() => window.__pwned") is None


def screenshot(page: Any, name: str, **kwargs: Any) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), **kwargs)
    return path
