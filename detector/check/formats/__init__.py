"""Output formats of ``detector check``: text, json (the scan JSON with locations), sarif, junit, github."""

from __future__ import annotations

from collections.abc import Callable

from detector.check.config import Format
from detector.check.formats.github import render_github
from detector.check.formats.junit import render_junit
from detector.check.formats.sarif import render_sarif
from detector.check.formats.text import render_text, summary_line
from detector.check.run import CheckResult
from detector.result import dumps, scan_dict


def render_json(result: CheckResult) -> str:
    return dumps(scan_dict(result.scan))


RENDERERS: dict[Format, Callable[[CheckResult], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "github": render_github,
}
# Formats whose output already ends with the summary line.
WITH_SUMMARY: frozenset[Format] = frozenset({"text", "github"})


def render(result: CheckResult, fmt: Format) -> str:
    return RENDERERS[fmt](result)


__all__ = ["RENDERERS", "WITH_SUMMARY", "render", "summary_line"]
