"""The command line: ``detector index|scan|report|align|check``, one module per command.

Exit codes (CONTRACT.md): 0 ok; 1 a finding at or above --fail-on; 2 usage or input error.
Every error a user can cause ends in one line on stderr, never a traceback.
"""

from __future__ import annotations

import click

from detector.cli.align import align_command
from detector.cli.check import check_command
from detector.cli.common import Main
from detector.cli.index import index_command
from detector.cli.report import report_command
from detector.cli.scan import scan_command
from detector.version import __version__


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


for _command in (index_command, scan_command, report_command, check_command, align_command):
    main.add_command(_command)

__all__ = ["main"]
