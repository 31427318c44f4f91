"""The command line: ``detector index|scan|report|align|check``, one module per command.

Exit codes (CONTRACT.md): 0 ok; 1 a finding at or above --fail-on; 2 usage or input error.
Every error a user can cause ends in one line on stderr, never a traceback.

A command's module is imported when the command runs (or when ``--help`` lists it): a process
runs one command, and the others' imports (the CI gate's config reader, the HTML report) would
only slow its start.
"""

from __future__ import annotations

import os

# One BLAS thread unless the user asks for more, set before numpy loads: a command's matrix
# products are small (topic vectors), and OpenBLAS's own thread woke for each of them, spinning
# on a 2-core machine busy with other work: 0.1 s of CPU and wall in a 100-page scan (issue 15).
# The sums are then the same whatever the number of cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click

from detector.cli.common import Main
from detector.version import __version__

# name -> (module, attribute) of each command
COMMANDS = {
    "align": ("detector.cli.align", "align_command"),
    "check": ("detector.cli.check", "check_command"),
    "index": ("detector.cli.index", "index_command"),
    "report": ("detector.cli.report", "report_command"),
    "scan": ("detector.cli.scan", "scan_command"),
}


@click.group(
    cls=Main,
    commands_from=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="detector")
def main() -> None:
    """Find reposted, off-topic and duplicated content in scraped web pages.

    Index a corpus of source articles once, then scan pages, folders of pages or whole
    sites against it. Chinese first (GBK pages, full-width punctuation, no spaces between
    words); English works too.

    \b
    Typical use:
      detector index corpus/sources --index corpus.idx
      detector scan corpus/pages --index corpus.idx --json scan.json --report reports/demo

    Exit codes: 0 ok, 1 a finding at or above --fail-on, 2 usage or input error.
    """


__all__ = ["main"]
