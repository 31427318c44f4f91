"""`detector align`: two files in, copied passages out (human listing and JSON), errors in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import (
    CORPUS,
    ORIGINAL_SOURCE_ID,
    SEED_PAGE,
    CliRun,
    eval_data,
    findings,
    scan_json,
)

SOURCE = CORPUS.parent / ORIGINAL_SOURCE_ID
PAGE = str(SEED_PAGE.relative_to(CORPUS.parent))
PAN = eval_data() / "pan13" / "pan13-text-alignment-training-corpus-2013-01-21"

ENGLISH_SOURCE = (
    "The committee met on Tuesday to discuss the new budget proposal for the coming fiscal year. "
    "Members raised concerns about rising maintenance costs and the delayed bridge repairs downtown. "
    "The mayor promised a detailed report on the repair schedule before the next public meeting. "
    "Several residents asked whether the library would keep its weekend opening hours next year.\n"
    "In other business, the council approved a grant for the youth football league.\n"
)


def align_json(cli: CliRun, *args: str) -> dict[str, object]:
    result = cli("align", *args, "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert isinstance(data, dict)
    return data


def test_default_mode_shows_exactly_what_scan_reports(cli: CliRun, demo_index: Path) -> None:
    scanned = scan_json(cli, PAGE, "--index", str(demo_index))
    page = scanned["pages"][0]
    repost = next(
        f for f in findings(page, "repost", "off-topic-repost") if f["source"]["id"] == ORIGINAL_SOURCE_ID
    )
    scan_passages = [(p["page"], p["source"], p["similarity"]) for p in repost["passages"]]
    aligned = align_json(cli, PAGE, ORIGINAL_SOURCE_ID)
    assert aligned["suspicious"] == {"uri": PAGE}
    assert aligned["source"] == {"uri": ORIGINAL_SOURCE_ID}
    assert aligned["preset"] == "scan"
    passages = aligned["passages"]
    assert isinstance(passages, list)
    got = [(p["suspicious"], p["source"], p["similarity"]) for p in passages]
    # Align reads the whole text (boilerplate too): every passage scan reports is there, unchanged.
    assert scan_passages
    for sp in scan_passages:
        assert sp in got
    text = page["text"]
    src_text = scanned["sources"][ORIGINAL_SOURCE_ID]["text"]
    for (s, e), (ss, se), _ in got:
        assert 0 <= s < e <= len(text) and 0 <= ss < se <= len(src_text)


def test_human_listing_and_json_file(cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "out" / "align.json"
    result = cli("align", PAGE, ORIGINAL_SOURCE_ID, "--json", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{PAGE} <- {ORIGINAL_SOURCE_ID}: ")
    assert "passages (scan)" in lines[0]
    assert lines[1].lstrip().startswith("[")
    assert "similarity" in lines[1]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["passages"]) == len(lines) - 1


def test_pan_preset_finds_a_reworded_english_copy(cli: CliRun, tmp_path: Path) -> None:
    source = tmp_path / "source.txt"
    source.write_text(ENGLISH_SOURCE, encoding="utf-8")
    page = tmp_path / "page.txt"
    copied = (
        "Council members voiced worries about maintenance costs that keep rising and the bridge repairs "
        "downtown that were delayed. The committee met on a Tuesday to debate the new budget proposal "
        "for the fiscal year ahead. A detailed report on the repair schedule was promised by the mayor "
        "before the next public meeting."
    )
    page.write_text("Local news from our town.\n" + copied + "\nWeather: sunny.\n", encoding="utf-8")
    scan_mode = align_json(cli, str(page), str(source))
    assert scan_mode["passages"] == []  # no six-word run in common: the token aligner sees nothing
    pan = align_json(cli, str(page), str(source), "--preset", "pan")
    assert pan["preset"] == "pan"
    passages = pan["passages"]
    assert isinstance(passages, list) and len(passages) == 1
    p = passages[0]
    text = page.read_text(encoding="utf-8")
    s, e = p["suspicious"]
    assert text[s:e] == copied
    ss, se = p["source"]
    assert ENGLISH_SOURCE[ss:se].startswith("The committee met")
    assert ENGLISH_SOURCE[ss:se].endswith("before the next public meeting.")
    assert 0.3 < p["similarity"] <= 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.txt", ORIGINAL_SOURCE_ID], "missing.txt: no such file or directory"),
        ([PAGE, "corpus/sources"], "corpus/sources: is a folder"),
        ([PAGE, "corpus/sources/news.jsonl"], "news.jsonl: is a JSONL file"),
    ],
)
def test_errors_are_one_line_and_exit_2(cli: CliRun, args: list[str], message: str) -> None:
    result = cli("align", *args)
    assert result.exit_code == 2
    err = result.stderr.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("detector: error: ")
    assert message in err[0]
    assert "Traceback" not in result.output


def test_binary_and_empty_files_are_input_errors(cli: CliRun, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = cli("align", str(empty), ORIGINAL_SOURCE_ID)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_documents_the_json(cli: CliRun) -> None:
    result = cli("align", "--help")
    assert result.exit_code == 0
    assert '"passages": [{"suspicious": [start, end], "source": [start, end],' in result.output
    assert "--preset" in result.output


@pytest.mark.skipif(not PAN.exists(), reason=f"PAN 2013 training corpus not found at {PAN}")
def test_pan_offsets_are_offsets_into_the_plain_text_file(cli: CliRun) -> None:
    # A no-obfuscation pair: the copied passage is found and the offsets index the .txt files as PAN
    # counts them (code points of the decoded file; ingest leaves plain text unchanged).
    susp = PAN / "susp" / "suspicious-document00013.txt"
    truth = (PAN / "02-no-obfuscation").glob("suspicious-document00013-*.xml")
    xml = next(iter(sorted(truth)))
    src = PAN / "src" / (xml.stem.split("-", 2)[2] + ".txt")
    data = align_json(cli, str(susp), str(src), "--preset", "pan")
    text = susp.read_bytes().decode("utf-8")
    src_text = src.read_bytes().decode("utf-8")
    passages = data["passages"]
    assert isinstance(passages, list) and passages
    import re

    case = re.search(r'this_offset="(\d+)"', xml.read_text(encoding="utf-8"))
    assert case is not None
    offset = int(case.group(1))
    hit = [p for p in passages if p["suspicious"][0] <= offset + 5 and p["suspicious"][1] > offset]
    assert hit
    s, e = hit[0]["suspicious"]
    ss, se = hit[0]["source"]
    assert " ".join(text[s:e].split()) == " ".join(src_text[ss:se].split())
