"""The ``check`` command: the CI gate on content. Parsing and printing only; the work is in detector.check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from detector.check.config import FORMATS, load_config
from detector.cli.common import (
    SEVERITY_CHOICE,
    error,
    fail,
    progress_bar,
    safe_line,
    user_errors,
    write_atomically,
)

PATH = click.Path(dir_okay=False, path_type=Path)


@click.command("check")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--index",
    "index_path",
    metavar="INDEX",
    help="Index of source articles (a file, or redis://HOST:PORT/DB?prefix=NAME): also find reposts.",
)
@click.option(
    "--fail-on", type=SEVERITY_CHOICE, help="Lowest severity that fails the check [default: medium]."
)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), help="Output format [default: text].")
@click.option(
    "-o",
    "--output",
    type=PATH,
    metavar="FILE",
    help="Write the output to FILE (the summary still goes to stdout).",
)
@click.option("--baseline", type=PATH, help="Report only findings that are not in this baseline file.")
@click.option(
    "--write-baseline", type=PATH, help="Record the current findings in FILE (accepting them): exit 0."
)
@click.option(
    "--decisions",
    type=click.Path(path_type=Path),  # a folder is refused by read_decisions, in one line
    help="Review decisions exported from a report: dismissed findings pass, allowed ones are info.",
)
@click.option("--config", "config_path", type=PATH, help="Config file [default: discovered, see above].")
@click.option("--site", help="Site name of the checked files [default: the project folder's name].")
@click.option(
    "--site-profile",
    metavar="TEXT_OR_FILE",
    help="What the site is about (text, or a file of it): enables off-topic findings.",
)
@click.option("--include", multiple=True, metavar="GLOB", help="Files to read in folders (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Files and folders to skip (repeatable).")
def check_command(
    paths: tuple[str, ...],
    index_path: str | None,
    fail_on: str | None,
    fmt: str | None,
    output: Path | None,
    baseline: Path | None,
    write_baseline: Path | None,
    decisions: Path | None,
    config_path: Path | None,
    site: str | None,
    site_profile: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
) -> None:
    """Fail a CI build on copied, duplicated or off-topic content, as a linter fails on code.

    Checks HTML, Markdown and text files (folders are walked recursively; hidden files are
    skipped). Without --index it finds what needs no corpus: passages repeated inside a file
    and across the checked files (one finding, located at the first place, listing the
    others), and off-topic pages when a site profile is configured. With --index (built by
    `detector index`) it also finds reposts of source articles. Every finding is located at
    the line and column of the file you edit. With no PATH, the configured `paths` (or the
    current folder) are checked.

    Exit codes: 0 no finding at or above --fail-on (default medium) after the baseline,
    decisions and allowlist; 1 there is one; 2 usage or input error (a missing path, a bad config key or
    value, a corrupt baseline, an unreadable file).

    A baseline accepts today's findings: --write-baseline FILE records them by fingerprint
    (kind and normalised text, so edits elsewhere in a file keep them accepted) and
    --baseline FILE then reports only new ones.

    Review decisions (decisions.json, exported from an HTML report) say what a person decided
    about a finding, by fingerprint: dismissed findings are not reported and do not fail the
    check (the json format keeps them, with their decision); allowed ones are info; decisions
    whose finding no longer exists are counted as stale in the summary line.

    \b
    Formats:
      text    path:line:col: severity kind message, then a summary line
      json    the scan JSON (CONTRACT.md) with a location on every finding
      sarif   SARIF 2.1.0 for GitHub code scanning and other viewers
      junit   JUnit XML: one test case per file, a failure for its findings
      github  GitHub Actions annotations (::error file=...,line=...::message)

    Configuration: [tool.detector] in pyproject.toml, or the same keys at the top of
    detector.toml (with [allow] for the allowlist), in the checked folder or above it (up to
    the repository root); paths in it are relative to its folder. Flags override it; an
    unknown key or a bad value is an error naming the key and the file.

    \b
      [tool.detector]
      paths = ["docs"]                   # what `detector check` checks without PATH
      include = ["*.md", "*.html", "*.htm", "*.txt"]   # files read in folders (default)
      exclude = ["docs/_build", "node_modules"]        # gitignore-like globs
      index = "content.idx"              # source articles: find reposts
      fail-on = "medium"                 # info | low | medium | high
      format = "text"                    # text | json | sarif | junit | github
      output = "detector.sarif"          # write the output here
      baseline = ".detector-baseline.json"
      decisions = "decisions.json"       # exported from a report: reviewed findings
      site = "docs"                      # site name (default: the folder's name)
      site-profile = "site-profile.txt"  # what the site is about (text or file)
      [tool.detector.allow]
      sources = ["partner-feed-001"]     # source ids that may be reposted
      source-urls = ["https://partner.example.com/*"]  # or their URLs
      paths = ["docs/legal/*"]           # findings in these files are ignored

    \b
    Examples:
      detector check docs/
      detector check . --index corpus.idx --fail-on high
      detector check docs/ --format sarif -o detector.sarif
      detector check docs/ --write-baseline .detector-baseline.json
      detector check docs/ --baseline .detector-baseline.json --format github
      detector check docs/ --decisions decisions.json
    """
    from detector.check.formats import WITH_SUMMARY, render, summary_line
    from detector.check.run import run_check

    cwd = Path.cwd()
    with user_errors():
        config = load_config(paths, cwd, config_path)
        config = config.with_overrides(
            paths=tuple(cwd / p for p in paths) or None,
            index=index_path,
            fail_on=fail_on,
            format=fmt,
            output=output,
            baseline=baseline,
            decisions=decisions,
            site=site,
            site_profile=str(cwd / site_profile)
            if site_profile and Path(site_profile).is_file()
            else site_profile,
            include=include or None,
            exclude=exclude or None,
        )
        with progress_bar("checking") as step:
            result = run_check(config, write_baseline_to=write_baseline, progress=step)
        text = render(result, config.format)
        if config.output is not None:
            write_atomically(config.output, text)
    summary = summary_line(result)
    if config.output is not None:
        click.echo(summary)
    else:
        click.echo(text, nl=False)
        if config.format not in WITH_SUMMARY:
            click.echo(summary, err=True)
    for path in result.skipped:
        click.echo(safe_line(f"detector: notice: {path}: skipped, it leads outside the project"), err=True)
    for failure in result.failures:
        error(f"{failure.uri}: {failure.error}")
    if write_baseline is not None:
        if result.baseline_written is None:
            fail(f"{write_baseline}: baseline not written: {len(result.failures)} file(s) could not be read")
        n = result.baselined
        click.echo(
            safe_line(f"baseline: {n} finding{'s' if n != 1 else ''} written to {write_baseline}"), err=True
        )
    sys.exit(result.exit_code)
