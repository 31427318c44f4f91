"""Bad input: one clear line naming the file, exit 2, the other pages still scanned."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.conftest import SEED_PAGE, CliRun, validate_scan


def test_missing_path_is_a_usage_error_at_once(cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "scan.json"
    r = cli("scan", str(tmp_path / "missing.html"), "--json", str(out))
    assert r.exit_code == 2
    assert "missing.html" in r.stderr and "no such file" in r.stderr
    assert not out.exists()
    assert "Traceback" not in r.output


def test_bad_pages_are_recorded_and_the_run_goes_on(cli: CliRun, tmp_path: Path, demo_index: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "a-good.html").write_bytes(SEED_PAGE.read_bytes())
    (site / "b-empty.html").write_bytes(b"")
    (site / "c-binary.txt").write_bytes(b"PK\x03\x04\x00\x00" + bytes(range(256)) * 10)
    noise = random.Random(1)
    (site / "d-undecodable.txt").write_bytes(bytes(noise.randrange(128, 256) for _ in range(3000)))
    out = tmp_path / "scan.json"
    r = cli("scan", str(site), "--index", str(demo_index), "--json", str(out))
    assert r.exit_code == 2
    data = json.loads(out.read_text(encoding="utf-8"))
    validate_scan(data)
    errors = {p["uri"].rsplit("/", 1)[1]: p["error"] for p in data["pages"] if "error" in p}
    assert set(errors) == {"b-empty.html", "c-binary.txt", "d-undecodable.txt"}
    for name in errors:
        page = next(p for p in data["pages"] if p["uri"].endswith(name))
        assert page["text"] == "" and page["blocks"] == [] and page["findings"] == []
        assert name in r.stderr
    assert data["summary"]["errors"] == 3
    good = next(p for p in data["pages"] if p["uri"].endswith("a-good.html"))
    assert any(f["kind"] == "repost" for f in good["findings"])
    assert "Traceback" not in r.output


def test_fail_on_sets_exit_code_one(cli: CliRun, demo_index: Path) -> None:
    assert cli("scan", str(SEED_PAGE), "--index", str(demo_index), "--fail-on", "high").exit_code == 1
    assert cli("scan", str(SEED_PAGE), "--index", str(demo_index)).exit_code == 0
    assert cli("scan", str(SEED_PAGE), "--fail-on", "high").exit_code == 0  # no index: only a medium repeat
    assert cli("scan", str(SEED_PAGE), "--fail-on", "medium").exit_code == 1


def test_bad_flag_values_are_usage_errors(cli: CliRun) -> None:
    r = cli("scan", str(SEED_PAGE), "--fail-on", "critical")
    assert r.exit_code == 2 and "critical" in r.output


def test_human_summary_without_json(cli: CliRun, demo_index: Path) -> None:
    r = cli("scan", str(SEED_PAGE), "--index", str(demo_index))
    assert "repost" in r.stdout and "duplicate-passage" in r.stdout and "1 page(s)" in r.stdout


def test_json_file_is_replaced_whole(cli: CliRun, tmp_path: Path, demo_index: Path) -> None:
    out = tmp_path / "scan.json"
    out.write_text("previous", encoding="utf-8")
    r = cli("scan", str(tmp_path / "missing.html"), "--json", str(out))
    assert r.exit_code == 2 and out.read_text(encoding="utf-8") == "previous"
    cli("scan", str(SEED_PAGE), "--index", str(demo_index), "--json", str(out))
    validate_scan(json.loads(out.read_text(encoding="utf-8")))


def test_a_folder_without_pages_is_a_warning_and_exit_2(cli: CliRun, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    r = cli("scan", str(tmp_path / "empty"))
    assert r.exit_code == 2  # nothing scanned is not a success (issue 13)
    assert "no pages found" in r.stderr and "empty" in r.stderr


def test_json_output_into_a_folder_is_a_clear_error(cli: CliRun, tmp_path: Path) -> None:
    r = cli("scan", str(SEED_PAGE), "--json", str(tmp_path))
    assert r.exit_code == 2
    assert f"{tmp_path}: is a folder" in r.stderr
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind
