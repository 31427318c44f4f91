"""Hostile input (CONTRACT.md, "Hostile input"; issue 20): each test guards one attack that worked before.

Nothing read or written outside the project, no forged CI output, no crash on a crafted index or JSON,
no write through a planted symlink, no password printed, one line and exit 2 on an internal error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from detector.cli import main
from tests.conftest import SEED_PAGE, CliRun

REPEATED = (
    "Static sites are fast because every page is built once and served as a plain file from the cache. "
)
SECRET = "TOP-SECRET-LINE-OF-THE-RUNNER"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _lines(text: str) -> list[str]:
    return text.split("\n")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository (``.git``) with one page that repeats a passage, a secret file beside it, cwd inside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text((SECRET + " " + REPEATED) * 3, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / "docs" / "page.md").write_text(f"# Page\n\n{REPEATED * 2}\n\n{REPEATED * 2}\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    return repo


# ---- 2. check stays in the project ----------------------------------------------------------------


def test_check_skips_a_symlinked_file_that_leaves_the_project(project: Path) -> None:
    (project / "docs" / "leak.md").symlink_to(project.parent / "outside" / "secret.txt")
    r = run("check", "docs", "--format", "json")
    assert r.exit_code in (0, 1), r.output
    assert SECRET not in r.stdout
    assert "leak.md" in r.stderr and "outside the project" in r.stderr
    assert "docs/leak.md" not in [p["uri"] for p in json.loads(r.stdout)["pages"]]


def test_check_skips_a_symlinked_folder_named_inside_the_project(project: Path) -> None:
    (project / "docs" / "more").symlink_to(project.parent / "outside")
    r = run("check", "docs/more", "docs/page.md", "--format", "sarif")
    assert SECRET not in r.stdout
    assert "docs/more" in r.stderr


def test_config_output_outside_the_project_is_an_error_naming_the_key(project: Path) -> None:
    (project / "detector.toml").write_text('output = "../outside/written.json"\n', encoding="utf-8")
    r = run("check", "docs")
    assert r.exit_code == 2
    assert "output" in r.stderr and "leaves the project" in r.stderr
    assert not (project.parent / "outside" / "written.json").exists()


@pytest.mark.parametrize("key", ["baseline", "index", "site-profile", "paths"])
def test_config_paths_outside_the_project_are_errors(project: Path, key: str) -> None:
    value = '["../outside"]' if key == "paths" else '"../outside/secret.txt"'
    (project / "detector.toml").write_text(f"{key} = {value}\n", encoding="utf-8")
    r = run("check", "docs", "--format", "json")
    assert r.exit_code == 2, r.output
    assert key in r.stderr and "leaves the project" in r.stderr
    assert SECRET not in r.stdout + r.stderr


def test_config_discovery_stops_at_the_working_directory_outside_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "detector.toml").write_text('output = "planted.json"\n', encoding="utf-8")
    inner = tmp_path / "work"
    inner.mkdir()
    (inner / "page.md").write_text(REPEATED * 2, encoding="utf-8")
    monkeypatch.chdir(inner)
    r = run("check", ".")
    assert r.exit_code in (0, 1), r.output
    assert not (tmp_path / "planted.json").exists()


def test_flags_name_paths_outside_the_project_as_given(project: Path) -> None:
    out = project.parent / "outside" / "report.json"
    r = run("check", "docs", "--format", "json", "--output", str(out))
    assert r.exit_code in (0, 1), r.output
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == "detector.scan/1"


# ---- 3. forged CI output --------------------------------------------------------------------------

FORGED = "y\n::warning title=X::text\n.md"


def test_a_file_name_cannot_forge_a_line_in_text_or_github_output(project: Path) -> None:
    (project / "docs" / FORGED).write_text(REPEATED * 2 + "\n\n" + REPEATED * 2, encoding="utf-8")
    for fmt in ("text", "github"):
        r = run("check", "docs", "--format", fmt)
        assert r.exit_code == 1, r.output
        for line in _lines(r.stdout) + _lines(r.stderr):
            assert not line.startswith("::warning title=X"), (fmt, line)
        assert "\\n::warning" in r.stdout or "%0A::warning" in r.stdout


def test_json_output_keeps_the_file_name_exact(project: Path) -> None:
    (project / "docs" / FORGED).write_text(REPEATED * 2 + "\n\n" + REPEATED * 2, encoding="utf-8")
    data = json.loads(run("check", "docs", "--format", "json").stdout)
    assert f"docs/{FORGED}" in [p["uri"] for p in data["pages"]]


def test_error_lines_on_stderr_are_escaped(project: Path) -> None:
    (project / "docs" / FORGED).write_bytes(b"PK\x03\x04" + bytes(range(256)) * 20)  # unreadable
    r = run("check", "docs")
    assert r.exit_code == 2
    assert "detector: error: " in r.stderr
    for line in _lines(r.stderr):
        assert not line.startswith("::warning"), line


def test_terminal_escapes_in_names_never_reach_the_terminal(project: Path) -> None:
    name = "evil\x1b]0;owned\x07\x1b[2J\u2028.md"
    (project / "docs" / name).write_text(REPEATED * 2 + "\n\n" + REPEATED * 2, encoding="utf-8")
    for fmt in ("text", "github"):
        r = run("check", "docs", "--format", fmt)
        for char in ("\x1b", "\x07", "\u2028"):
            assert char not in r.stdout and char not in r.stderr, (fmt, char)
        assert "\\x1b" in r.stdout


def test_scan_text_summary_escapes_control_characters(cli: CliRun, tmp_path: Path) -> None:
    page = tmp_path / "a\x1b[2J.html"
    page.write_bytes(SEED_PAGE.read_bytes())
    r = cli("scan", str(page))
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout and "\\x1b[2J" in r.stdout


def test_index_refuses_an_id_with_a_control_character(tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl"
    text = "这是一篇足够长的文章。" * 30
    src.write_text(
        json.dumps({"id": "ok", "text": text})
        + "\n"
        + json.dumps({"id": "bad\n::warning::x", "text": text})
        + "\n",
        encoding="utf-8",
    )
    r = run("index", str(src), "--index", str(tmp_path / "x.idx"))
    assert r.exit_code == 2
    assert "control character" in r.stderr
    assert "1 added" in r.stdout


# ---- 4. crafted indexes ---------------------------------------------------------------------------


@pytest.fixture
def crafted(demo_index: Path, tmp_path: Path) -> Path:
    path = tmp_path / "crafted.idx"
    shutil.copy(demo_index, path)
    for suffix in ("-wal", "-shm"):
        if Path(str(demo_index) + suffix).exists():
            shutil.copy(str(demo_index) + suffix, str(path) + suffix)
    return path


def _sql(path: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement, params if "?" in statement else ())
    conn.commit()
    conn.close()


def _scan(index: Path) -> Result:
    return run("scan", str(SEED_PAGE), "--index", str(index), "--json", "-")


def test_a_zlib_bomb_in_a_document_body_is_refused_as_corrupt(crafted: Path) -> None:
    bomb = zlib.compress(b"A" * (64 * 2**20), 9)  # 64 MB from 64 KB, recorded as 3 characters
    _sql(crafted, "UPDATE documents SET body = ?, chars = 3", params=(bomb,))
    r = _scan(crafted)
    assert r.exit_code == 2, r.output
    assert "inflates beyond" in r.stderr and "Traceback" not in r.output
    check = run("index", "--check", "--index", str(crafted))
    assert check.exit_code == 2 and "inflates beyond" in check.stderr


def test_a_view_in_place_of_the_manifest_is_refused(crafted: Path) -> None:
    _sql(
        crafted,
        "ALTER TABLE manifest RENAME TO real_manifest",
        "CREATE VIEW manifest AS SELECT key, value FROM real_manifest",
    )
    for r in (_scan(crafted), run("index", "--check", "--index", str(crafted))):
        assert r.exit_code == 2, r.output
        assert "view" in r.stderr


def test_a_trigger_in_the_index_never_fires(crafted: Path, tmp_path: Path) -> None:
    _sql(
        crafted,
        "CREATE TRIGGER t AFTER INSERT ON documents BEGIN DELETE FROM blocks; END",
    )
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps({"id": "new", "text": "这是一篇足够长的文章。" * 30}) + "\n", encoding="utf-8")
    before = sqlite3.connect(crafted).execute("SELECT count(*) FROM blocks").fetchone()
    r = run("index", str(src), "--index", str(crafted))
    assert r.exit_code == 2 and "trigger" in r.stderr
    assert sqlite3.connect(crafted).execute("SELECT count(*) FROM blocks").fetchone() == before


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"bands": 0, "rows": 0}, "bands"),
        ({"bands": 100, "rows": 100}, "exceeds num_perm"),
        ({"num_perm": "128"}, "num_perm is str"),
        ({"lsh_threshold": 7}, "lsh_threshold"),
    ],
)
def test_a_manifest_out_of_range_is_refused(crafted: Path, change: dict[str, object], problem: str) -> None:
    conn = sqlite3.connect(crafted)
    manifest = json.loads(conn.execute("SELECT value FROM manifest WHERE key = 'manifest'").fetchone()[0])
    conn.close()
    _sql(
        crafted,
        "UPDATE manifest SET value = ? WHERE key = 'manifest'",
        params=(json.dumps({**manifest, **change}),),
    )
    for r in (_scan(crafted), run("index", "--check", "--index", str(crafted))):
        assert r.exit_code == 2, r.output
        assert problem in r.stderr


def test_a_damaged_topic_cache_is_rebuilt_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detector.analysis import topic_cache
    from detector.analysis.topic_terms import TopicModel

    model = TopicModel(3, (), np.array([1, 2, 3], dtype=np.int64), np.array([1.0, 2.0, 3.0]))
    path = tmp_path / "x.idx.topic.npz"
    topic_cache.save(path, "k", model)
    tiny = dataclasses.replace(topic_cache.LIMITS, topic_cache_max_bytes=64)
    monkeypatch.setattr(topic_cache, "LIMITS", tiny)  # as if its arrays claimed gigabytes
    assert topic_cache.load(path, "k") is None
    monkeypatch.undo()
    assert topic_cache.load(path, "k") is not None
    path.write_bytes(b"PK\x03\x04" + os.urandom(200))
    assert topic_cache.load(path, "k") is None


# ---- 5. nested JSON -------------------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def test_a_deeply_nested_jsonl_line_is_an_input_error(tmp_path: Path) -> None:
    src = tmp_path / "deep.jsonl"
    src.write_text(DEEP + "\n", encoding="utf-8")
    r = run("index", str(src), "--index", str(tmp_path / "x.idx"))
    assert r.exit_code == 2
    assert "deep.jsonl" in r.stderr and "Traceback" not in r.output


def test_a_deeply_nested_scan_json_is_refused_by_report(tmp_path: Path) -> None:
    scan = tmp_path / "scan.json"
    scan.write_text(DEEP, encoding="utf-8")
    r = run("report", str(scan), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and "scan.json" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_a_deeply_nested_baseline_is_refused(project: Path) -> None:
    (project / "base.json").write_text(DEEP, encoding="utf-8")
    r = run("check", "docs", "--baseline", "base.json")
    assert r.exit_code == 2 and "base.json" in r.stderr


# ---- 6. writes through symlinks -------------------------------------------------------------------


def test_scan_report_replaces_a_planted_symlink_instead_of_writing_through_it(
    cli: CliRun, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    report = tmp_path / "report"
    report.mkdir()
    (report / "index.html").symlink_to(victim)
    out = tmp_path / "scan.json"
    out.symlink_to(victim)
    r = cli("scan", str(SEED_PAGE), "--report", str(report), "--json", str(out))
    assert r.exit_code == 0, r.output
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (report / "index.html").is_symlink() and not out.is_symlink()
    assert (report / "index.html").read_text(encoding="utf-8").startswith("<!")


def test_report_replaces_a_planted_pages_folder_symlink(cli: CliRun, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = tmp_path / "report"
    report.mkdir()
    (report / "pages").symlink_to(elsewhere)
    r = cli("scan", str(SEED_PAGE), "--report", str(report))
    assert r.exit_code == 0, r.output
    assert list(elsewhere.iterdir()) == []


def test_written_files_follow_the_umask(cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "scan.json"
    old = os.umask(0o022)
    try:
        cli("scan", str(SEED_PAGE), "--json", str(out))
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


# ---- 7. passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["redis://:s3cret/pw@127.0.0.1:1/0", "redis://:s3#cret@127.0.0.1:1/0", "redis://u:s3cret@h:port/0"]
)
def test_a_malformed_redis_url_never_prints_its_password(url: str) -> None:
    r = run("index", "--info", "--index", url)
    assert r.exit_code == 2
    assert "s3" not in r.output and "cret" not in r.output


# ---- 8. report class names ------------------------------------------------------------------------


def test_report_refuses_a_severity_outside_the_schema(cli: CliRun, tmp_path: Path, demo_index: Path) -> None:
    scan = tmp_path / "scan.json"
    r = cli("scan", str(SEED_PAGE), "--index", str(demo_index), "--json", str(scan))
    assert r.exit_code == 0, r.output
    data = json.loads(scan.read_text(encoding="utf-8"))
    data["pages"][0]["findings"][0]["severity"] = "high hidden"
    scan.write_text(json.dumps(data), encoding="utf-8")
    r = cli("report", str(scan), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and "severity" in r.stderr
    assert not (tmp_path / "out" / "index.html").exists()


# ---- the last line of defence ---------------------------------------------------------------------


def test_an_internal_error_is_one_line_and_exit_two(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from detector import api

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug\nsecond line")

    monkeypatch.setattr(api, "scan", broken)
    monkeypatch.delenv("DETECTOR_DEBUG", raising=False)
    r = run("scan", str(SEED_PAGE))
    assert r.exit_code == 2
    assert r.stderr == "detector: internal error: RuntimeError: a bug\n"
    monkeypatch.setenv("DETECTOR_DEBUG", "1")
    r = run("scan", str(SEED_PAGE))
    assert r.exit_code == 2 and "Traceback" in r.stderr
