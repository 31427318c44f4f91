"""The report in a real headless Chromium: it works, runs nothing from the page, loads nothing.

Screenshots go to reports/screenshots/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detector.report.html import write_html_report
from detector.report.html_scan import page_filenames

from .conftest import Watched, screenshot
from .scan_fixtures import DUP_SENTENCE, EN_URI, HOSTILE_URI, SEED_URI, bare_page, minimal_scan

ROWS = "#rows tr"


def report(index: Path, uri: str) -> Path:
    return index.parent / "pages" / page_filenames([uri])[0]


def column(w: Watched, n: int) -> list[str]:
    return [str(t) for t in w.page.eval_on_selector_all(ROWS, f"rs => rs.map(r => r.cells[{n}].textContent)")]


def test_index_lists_every_page_and_sorts_filters_and_searches(
    w: Watched, demo: dict[str, Any], demo_report: Path
) -> None:
    w.goto(demo_report)
    uris = [p["uri"] for p in demo["pages"]]
    assert sorted(column(w, 0)) == sorted(uris)
    screenshot(w.page, "index.png", full_page=True)
    # sort by page uri, ascending then descending
    w.page.click('th[data-col="u"] button')
    assert column(w, 0) == sorted(uris)
    assert w.page.get_attribute('th[data-col="u"]', "aria-sort") == "ascending"
    w.page.click('th[data-col="u"] button')
    assert column(w, 0) == sorted(uris, reverse=True)
    # by top-source coverage: highest first, pages without a repost last
    w.page.click('th[data-col="c"] button')
    covers = [float(c.rstrip("%")) for c in column(w, 5) if c]
    assert covers == sorted(covers, reverse=True) and len(covers) == 4
    # filter by kind, severity, site
    w.page.select_option("#f-kind", "duplicate-page")
    assert sorted(column(w, 0)) == sorted(p["uri"] for p in demo["pages"] if "duplicate-page" in kinds(p))
    w.page.select_option("#f-kind", "")
    w.page.select_option("#f-sev", "error")
    assert column(w, 0) == ["mirror/broken/gbk-garbage.html"]
    w.page.select_option("#f-sev", "")
    w.page.select_option("#f-site", "www.qyxhx.com")
    assert len(column(w, 0)) == 3
    w.page.select_option("#f-site", "")
    # search the title, the text, a source title
    for query, expected in (("near-dup", [EN_URI]), ("三爪", ["mirror/www.qyxhx.com/products/chuck.html"])):
        w.page.fill("#q", query)
        wait_rows(w, len(expected), expected[0])
        assert column(w, 0) == expected
    w.page.fill("#q", "钱江晚报")
    wait_rows(w, 2)
    # the state is in the address, so going back from a page report restores the view
    assert "q=" in w.page.url
    w.page.click("#reset")
    assert len(column(w, 0)) == len(uris)


def wait_rows(w: Watched, n: int, first: str | None = None) -> None:
    """Wait for the debounced search to show ``n`` rows (a function: the CSP forbids eval)."""
    w.page.wait_for_function(
        "([sel, n, first]) => { const rs = document.querySelectorAll(sel);"
        " return rs.length === n && (first === null || rs[0].cells[0].textContent === first); }",
        arg=[ROWS, n, first],
    )


def kinds(page: dict[str, Any]) -> set[str]:
    return {f["kind"] for f in page["findings"]}


def test_index_paginates_ten_thousand_pages(w: Watched, tmp_path: Path) -> None:
    pages = [bare_page(f"p/{i:05d}.html", f"text {i}") for i in range(10_000)]
    index = write_html_report(minimal_scan(pages), tmp_path)
    w.goto(index)
    assert w.page.locator(ROWS).count() == 100
    assert w.page.text_content("#pageinfo") == "page 1 of 100"
    w.page.click('th[data-col="u"] button')
    w.page.click("#next")
    assert column(w, 0)[0] == "p/00100.html"
    w.page.fill("#q", "p/09999")
    wait_rows(w, 1)


def test_sites_list_their_pages_from_most_to_least_duplicated(w: Watched, demo_report: Path) -> None:
    w.goto(demo_report)
    w.page.click('details[data-si="0"] summary')
    items = w.page.eval_on_selector_all('details[data-si="0"] li a', "as => as.map(a => a.textContent)")
    assert items[-1] == "mirror/www.qyxhx.com/products/chuck.html"  # unique content: least duplicated
    assert len(items) == 3


def test_seed_report_highlights_copies_and_the_three_repeats(w: Watched, demo_report: Path) -> None:
    w.goto(report(demo_report, SEED_URI))
    assert w.page.locator("#text mark.c").count() > 8
    numbered = w.page.locator("#text mark[data-n]")
    assert numbered.count() == 3
    assert [numbered.nth(i).get_attribute("data-n") for i in range(3)] == ["1", "2", "3"]
    badge = w.page.evaluate(
        "() => getComputedStyle(document.querySelector('#text mark[data-n]'), '::before').content"
    )
    assert badge == '"1"'
    for i in range(3):
        assert (numbered.nth(i).text_content() or "").startswith(DUP_SENTENCE)
    screenshot(w.page, "seed-page.png")
    # The text box shows exactly the page text (boilerplate toggles aside).
    shown = w.page.evaluate(
        "() => { const c = document.getElementById('text').cloneNode(true);"
        " c.querySelectorAll('summary').forEach(s => s.remove()); return c.textContent; }"
    )
    assert shown == (report_text := _seed_text())
    assert DUP_SENTENCE in report_text
    # boilerplate: dimmed, and collapsible all at once
    assert w.page.locator("details.bp[open]").count() == 3
    w.page.click("#bp-toggle")
    assert w.page.locator("details.bp[open]").count() == 0
    assert w.page.is_hidden("details.bp >> text=发布时间")


def _seed_text() -> str:
    from .scan_fixtures import seed_text

    return seed_text()


def test_selecting_a_passage_shows_it_beside_the_source(w: Watched, demo_report: Path) -> None:
    w.goto(report(demo_report, SEED_URI))
    assert w.page.is_hidden("#drawer")
    w.page.locator("#text mark.c").nth(3).click()
    assert w.page.is_visible("#drawer")
    what = w.page.text_content("#d-what") or ""
    assert "similarity" in what and "阿里巴巴B2B十八年" in what
    left = w.page.text_content("#d-left") or ""
    right_mark = w.page.locator("#d-right mark").first.text_content() or ""
    assert left and right_mark and left.split("。")[0][-8:] in right_mark
    assert w.page.locator("#text mark.cur").count() >= 1
    screenshot(w.page, "seed-side-by-side.png")
    w.page.keyboard.press("Escape")
    assert w.page.is_hidden("#drawer")


def test_keyboard_walks_the_passages_and_repeats(w: Watched, demo_report: Path) -> None:
    w.goto(report(demo_report, SEED_URI))
    stops = w.page.evaluate("() => JSON.parse(document.getElementById('data').textContent).stops.length")
    w.page.keyboard.press("j")
    first = w.page.evaluate("() => document.querySelector('#text mark.cur').dataset.s")
    w.page.keyboard.press("Enter")
    assert w.page.is_visible("#drawer")
    seen = {first}
    for _ in range(stops - 1):
        w.page.keyboard.press("n")
        seen.add(w.page.evaluate("() => document.querySelector('#text mark.cur').dataset.s"))
    assert "Repeated passage" in (w.page.text_content("#d-what") or "") or len(seen) > 1
    whats = set()
    for _ in range(stops):
        w.page.keyboard.press("k")
        whats.add((w.page.text_content("#d-what") or "").split(" ")[0])
    assert {"Copied", "Repeated"} <= whats
    # a repeated passage lists the other page it is on, linked
    w.page.click('button[data-go="o' + _first_occurrence_id(w) + '"]')
    assert w.page.locator("#d-right a").count() == 1


def _first_occurrence_id(w: Watched) -> str:
    return str(
        w.page.evaluate(
            "() => JSON.parse(document.getElementById('data').textContent)"
            ".stops.find(s => s.t === 'o').id.slice(1)"
        )
    )


def test_hostile_page_runs_nothing_and_shows_its_text(w: Watched, demo_report: Path) -> None:
    w.goto(report(demo_report, HOSTILE_URI))
    w.page.locator("#text mark").first.click()
    w.page.keyboard.press("j")
    w.page.keyboard.press("Enter")
    w.page.hover("#text")
    assert "<script>window.__pwned=1" in (w.page.text_content("h1") or "")
    assert w.page.locator("bdi.bidi").count() >= 5
    assert w.page.evaluate("() => document.scripts.length") == 2
    screenshot(w.page, "hostile-page.png", full_page=True)
    w.goto(demo_report)
    w.page.fill("#q", "passwd")
    wait_rows(w, 1)
    assert w.page.locator("#rows img, #rows script").count() == 0


def test_error_and_english_pages_render(w: Watched, demo_report: Path) -> None:
    w.goto(report(demo_report, "mirror/broken/gbk-garbage.html"))
    assert "cannot decode" in (w.page.text_content("#error") or "")
    w.goto(report(demo_report, EN_URI))
    assert "Topic unknown" in (w.page.text_content("section.verdict") or "")


def test_phone_and_print_layouts(browser: Any, demo_report: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(report(demo_report, SEED_URI).as_uri())
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, "the page report scrolls sideways on a phone"
        screenshot(page, "seed-phone.png")
        page.goto(demo_report.as_uri())
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        screenshot(page, "index-phone.png", full_page=True)
        page.set_viewport_size({"width": 1024, "height": 1400})
        page.goto(report(demo_report, SEED_URI).as_uri())
        page.emulate_media(media="print")
        assert page.is_hidden(".keys")
        screenshot(page, "seed-print.png")
    finally:
        context.close()
