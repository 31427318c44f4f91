"""Reviewing in a real headless Chromium: decide with the mouse and the keyboard, reload, export, import.

The review is kept in the browser per report (localStorage) and exported as decisions.json, which
``scan``, ``check`` and ``report`` read back (CONTRACT.md "Review decisions"). Screenshots of a review
in progress go to reports/screenshots/ (ignored by git).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from detector.report.html import write_html_report
from tests.conftest import CliRun, validate_scan

from .conftest import Watched, screenshot
from .scan_fixtures import COPY_URI, HOSTILE_URI, SEED_URI, XSS, fresh
from .test_report_browser import report

DECISIONS_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "contract" / "decisions.schema.json").read_text(encoding="utf-8")
)
CARDS = "#findings .finding[data-fingerprint]"


def states(w: Watched) -> list[str | None]:
    """Each finding card's decision, as its pressed button says."""
    cards = w.page.locator(CARDS)
    out: list[str | None] = []
    for i in range(cards.count()):
        pressed = cards.nth(i).locator('button[data-decision][aria-pressed="true"]')
        out.append(pressed.get_attribute("data-decision") if pressed.count() else None)
    return out


def export(w: Watched, dest: Path) -> dict[str, Any]:
    """Click "Export decisions", keep the download, check it against the contract's schema."""
    with w.page.expect_download() as info:
        w.page.click('[data-action="export-decisions"]')
    download = info.value
    assert download.suggested_filename == "decisions.json"
    download.save_as(str(dest))
    data: dict[str, Any] = json.loads(dest.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(DECISIONS_SCHEMA).validate(data)
    return data


def test_decide_with_mouse_and_keyboard_survives_a_reload_and_shows_on_the_index(
    w: Watched, demo: dict[str, Any], demo_report: Path, tmp_path: Path
) -> None:
    w.goto(report(demo_report, SEED_URI))
    cards = w.page.locator(CARDS)
    assert cards.count() == 3 and states(w) == [None, None, None]
    fps = [cards.nth(i).get_attribute("data-fingerprint") for i in range(3)]
    assert fps == [f["fingerprint"] for f in demo["pages"][0]["findings"]]
    # the mouse: dismiss the first finding, with a note
    cards.nth(0).locator('button[data-decision="dismissed"]').click()
    assert states(w) == ["dismissed", None, None]
    note = cards.nth(0).locator("input.note")
    note.fill("syndicated <b>with</b> permission")
    note.press("Enter")
    # the keyboard: next finding, confirm; next, allow; allow again undecides; then allow once more
    w.page.keyboard.press("f")
    w.page.keyboard.press("c")
    w.page.keyboard.press("f")
    w.page.keyboard.press("a")
    assert states(w) == ["dismissed", "confirmed", "allowed"]
    w.page.keyboard.press("a")
    assert states(w) == ["dismissed", "confirmed", None]
    w.page.keyboard.press("b")
    w.page.keyboard.press("u")  # undecide the confirmed one
    w.page.keyboard.press("f")
    w.page.keyboard.press("a")
    assert states(w) == ["dismissed", None, "allowed"]
    assert "cur-f" in (cards.nth(2).get_attribute("class") or "")
    assert w.page.text_content("#review-count") == "2 of 3 findings decided."
    w.page.keyboard.press("j")  # the passage keys still walk the text
    assert w.page.locator("#text mark.cur").count() >= 1
    screenshot(w.page, "review-page.png")
    # a reload keeps it all
    w.page.reload()
    assert states(w) == ["dismissed", None, "allowed"]
    assert cards.nth(0).locator("input.note").input_value() == "syndicated <b>with</b> permission"
    assert cards.nth(0).locator(".note-print b, .decide b").count() == 0
    assert cards.nth(0).locator(".note-print").text_content() == "note: syndicated <b>with</b> permission"
    w.page.locator("#review").scroll_into_view_if_needed()
    screenshot(w.page, "review-page-reloaded.png")
    assert "line-through" in w.page.evaluate(
        "() => getComputedStyle(document.querySelector('.finding.dec-dismissed .msg')).textDecorationLine"
    )
    # the index counts decisions per page (the copy page shares the seed's fingerprints)
    w.goto(demo_report)
    rows = {
        r[0]: r[1]
        for r in w.page.eval_on_selector_all(
            "#rows tr", "rs => rs.map(r => [r.cells[0].textContent, r.cells[6].textContent])"
        )
    }
    assert rows[SEED_URI] == rows[COPY_URI] == "1 dismissed1 allowed1 undecided"
    total = sum(len(p["findings"]) for p in demo["pages"])
    assert w.page.text_content("#decided") == f"4 / {total}"
    w.page.select_option("#f-review", "dismissed")
    assert sorted(rows_shown(w)) == sorted([SEED_URI, COPY_URI])
    w.page.select_option("#f-review", "undecided")
    undecided = rows_shown(w)
    assert SEED_URI in undecided and "mirror/www.qyxhx.com/products/chuck.html" not in undecided
    screenshot(w.page, "review-index.png", full_page=True)


def rows_shown(w: Watched) -> list[str]:
    return [str(u) for u in w.page.eval_on_selector_all("#rows tr a", "as => as.map(a => a.textContent)")]


def test_export_downloads_the_contract_file_and_import_continues_a_review(
    w: Watched, demo_report: Path, tmp_path: Path
) -> None:
    w.goto(report(demo_report, SEED_URI))
    card = w.page.locator(CARDS + '[data-kind="duplicate-passage"]').first
    card.locator('button[data-decision="confirmed"]').click()
    card.locator("input.note").fill("copied from the portal")
    card.locator("input.note").press("Enter")
    data = export(w, tmp_path / "decisions.json")
    [entry] = data["decisions"]
    assert entry["fingerprint"] == card.get_attribute("data-fingerprint")
    assert (entry["decision"], entry["kind"], entry["uri"]) == ("confirmed", "duplicate-passage", SEED_URI)
    assert entry["note"] == "copied from the portal" and entry["at"].endswith("Z")
    assert "Exported 1 decision" in (w.page.text_content("#review-msg") or "")

    # a second reviewer, in another browser profile, continues from the file
    context = w.page.context.browser.new_context()
    try:
        other = Watched(context.new_page())
        other.goto(demo_report)
        assert other.page.text_content("#decided") == "0 / 11"
        other.page.set_input_files("#import-file", str(tmp_path / "decisions.json"))
        other.page.wait_for_function("() => document.getElementById('decided').textContent === '2 / 11'")
        assert "Imported 1 decision, 1 for findings in this report" in (
            other.page.text_content("#review-msg") or ""
        )
        other.goto(report(demo_report, COPY_URI))
        cards = other.page.locator(CARDS)
        shown = [(cards.nth(i).get_attribute("data-fingerprint"), s) for i, s in enumerate(states(other))]
        assert [s for fp, s in shown if fp == entry["fingerprint"]] == ["confirmed"]
        assert sum(1 for _, s in shown if s) == 1 and len(shown) == 3
        assert other.errors == [] and set(other.requests) <= other.documents
    finally:
        context.close()


REFUSED = [
    (
        '{"schema": "detector.decisions/1", "decisions": [{"fingerprint": "x", "decision": "maybe"}]}',
        "decisions[0].decision: must be one of confirmed, dismissed, allowed",
    ),
    ('{"schema": "detector.baseline/1", "findings": []}', 'schema: must be "detector.decisions/1"'),
    (
        '{"schema": "detector.decisions/1", "decisions": [{"fingerprint": "", "decision": "allowed"}]}',
        "decisions[0].fingerprint: must not be empty",
    ),
    ("<script>window.__pwned=1</script>", "not a JSON file"),
    ("[" * 200_000, "not a JSON file"),
]


@pytest.mark.parametrize(("content", "problem"), REFUSED)
def test_import_refuses_a_file_that_does_not_match_the_schema(
    w: Watched, demo_report: Path, tmp_path: Path, content: str, problem: str
) -> None:
    w.goto(report(demo_report, SEED_URI))
    w.page.locator(CARDS).nth(0).locator('button[data-decision="allowed"]').click()
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    w.page.set_input_files("#import-file", str(bad))
    w.page.wait_for_function(
        "() => document.getElementById('review-msg').textContent.startsWith('Not imported')"
    )
    assert problem in (w.page.text_content("#review-msg") or "")
    assert states(w) == ["allowed", None, None]  # nothing of the file was taken


def test_hostile_fingerprints_and_notes_stay_text_and_export_exactly(
    w: Watched, demo: dict[str, Any], tmp_path: Path
) -> None:
    scan = fresh(demo)
    hostile = next(p for p in scan["pages"] if p["uri"] == HOSTILE_URI)
    hostile["findings"][0]["fingerprint"] = '<fp><script>window.__pwned=1;alert("x")</script>'
    hostile["findings"][1]["fingerprint"] = "__proto__"
    hostile["findings"][2]["fingerprint"] = '"]\'><img src=x onerror="window.__pwned=1">'
    index = write_html_report(scan, tmp_path / "r")
    w.goto(report(index, HOSTILE_URI))
    cards = w.page.locator(CARDS)
    fps = [cards.nth(i).get_attribute("data-fingerprint") for i in range(cards.count())]
    assert fps[0] == '<fp><script>window.__pwned=1;alert("x")</script>' and fps[1] == "__proto__"
    for i in range(3):
        w.page.keyboard.press("f" if i else "c")
        if i:
            w.page.keyboard.press("d")
    note = cards.nth(2).locator("input.note")
    note.fill(XSS + "\u202e")
    note.press("Enter")
    w.page.reload()
    assert states(w)[:3] == ["confirmed", "dismissed", "dismissed"]
    assert w.page.evaluate("() => document.scripts.length") == 2
    assert w.page.locator("#findings img, #findings script, #findings svg").count() == 0
    screenshot(w.page, "review-hostile.png")
    data = export(w, tmp_path / "decisions.json")
    assert sorted(d["fingerprint"] for d in data["decisions"]) == sorted(fps[:3])
    assert next(d for d in data["decisions"] if d["fingerprint"] == fps[2])["note"] == XSS + "\u202e"


def test_damaged_storage_is_ignored_and_the_report_starts_from_its_decisions(
    w: Watched, demo: dict[str, Any], tmp_path: Path
) -> None:
    scan = fresh(demo)
    seed = scan["pages"][0]
    seed["findings"][0]["decision"] = {"status": "allowed", "note": "licensed"}
    index = write_html_report(scan, tmp_path / "r")
    w.goto(report(index, SEED_URI))
    assert states(w) == ["allowed", None, None]  # from the scan JSON, before any script state
    key = w.page.evaluate("() => JSON.parse(document.getElementById('data').textContent).review.key")
    for junk in ("{", '{"schema": "detector.decisions/1", "decisions": [{"fingerprint": 1}]}', "null"):
        w.page.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, junk])
        w.page.reload()
        assert states(w) == ["allowed", None, None], junk


