"""Process start of the CLI: what each command costs before it does anything, against the floors.

    python bench/startup.py [--runs 9] [--scan PAGES --index INDEX]

Runs each command ``--runs`` times, interleaved (the machine's load drifts), as fresh processes
of this interpreter with this checkout first on the path, and prints the median and the
fastest wall time and the median CPU time (user + system) of each. Floors: the interpreter
alone and ``import numpy``. With --scan and --index (``bench/throughput.py --keep DIR`` leaves
``DIR/pages`` and ``DIR/index-25000000.idx``), the whole scan too.

Modules are compiled from source in every process when there is no ``__pycache__`` (as in CI,
where PYTHONDONTWRITEBYTECODE=1): the figures then include compiling every module imported.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--scan", type=Path, help="pages to scan (with --index)")
    ap.add_argument("--index", type=Path, help="the index to scan them against")
    args = ap.parse_args()
    py = [sys.executable]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)  # not the checkout: `python -m detector` must find it through PYTHONPATH
        commands = {
            "python -c pass (floor)": [*py, "-c", "pass"],
            "python -c 'import numpy' (floor)": [*py, "-c", "import numpy"],
            "detector --help": [*py, "-m", "detector", "--help"],
            "detector index --help": [*py, "-m", "detector", "index", "--help"],
            "detector scan --help": [*py, "-m", "detector", "scan", "--help"],
        }
        if args.scan is not None and args.index is not None:
            n = sum(1 for p in args.scan.rglob("*") if p.is_file())
            commands[f"detector scan ({n} pages) --json"] = [
                *py,
                *("-m", "detector", "scan", str(args.scan.resolve()), "--index", str(args.index.resolve())),
                *("--json", str(cwd / "scan.json")),
            ]
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(run_once(command, cwd))
    print(f"{'command':<44} {'wall median':>12} {'wall min':>9} {'CPU median':>11}   ({args.runs} runs)")
    for name, xs in times.items():
        walls, cpus = [w for w, _ in xs], [c for _, c in xs]
        print(
            f"{name:<44} {statistics.median(walls):>10.3f} s {min(walls):>7.3f} s "
            f"{statistics.median(cpus):>9.3f} s"
        )


if __name__ == "__main__":
    main()
