"""``detector report``: the HTML report of a saved scan JSON."""

from __future__ import annotations

from pathlib import Path

import click

from detector.cli.common import fail, user_errors


@click.command("report")
@click.argument(
    "scan_json", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="SCAN.json"
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--decisions",
    "decisions_path",
    type=click.Path(path_type=Path),  # a folder is refused by read_decisions, in one line
    help="Review decisions (decisions.json exported from a report) to show, and to continue the review from.",
)
def report_command(scan_json: Path, out_dir: Path, decisions_path: Path | None) -> None:
    """Render the HTML report of a saved scan (`detector scan ... --json SCAN.json`).

    In the report, mark each finding confirmed, dismissed or allowed (buttons, or the keys
    c/d/a), then "Export decisions" to download decisions.json; commit it, and `scan`,
    `check` and `report` honour it with --decisions.

    \b
    Example:
      detector report scan.json --out reports/demo
      detector report scan.json --out reports/demo --decisions decisions.json
    """
    import json

    from detector.decisions import apply_to_scan_dict, read_decisions
    from detector.report.html import write_html_report

    with user_errors():
        decisions = read_decisions(decisions_path) if decisions_path is not None else None
        try:
            data = json.loads(scan_json.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            fail(f"{scan_json}: not a scan JSON file ({err})")
        if not isinstance(data, dict) or data.get("schema") != "detector.scan/1":
            fail(f"{scan_json}: not a detector scan (schema is not detector.scan/1)")
        if decisions is not None:
            data = apply_to_scan_dict(data, decisions)
        index_html = write_html_report(data, out_dir, decisions=decisions)
    click.echo(f"report: {index_html}")
