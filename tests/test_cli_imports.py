"""Each command imports what it runs (issue 15): a process runs one command, and modules it never
uses are start-up time (compiled from source when there is no __pycache__, as in CI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS, ROOT, SEED_PAGE

# Runs the command as `python -m detector ARGS` does, then writes the modules it imported.
_RUN = """
import json, runpy, sys
out, sys.argv = sys.argv[1], ["detector", *sys.argv[2:]]
try:
    runpy.run_module("detector", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
with open(out, "w") as f:
    json.dump(sorted(sys.modules), f)
"""


def imported(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _RUN, str(out), *args],
        capture_output=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return set(json.loads(out.read_text(encoding="utf-8")))


def test_help_imports_neither_numpy_nor_the_library(tmp_path: Path) -> None:
    for args in (("--help",), ("index", "--help"), ("scan", "--help")):
        modules = imported(tmp_path, *args)
        assert "detector.cli" in modules
        assert not {"numpy", "detector.api", "detector.scanning", "detector.indexing"} & modules, args


def test_index_never_imports_the_scanning_modules(tmp_path: Path) -> None:
    modules = imported(tmp_path, "index", str(CORPUS / "sources"), "--index", str(tmp_path / "x.idx"))
    assert "detector.indexing" in modules and (tmp_path / "x.idx").exists()
    unused = {"detector.scanning", "detector.analysis.offtopic", "detector.analysis.reuse"}
    unused |= {"detector.cli.scan", "detector.cli.check"}
    assert not unused & modules


def test_scan_never_imports_the_indexing_or_other_commands_modules(tmp_path: Path) -> None:
    modules = imported(tmp_path, "scan", str(SEED_PAGE), "--json", str(tmp_path / "s.json"))
    assert "detector.scanning" in modules and (tmp_path / "s.json").exists()
    unused = {
        "detector.indexing",
        "detector.index_feed",
        "detector.check",
        "detector.cli.check",
        "detector.cli.index",
        "detector.cli.align",
        "detector.cli.report",
        "jinja2",
    }
    assert not unused & modules


def test_the_cli_asks_for_one_blas_thread_unless_the_user_set_a_number(tmp_path: Path) -> None:
    code = "import os, detector.cli, numpy; print(os.environ['OPENBLAS_NUM_THREADS'])"
    for given, expected in ((None, "1"), ("2", "2")):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
        if given is not None:
            env["OPENBLAS_NUM_THREADS"] = given
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT)},
        )
        assert out.stdout.strip() == expected


def test_every_command_is_listed_and_loads_under_its_name() -> None:
    from click.testing import CliRunner

    from detector.cli import COMMANDS, main

    listing = CliRunner().invoke(main, ["--help"]).output
    for name in COMMANDS:
        assert f"  {name} " in listing
        command = main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.name == name
