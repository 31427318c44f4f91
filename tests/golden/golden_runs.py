"""The scans whose JSON is pinned byte for byte (tests/golden/*.json).

Refactors and speed work must not change findings: these runs are recorded before such work
and compared after it. A change that is meant to alter findings re-records them with

    python -m tests.golden.golden_runs

and says in its commit message which findings changed and why.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from detector.cli import main
from tests.engine.corpus_gen import write_corpus

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@contextmanager
def _cwd(folder: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    if result.exit_code not in (0, 1):
        raise RuntimeError(f"detector {' '.join(args)} exited {result.exit_code}: {result.output}")
    return result.stdout


def demo_scan_json(work: Path) -> str:
    """The README's demo: the bundled corpus indexed, its pages scanned (uris from the repo root)."""
    index = work / "demo.idx"
    with _cwd(ROOT):
        _run("index", "corpus/sources", "--index", str(index))
        return _run("scan", "corpus/pages", "--index", str(index), "--json", "-")


def generated_scan_json(work: Path) -> str:
    """The engine tests' generated corpus: 150 sources, two sites of pages."""
    write_corpus(work / "gen")
    with _cwd(work / "gen"):
        _run("index", "sources.jsonl", "--index", "gen.idx")
        return _run("scan", "pages", "--index", "gen.idx", "--json", "-")


RUNS = {"demo": demo_scan_json, "generated": generated_scan_json}


def record() -> None:
    for name, run in RUNS.items():
        with tempfile.TemporaryDirectory() as tmp:
            (HERE / f"{name}.json").write_text(run(Path(tmp)), encoding="utf-8")
            print(f"recorded tests/golden/{name}.json", file=sys.stderr)


if __name__ == "__main__":
    record()
