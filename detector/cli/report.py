"""``detector report``: the HTML report of a saved scan JSON."""

from __future__ import annotations

from pathlib import Path

import click

from detector import safe_json
from detector.cli.common import fail, safe_line, user_errors

DEFAULT_REPORTS = Path("reports")


def default_report_dir(scan_json: Path) -> Path:
    """``reports/NAME`` for ``NAME.json`` (``reports/report`` when the name is all extension)."""
    name = scan_json.name[: -len(".json")] if scan_json.name.lower().endswith(".json") else scan_json.name
    return DEFAULT_REPORTS / (name.lstrip(".") or "report")


@click.command("report")
@click.argument(
    "scan_json", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="SCAN.json"
)
@click.option(
    "-o",
    "--out",
    "--output",
    "out_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the report to (index.html, pages/) [default: reports/NAME, NAME being "
    "SCAN.json's file name without .json].",
)
@click.option(
    "--decisions",
    "decisions_path",
    type=click.Path(path_type=Path),  # a folder is refused by read_decisions, in one line
    help="Review decisions (decisions.json exported from a report) to show, and to continue the review from.",
)
def report_command(scan_json: Path, out_dir: Path | None, decisions_path: Path | None) -> None:
    """Render the HTML report of a saved scan (`detector scan ... --json SCAN.json`).

    Writes DIR/index.html (every page, sortable and searchable) and one report per page
    under DIR/pages/, then prints the path of index.html. Files already in DIR with the
    same names are replaced. In the report, mark each finding confirmed, dismissed or
    allowed (buttons, or the keys c/d/a), then "Export decisions" to download
    decisions.json; commit it, and `scan`, `check` and `report` honour it with --decisions.

    \b
    Examples:
      detector report scan.json                   # writes reports/scan/index.html
      detector report reports/demo/scan.json -o reports/demo
      detector report scan.json -o reports/demo --decisions decisions.json

    Exit codes: 0 written, 2 a file that is not a scan JSON, or a folder that cannot be written.
    """
    from detector.decisions import apply_to_scan_dict, read_decisions
    from detector.report.html import write_html_report
    from detector.report.scan_check import enum_problem

    with user_errors():
        decisions = read_decisions(decisions_path) if decisions_path is not None else None
        try:
            data = safe_json.loads(scan_json.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            fail(f"{scan_json}: not a scan JSON file ({err})")
        if not isinstance(data, dict) or data.get("schema") != "detector.scan/1":
            fail(f"{scan_json}: not a detector scan (schema is not detector.scan/1)")
        problem = enum_problem(data)
        if problem is not None:
            fail(f"{scan_json}: not a detector scan ({problem})")
        if decisions is not None:
            data = apply_to_scan_dict(data, decisions)
        target = out_dir if out_dir is not None else default_report_dir(scan_json)
        index_html = write_html_report(data, target, decisions=decisions)
    click.echo(safe_line(f"report: {index_html}"))
