"""``detector report``: the HTML report of a saved scan JSON."""

from __future__ import annotations

from pathlib import Path

import click

from detector import safe_json
from detector.cli.common import fail, safe_line, user_errors


@click.command("report")
@click.argument(
    "scan_json", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="SCAN.json"
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
def report_command(scan_json: Path, out_dir: Path) -> None:
    """Render the HTML report of a saved scan (`detector scan ... --json SCAN.json`).

    \b
    Example:
      detector report scan.json --out reports/demo
    """
    from detector.report.html import write_html_report
    from detector.report.scan_check import enum_problem

    with user_errors():
        try:
            data = safe_json.loads(scan_json.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            fail(f"{scan_json}: not a scan JSON file ({err})")
        if not isinstance(data, dict) or data.get("schema") != "detector.scan/1":
            fail(f"{scan_json}: not a detector scan (schema is not detector.scan/1)")
        problem = enum_problem(data)
        if problem is not None:
            fail(f"{scan_json}: not a detector scan ({problem})")
        index_html = write_html_report(data, out_dir)
    click.echo(safe_line(f"report: {index_html}"))