def test_the_loop_scan_review_export_then_scan_check_and_report_honour_it(
    w: Watched, cli: CliRun, demo_index: Path, tmp_path: Path
) -> None:
    pages = "corpus/pages/english-blog"
    out = tmp_path / "review"
    result = cli(
        "scan", pages, "--index", str(demo_index), "--json", str(tmp_path / "scan.json"), "--report", str(out)
    )
    assert result.exit_code == 0, result.output
    scan = json.loads((tmp_path / "scan.json").read_text(encoding="utf-8"))
    by_kind = {f["kind"]: (p["uri"], f) for p in scan["pages"] for f in p["findings"]}
    assert set(by_kind) == {"repost", "duplicate-passage"}
    repost_uri, dup_uri = by_kind["repost"][0], by_kind["duplicate-passage"][0]
    # review: allow the repost with the mouse, dismiss the duplicate with the keyboard
    w.goto(report(out / "index.html", repost_uri))
    w.page.click(f'{CARDS} button[data-decision="allowed"]')
    w.goto(report(out / "index.html", dup_uri))
    w.page.keyboard.press("f")
    w.page.keyboard.press("d")
    w.page.keyboard.press("e")
    w.page.keyboard.type("the same tip, twice on purpose")
    w.page.keyboard.press("Enter")
    w.goto(out / "index.html")
    # Chromium hands localStorage between the renderers of two pages asynchronously: on a busy
    # machine the index could load before the page reports' decisions reached it, and its
    # "storage" event brings them in later (one CI run exported none). Export once it has them.
    w.page.wait_for_function("() => document.getElementById('decided').textContent.startsWith('2 / ')")
    decisions = tmp_path / "decisions.json"
    data = export(w, decisions)
    assert [d["decision"] for d in sorted(data["decisions"], key=lambda d: d["uri"])] == [
        "allowed",
        "dismissed",
    ]

    failing = ("--fail-on", "low")
    assert cli("scan", pages, "--index", str(demo_index), *failing).exit_code == 1
    again = cli(
        "scan", pages, "--index", str(demo_index), *failing, "--decisions", str(decisions), "--json", "-"
    )
    assert again.exit_code == 0, again.output
    rescanned = json.loads(again.stdout)
    validate_scan(rescanned)
    assert rescanned["summary"]["severities"] == {"info": 1}
    assert rescanned["summary"]["decisions"] == {"confirmed": 0, "dismissed": 1, "allowed": 1, "stale": []}
    assert cli("check", pages, "--index", str(demo_index)).exit_code == 1
    assert cli("check", pages, "--index", str(demo_index), "--decisions", str(decisions)).exit_code == 0
    assert (
        cli(
            "report",
            str(tmp_path / "scan.json"),
            "--out",
            str(tmp_path / "next"),
            "--decisions",
            str(decisions),
        ).exit_code
        == 0
    )
    w.goto(report(tmp_path / "next" / "index.html", dup_uri))
    assert states(w) == ["dismissed"]
    assert w.page.locator(f"{CARDS} input.note").input_value() == "the same tip, twice on purpose"
    again_data = export(w, tmp_path / "again.json")
    assert sorted(again_data["decisions"], key=lambda d: d["uri"]) == sorted(
        data["decisions"], key=lambda d: d["uri"]
    )
