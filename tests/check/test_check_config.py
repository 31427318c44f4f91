"""Configuration: [tool.detector] in pyproject.toml or detector.toml; flags win; errors name key and file."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector import scanning
from detector.check.config import ALLOW_KEYS, TOP_KEYS, CheckConfig, load_config
from tests.check.conftest import Check, check_json


def write_pyproject(repo: Path, body: str) -> None:
    (repo / "detector.toml").unlink()
    (repo / "pyproject.toml").write_text(f'[project]\nname = "acme-docs"\n\n[tool.detector]\n{body}', "utf-8")


def test_pyproject_table_is_read(check: Check, repo: Path) -> None:
    write_pyproject(repo, 'paths = ["guide"]\nfail-on = "high"\n')
    result = check()
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("guide/faq.md:5:6: medium duplicate-passage")
    assert result.stdout.splitlines()[-1].startswith("2 files checked")


def test_flags_override_the_config(check: Check, repo: Path) -> None:
    write_pyproject(repo, 'paths = ["guide"]\nfail-on = "high"\nformat = "json"\n')
    result = check("zh/news.html", "--fail-on", "medium", "--format", "text")
    assert result.exit_code == 1
    assert result.stdout.startswith("zh/news.html:11:36: ")


def test_pyproject_without_our_table_is_skipped_for_one_above(check: Check, repo: Path) -> None:
    (repo / "guide" / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    (repo / "detector.toml").write_text('fail-on = "high"\n', "utf-8")
    assert check("guide").exit_code == 0


def test_detector_toml_beside_the_checked_folder_wins(check: Check, repo: Path) -> None:
    (repo / "guide" / "detector.toml").write_text('fail-on = "high"\n', "utf-8")
    assert check("guide").exit_code == 0
    assert check("guide", "zh").exit_code == 1  # checked from the root: the root's detector.toml


def test_output_is_written_and_the_summary_printed(check: Check, repo: Path) -> None:
    (repo / "detector.toml").write_text('format = "github"\noutput = "out/annotations.txt"\n', "utf-8")
    result = check("guide")
    assert result.exit_code == 1
    assert result.stdout.startswith("2 files checked, 2 findings")
    assert (repo / "out" / "annotations.txt").read_text(encoding="utf-8").startswith("::error file=guide/")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('fail_on = "high"\n', "[tool.detector] fail_on: unknown key (did you mean 'fail-on'?)"),
        ('colour = "red"\n', "[tool.detector] colour: unknown key; known keys: paths, index"),
        (
            'fail-on = "critical"\n',
            "[tool.detector] fail-on: 'critical' is not one of info, low, medium, high",
        ),
        ('format = "xml"\n', "[tool.detector] format: 'xml' is not one of text, json, sarif, junit, github"),
        ('include = "*.md"\n', "[tool.detector] include: must be a list of non-empty strings, not '*.md'"),
        ("exclude = [1, 2]\n", "[tool.detector] exclude: must be a list of non-empty strings, not list"),
        ("index = 3\n", "[tool.detector] index: must be a non-empty string, not 3"),
        ('allow = "all"\n', "[tool.detector] allow: must be a table"),
        (
            '[tool.detector.allow]\nsource = ["x"]\n',
            "[tool.detector] allow.source: unknown key (did you mean 'allow.sources'?)",
        ),
        (
            '[tool.detector.allow]\nsource-urls = "https://x/*"\n',
            "[tool.detector] allow.source-urls: must be a list",
        ),
        (
            "site-profile = { docs = 1 }\n",
            "[tool.detector] site-profile.docs: must be a non-empty string, not 1",
        ),
    ],
)
def test_bad_keys_and_values_exit_2_naming_key_and_file(
    check: Check, repo: Path, body: str, expected: str
) -> None:
    write_pyproject(repo, body)
    result = check(".")
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("detector: error: ") and "Traceback" not in line
    assert f"{repo / 'pyproject.toml'}: {expected}" in line


def test_detector_toml_errors_name_it(check: Check, repo: Path) -> None:
    (repo / "detector.toml").write_text('fail-on = "never"\n', "utf-8")
    result = check(".")
    assert result.exit_code == 2
    assert f"{repo / 'detector.toml'}: fail-on: 'never' is not one of" in result.stderr


def test_invalid_toml_exits_2_naming_the_file(check: Check, repo: Path) -> None:
    (repo / "detector.toml").write_text('fail-on = "high\n', "utf-8")
    result = check(".")
    assert result.exit_code == 2
    assert f"{repo / 'detector.toml'}: not valid TOML" in result.stderr


def test_explicit_config_file(check: Check, repo: Path) -> None:
    (repo / "ci.toml").write_text('fail-on = "high"\nexclude = ["_site", "zh"]\n', "utf-8")
    assert check(".", "--config", "ci.toml").exit_code == 0
    result = check(".", "--config", "missing.toml")
    assert result.exit_code == 2
    assert "missing.toml: no such config file" in result.stderr


def test_allow_paths_drops_findings_in_those_files(check: Check, repo: Path) -> None:
    (repo / "detector.toml").write_text(
        'exclude = ["_site"]\n[allow]\npaths = ["guide/*.md", "zh"]\n', "utf-8"
    )
    result = check(".")
    assert result.exit_code == 0, result.output
    assert "no findings" in result.stdout and "in allowed paths" in result.stdout


def test_default_site_is_the_project_folder(check: Check, repo: Path) -> None:
    data = check_json(check, "guide", "zh")
    assert {p["site"] for p in data["pages"]} == {"acme-docs"}
    (repo / "detector.toml").write_text('site = "acme"\n', "utf-8")
    assert {p["site"] for p in check_json(check, "guide")["pages"]} == {"acme"}
    assert {p["site"] for p in check_json(check, "guide", "--site", "x")["pages"]} == {"x"}


def test_site_profile_from_a_file_or_per_site(repo: Path) -> None:
    (repo / "profile.txt").write_text("机床附件 分度头 回转工作台\n", "utf-8")
    (repo / "detector.toml").write_text('site-profile = "profile.txt"\n', "utf-8")
    config = load_config(["."], repo)
    assert config.profile_for(config.site_name) == "机床附件 分度头 回转工作台\n"
    (repo / "detector.toml").write_text('[site-profile]\nacme-docs = "static sites"\n', "utf-8")
    config = load_config(["."], repo)
    assert config.profile_for("acme-docs") == "static sites"
    assert config.profile_for("other") is None


def test_site_profile_reaches_the_pipeline_when_it_takes_one(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detector.check.run import run_check

    seen: dict[str, object] = {}
    real = scanning.scan

    def scan(*args: object, site_profile: str | None = None, **kwargs: object) -> object:
        seen["site_profile"] = site_profile
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scanning, "scan", scan)
    config = CheckConfig(root=repo, paths=(repo / "README.md",), site_profile="static site generator")
    run_check(config)
    assert seen == {"site_profile": "static site generator"}


def test_config_discovery_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "detector.toml").write_text("fail-on = 'high'\n", "utf-8")
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    config = load_config(["."], project)
    assert config.file is None and config.root == project and config.fail_on == "medium"


def test_every_key_is_documented_in_help(check: Check) -> None:
    result = check("--help")
    assert result.exit_code == 0
    assert "[tool.detector]" in result.stdout and "[tool.detector.allow]" in result.stdout
    for key in (*(k for k in TOP_KEYS if k != "allow"), *ALLOW_KEYS):
        assert f"  {key} = " in result.stdout, key
    assert "Examples:" in result.stdout and "detector check docs/" in result.stdout
