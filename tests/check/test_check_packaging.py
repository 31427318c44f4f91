"""The pre-commit hook, the composite GitHub Action and the README section that shows both."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read the action and hook files")


def load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("\n## CI check\n") :]


def test_pre_commit_hook_runs_detector_check() -> None:
    [hook] = load(".pre-commit-hooks.yaml")
    assert hook["id"] == "detector-check"
    assert hook["entry"] == "detector check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    for name in ("docs/a.md", "site/index.html", "site/old.htm", "notes.txt"):
        assert re.search(hook["files"], name), name
    assert not re.search(hook["files"], "src/main.py")


def test_action_is_composite_and_passes_inputs_through_the_environment() -> None:
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "args", "sarif-file"} <= set(action["inputs"])
    for step in action["runs"]["steps"]:
        assert "${{ inputs." not in step.get("run", "")  # no input pasted into a script


def run_action_script(tmp_path: Path, **inputs: str) -> list[str]:
    """Run the action's check step with a stand-in `detector` that prints its arguments one a line."""
    [step] = [s for s in load("action.yml")["runs"]["steps"] if s.get("name") == "detector check"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "detector"
    stub.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    stub.chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    out = subprocess.run(
        ["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True, check=True, cwd=tmp_path
    )
    return [line for line in out.stdout.splitlines() if not line.startswith("running: ")]


def test_action_builds_the_command(tmp_path: Path) -> None:
    args = run_action_script(
        tmp_path, paths="docs site", fail_on="high", args="--baseline b.json", sarif_file="d.sarif"
    )
    assert args == [
        "check",
        "docs",
        "site",
        "--baseline",
        "b.json",
        "--fail-on",
        "high",
        "--format",
        "sarif",
        "--output",
        "d.sarif",
    ]
    assert run_action_script(tmp_path, paths="", fail_on="", args="", sarif_file="") == [
        "check",
        "--format",
        "github",
    ]


def test_action_inputs_are_not_evaluated_by_the_shell(tmp_path: Path) -> None:
    args = run_action_script(
        tmp_path, paths="$(touch pwned) `touch pwned`", fail_on="", args="", sarif_file=""
    )
    assert args[1:3] == ["$(touch", "pwned)"]
    assert not (tmp_path / "pwned").exists()


def test_readme_shows_a_workflow_uploading_sarif_and_a_pre_commit_config() -> None:
    section = readme_section()
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    workflow, pre_commit = (yaml.safe_load(b) for b in blocks)
    steps = workflow["jobs"]["detector"]["steps"]
    ours = next(s for s in steps if s.get("with", {}).get("sarif-file"))
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == ours["with"]["sarif-file"]
    [hook] = pre_commit["repos"][0]["hooks"]
    assert hook["id"] == load(".pre-commit-hooks.yaml")[0]["id"]


def test_readme_config_example_is_valid(tmp_path: Path) -> None:
    import tomllib

    from detector.check.config import parse_config

    [example] = re.findall(r"```toml\n(.*?)```", readme_section(), re.DOTALL)
    file = tmp_path / "pyproject.toml"
    config = parse_config(file, tomllib.loads(example)["tool"]["detector"])
    assert config.paths == (tmp_path / "docs",) and config.allow_source_urls
