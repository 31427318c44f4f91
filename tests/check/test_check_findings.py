"""What `detector check` finds in the fixture docs repository, and where it says it is."""

from __future__ import annotations

from pathlib import Path

from tests.check.conftest import Check, check_json, findings_in, position
from tests.conftest import validate_scan

INSTALL_PARAGRAPH = "Back up the site folder and your acme.toml file before you upgrade"
FAQ_SENTENCE = (
    "Every page that Acme Press builds is a plain HTML file, so any web server that can serve static "
    "files will host your site without extra software."
)
NEWS_SENTENCE = "本厂生产的分度头和回转工作台精度高、寿命长，已出口到欧美和东南亚的二十多个国家和地区。"
SHARED_PARAGRAPH = "庆云县是中国机床附件之乡"


def test_duplicated_paragraph_is_found_at_its_lines(check: Check) -> None:
    data = check_json(check, ".")
    [f] = findings_in(data, "guide/install.md")
    assert f["kind"] == "duplicate-passage"
    assert f["severity"] == "medium"
    # The paragraph stands on lines 15 and 23 of the file (front matter and headings included).
    loc = f["location"]
    assert (loc["line"], loc["column"]) == (15, 1)
    line = Path("guide/install.md").read_text(encoding="utf-8").splitlines()[14]
    assert line.startswith(INSTALL_PARAGRAPH)
    assert (loc["end_line"], loc["end_column"]) == (15, len(line) + 1)
    assert len(f["occurrences"]) == 2


def test_repeated_sentence_of_twenty_words_is_found(check: Check) -> None:
    assert len(FAQ_SENTENCE.split()) >= 20
    text = Path("guide/faq.md").read_text(encoding="utf-8")
    data = check_json(check, "guide/faq.md")
    [f] = findings_in(data, "guide/faq.md")
    page = data["pages"][0]
    s, e = f["occurrences"][0]
    assert page["text"][s:e] == FAQ_SENTENCE
    loc = f["location"]
    assert (loc["line"], loc["column"]) == position(text, FAQ_SENTENCE) == (5, 6)
    assert (loc["end_line"], loc["end_column"]) == (5, 6 + len(FAQ_SENTENCE))


def test_text_format_points_at_both_places(check: Check) -> None:
    result = check("guide/faq.md")
    assert result.exit_code == 1
    first, summary = result.stdout.splitlines()
    assert first.startswith("guide/faq.md:5:6: medium duplicate-passage ")
    assert first.endswith("(also at 9:5)")
    assert "duplicate-passage 1" in summary and "medium 1" in summary


def test_html_location_counts_entities_as_written(check: Check) -> None:
    """``&amp;`` and ``&nbsp;`` before the passage are one character of text but 5 and 6 of the file."""
    text = Path("zh/news.html").read_text(encoding="utf-8")
    data = check_json(check, "zh/news.html")
    [f] = findings_in(data, "zh/news.html")
    loc = f["location"]
    line, column = position(text, NEWS_SENTENCE)
    assert (loc["line"], loc["column"]) == (line, column) == (11, 36)
    assert (loc["end_line"], loc["end_column"]) == (11, column + len(NEWS_SENTENCE))
    # The second place is reported too, on line 13.
    result = check("zh/news.html")
    assert f"(also at {':'.join(map(str, position(text, NEWS_SENTENCE, 1)))})" in result.stdout


def test_entity_at_the_end_of_a_passage_ends_after_the_entity(check: Check, repo: Path) -> None:
    sentence = "这台设备的维修记录由设备科统一保管并且每季度更新一次以便查验&amp;"
    body = f"<p>{sentence}</p>\n<p>设备科另有台账可供查询。</p>\n<p>{sentence}</p>\n"
    (repo / "zh" / "records.html").write_text(
        f"<!doctype html><html><body><article>\n{body}</article></body></html>\n", encoding="utf-8"
    )
    data = check_json(check, "zh/records.html")
    [f] = findings_in(data, "zh/records.html")
    loc = f["location"]
    assert (loc["line"], loc["column"], loc["end_line"]) == (2, 4, 2)
    assert loc["end_column"] == len(f"<p>{sentence}") + 1


