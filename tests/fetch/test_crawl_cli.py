"""`detector scan URL --crawl` against a live site on 127.0.0.1: what is fetched, what is not,
and the JSON, WARC and exit code that come out."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from detector import __version__
from detector.cli import main
from tests.conftest import ROOT, validate_scan
from tests.fetch.conftest import GBK_TEXT, build_site
from tests.fetch.site import Site, serve


@dataclass
class Crawl:
    site: Site
    exit_code: int
    stderr: str
    data: dict[str, Any]
    warc: Path
    report: Path


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    out = tmp_path_factory.mktemp("crawl")
    site = Site()
    with serve(site):
        build_site(site)
        args = [
            "scan", site.base + "/", "--crawl", "--delay", "0",
            "--json", str(out / "scan.json"), "--save-warc", str(out / "crawl.warc.gz"),
            "--report", str(out / "report"),
        ]  # fmt: skip
        r = CliRunner().invoke(main, args, catch_exceptions=False)
        data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
        yield Crawl(site, r.exit_code, r.stderr, data, out / "crawl.warc.gz", out / "report")


def page_paths(c: Crawl) -> list[str]:
    return [p["url"].removeprefix(c.site.base) for p in c.data["pages"]]


def error_paths(c: Crawl) -> dict[str, str]:
    return {e["url"].removeprefix(c.site.base): e["error"] for e in c.data["summary"]["fetch_errors"]}


def test_crawl_exits_0_with_failed_links_listed_in_fetch_errors(crawl: Crawl) -> None:
    validate_scan(crawl.data)
    assert crawl.exit_code == 0
    errors = error_paths(crawl)
    assert errors["/missing.html"] == "HTTP 404 Not Found"
    assert errors["/loop/a"] == "redirect loop"
    assert "detector: warning:" in crawl.stderr and "/missing.html" in crawl.stderr


def test_crawl_follows_links_base_href_and_the_sitemap_breadth_first(crawl: Crawl) -> None:
    paths = page_paths(crawl)
    assert paths[:4] == ["/", "/news/1.html", "/news/2.html", "/gbk.html"]  # the home page's links in order
    assert "/news/3.html" in paths  # listed only in the sitemap
    assert "/news/4.html" in paths  # '4.html' under <base href="/news/">
    assert "/base/4.html" not in crawl.site.paths()
    assert paths.count("/news/1.html") == 1  # '#comments' and the 2,000 repeats are the same page
    assert crawl.site.paths().count("/news/1.html") == 1


def test_crawl_obeys_robots_txt_disallow_and_sends_the_user_agent(crawl: Crawl) -> None:
    requested = crawl.site.paths()
    assert requested[0] == "/robots.txt"
    assert not [p for p in requested if p.startswith("/private/")]
    assert error_paths(crawl)["/private/secret.html"] == "disallowed by robots.txt"
    agents = {ua for _, _, ua in crawl.site.log}
    assert agents == {f"detector/{__version__}"}


def test_crawl_waits_the_robots_crawl_delay_between_requests(crawl: Crawl) -> None:
    times = sorted(t for t, _, _ in crawl.site.log)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.05 - 0.005  # --delay 0, but robots.txt says 0.05 s


def test_a_429_is_retried_after_its_retry_after(crawl: Crawl) -> None:
    first, second = crawl.site.times("/busy.html")
    assert second - first >= 1.0 - 0.01
    assert "/busy.html" in page_paths(crawl)


def test_other_hosts_and_schemes_are_never_requested(crawl: Crawl) -> None:
    requested = crawl.site.paths()
    assert "/landing.html" not in requested and "/other-host.html" not in requested
    assert "/elsewhere.html" not in requested
    assert "redirect to another host not followed" in error_paths(crawl)["/offhost"]
    text = json.dumps(crawl.data)
    assert "javascript" not in text.lower().replace("javascript:alert(1)//", "")
    assert "mailto:" not in text and "file:///" not in text
    assert not [p for p in requested if "protocol-relative" in p or "steal" in p or "pixel" in p]


def test_a_redirect_chain_ends_at_the_final_url(crawl: Crawl) -> None:
    (page,) = [p for p in crawl.data["pages"] if p["uri"].endswith("/redirect/1")]
    assert page["url"] == crawl.site.base + "/news/final.html"
    assert page["fetch"] == {
        "status": 200,
        "final_url": crawl.site.base + "/news/final.html",
        "content_type": "text/html; charset=utf-8",
    }


def test_a_gbk_page_is_decoded_from_the_content_type_charset(crawl: Crawl) -> None:
    (page,) = [p for p in crawl.data["pages"] if p["url"].endswith("/gbk.html")]
    assert GBK_TEXT in page["text"]
    assert page["encoding"] in ("gb18030", "gbk")


def test_non_html_content_is_skipped_without_being_a_page_or_an_error(crawl: Crawl) -> None:
    assert "/logo.png" in crawl.site.paths()
    assert "/logo.png" not in page_paths(crawl) and "/logo.png" not in error_paths(crawl)


def test_a_hostile_page_is_scanned_as_text_and_its_script_never_reaches_the_report(crawl: Crawl) -> None:
    (page,) = [p for p in crawl.data["pages"] if p["url"].endswith("/hostile.html")]
    assert "\x1b[31m" in (page["title"] or "")  # kept exact in the JSON
    assert "内容照常扫描" in page["text"] and "alert('x')" not in page["text"]
    html = "".join(f.read_text(encoding="utf-8") for f in crawl.report.rglob("*.html"))
    assert "127.0.0.2" not in html and "\x1b" not in html


def test_the_warc_rescanned_offline_gives_the_same_pages_and_findings(crawl: Crawl) -> None:
    r = CliRunner().invoke(main, ["scan", str(crawl.warc), "--json", "-"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    offline = json.loads(r.stdout)
    live = crawl.data
    assert [p["url"] for p in offline["pages"]] == [p["url"] for p in live["pages"]]
    # A page's uri names where it was read (the URL, or WARC#record): map one onto the other
    # wherever a finding names another page, then the pages must be the same byte for byte.
    names = {a["uri"]: b["uri"] for a, b in zip(live["pages"], offline["pages"], strict=True)}
    assert all(b.startswith(str(crawl.warc)) for b in names.values())

    def renamed(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: names.get(v, v) if k == "uri" else renamed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [renamed(v) for v in value]
        if isinstance(value, str) and value.startswith("Most of this page"):
            for live_uri in sorted(names, key=len, reverse=True):
                value = value.replace(f" {live_uri}.", f" {names[live_uri]}.")
        return value

    def without_uri(page: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in page.items() if k != "uri"}

    mapped = [without_uri({**p, "findings": renamed(p["findings"])}) for p in live["pages"]]
    assert json.dumps(mapped, ensure_ascii=False) == json.dumps(
        [without_uri(p) for p in offline["pages"]], ensure_ascii=False
    )
    assert live["summary"]["findings"] == offline["summary"]["findings"] != {}


def test_the_warc_holds_every_request_and_response(crawl: Crawl) -> None:
    from warcio.archiveiterator import ArchiveIterator

    with open(crawl.warc, "rb") as f:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(f)]
    with open(crawl.warc, "rb") as f:
        assert next(iter(ArchiveIterator(f))).rec_headers.protocol == "WARC/1.1"
    requests = [u for t, u in records if t == "request"]
    answered = [u for t, u in records if t in ("response", "metadata")]
    assert len(requests) == len(crawl.site.log) == len(answered)
    assert records[0][0] == "warcinfo"


def test_named_urls_that_fail_are_page_errors_and_exit_2(live_site: Site, cli: Any) -> None:
    b = live_site.base
    r = cli("scan", b + "/missing.html", b + "/loop/a", b + "/news/1.html", "--delay", "0", "--json", "-")
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    validate_scan(data)
    assert [p.get("error") for p in data["pages"]] == ["HTTP 404 Not Found", "redirect loop", None]
    assert data["summary"]["fetch_errors"] == []
    assert "/news/2.html" not in live_site.paths()  # without --crawl no link is followed


def test_files_urls_and_warcs_mix_on_one_command_line(live_site: Site, cli: Any, tmp_path: Path) -> None:
    warc = tmp_path / "one.warc.gz"
    b = live_site.base
    r = cli("scan", b + "/gbk.html", "--delay", "0", "--save-warc", str(warc), "--json", "-")
    assert r.exit_code == 0
    folder = "corpus/pages/xinhengxing"
    r = cli("scan", folder, b + "/news/2.html", str(warc), "--delay", "0", "--json", "-")
    assert r.exit_code == 0, r.output
    uris = [p["uri"] for p in json.loads(r.stdout)["pages"]]
    n_files = len([f for f in os.listdir(ROOT / folder) if f.endswith((".html", ".htm", ".txt", ".md"))])
    assert all(u.startswith(folder) for u in uris[:n_files])
    assert uris[n_files:] == [b + "/news/2.html", f"{warc}#5"]  # after warcinfo and robots.txt


def test_help_explains_politeness_and_limits(cli: Any) -> None:
    out = " ".join(cli("scan", "--help").output.split()).replace("- ", "-")  # undo click's wrapping
    for words in ("robots.txt", "Crawl-delay", "Retry-After", "5 redirects", "--max-pages", "130"):
        assert words in out


def test_the_library_scan_of_a_url_is_the_cli_json_byte_for_byte(live_site: Site, cli: Any) -> None:
    import detector
    from detector.fetch.inputs import FetchOptions

    url = live_site.base + "/news/1.html"
    from_library = detector.scan([url], fetching=FetchOptions(delay=0.0)).to_json()
    r = cli("scan", url, "--delay", "0", "--json", "-")
    assert r.exit_code == 0 and r.stdout == from_library
    assert json.loads(from_library)["pages"][0]["fetch"]["status"] == 200