def test_clean_files_have_no_finding(check: Check) -> None:
    result = check("README.md", "zh/about.txt")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 files checked, no findings: passed\n"
    data = check_json(check, "README.md", "zh/about.txt")
    assert all(p["findings"] == [] for p in data["pages"])


def test_every_finding_has_a_location_and_the_json_keeps_the_contract(check: Check) -> None:
    data = check_json(check, ".")
    validate_scan(data)
    found = [f for p in data["pages"] for f in p["findings"]]
    assert found
    assert all({"line", "column", "end_line", "end_column"} <= set(f["location"]) for f in found)


def test_folders_are_walked_without_hidden_and_excluded_files(check: Check) -> None:
    data = check_json(check, ".")
    uris = [p["uri"] for p in data["pages"]]
    assert uris == sorted(uris)
    assert "guide/install.md" in uris and "zh/news.html" in uris and "zh/about.txt" in uris
    assert not any(u.startswith(("_site/", ".drafts/")) for u in uris)


def test_exclude_flag_replaces_the_configured_globs(check: Check) -> None:
    data = check_json(check, ".", "--exclude", "zh", "--exclude", "guide/faq.md")
    uris = [p["uri"] for p in data["pages"]]
    assert "_site/index.html" in uris  # the configured exclude no longer applies
    assert not any(u.startswith("zh/") for u in uris) and "guide/faq.md" not in uris


def test_include_flag_limits_what_folders_yield(check: Check) -> None:
    data = check_json(check, ".", "--include", "*.html")
    assert [p["uri"] for p in data["pages"]] == ["zh/news.html"]


def test_a_named_file_is_read_whatever_its_name_unless_excluded(check: Check, repo: Path) -> None:
    (repo / "notes.rst").write_text("A short note about the release schedule of Acme Press.\n", "utf-8")
    data = check_json(check, "notes.rst", "_site/index.html")
    assert [p["uri"] for p in data["pages"]] == ["notes.rst"]


def test_missing_path_exits_2_with_one_line(check: Check) -> None:
    result = check("guide", "guide/missing.md")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "detector: error: guide/missing.md: no such file or directory\n"


def test_unreadable_file_is_reported_and_exits_2_after_the_output(check: Check, repo: Path) -> None:
    (repo / "guide" / "empty.md").write_text("  \n", encoding="utf-8")
    result = check("guide")
    assert result.exit_code == 2
    assert "guide/install.md:15:1: medium duplicate-passage" in result.stdout
    assert "detector: error: guide/empty.md: no text found" in result.stderr
    assert "Traceback" not in result.output


def test_fingerprint_survives_edits_elsewhere_in_the_file(check: Check, repo: Path) -> None:
    before = findings_in(check_json(check, "guide/install.md"), "guide/install.md")
    path = repo / "guide" / "install.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("## Requirements\n", "## Requirements\n\nA new line about something else entirely.\n")
    path.write_text(text.replace("fifty megabytes", "sixty megabytes"), encoding="utf-8")
    after = findings_in(check_json(check, "guide/install.md"), "guide/install.md")
    assert [f["fingerprint"] for f in after] == [f["fingerprint"] for f in before]
    assert after[0]["location"]["line"] == before[0]["location"]["line"] + 2


def test_fail_on_high_passes_medium_findings(check: Check) -> None:
    result = check("guide", "--fail-on", "high")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].endswith("0 at or above high: passed")


def test_passage_repeated_across_files_is_one_finding_at_its_first_place(check: Check) -> None:
    data = check_json(check, "zh")
    found = [
        (p["uri"], f)
        for p in data["pages"]
        for f in p["findings"]
        if any(p["text"][s:e].startswith(SHARED_PARAGRAPH) for s, e in f.get("occurrences", []))
    ]
    assert len(found) == 1, found
    uri, f = found[0]
    assert uri == "zh/history.md"  # the first of the two files
    assert f["kind"] == "duplicate-passage"
    assert (f["location"]["line"], f["location"]["column"]) == (5, 1)
    assert [a["uri"] for a in f["also_in"]] == ["zh/intro.md"]
    result = check("zh")
    assert "zh/history.md:5:1: medium duplicate-passage" in result.stdout
    assert "(also at zh/intro.md:3:1)" in result.stdout
