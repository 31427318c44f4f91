"""GitHub Actions workflow commands: one annotation per finding on the file and lines it concerns.

``::error file=PATH,line=L,col=C,endLine=E,title=TITLE::MESSAGE``: findings at or above ``--fail-on`` are
errors, ``info`` ones notices, the rest warnings. Values are escaped as the runner expects (``%``, CR and LF
everywhere; ``:`` and ``,`` in properties too), so no page text can inject a command; control characters
(ANSI escapes, U+2028) are escaped first, as in every line the tool prints.
"""

from __future__ import annotations

from detector.check.formats.text import summary_line
from detector.check.run import CheckedFinding, CheckResult
from detector.textsafe import escape_control


def _data(value: str) -> str:
    # The runner's own escapes for % and line breaks, then every other control character made visible.
    return escape_control(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _prop(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, props: dict[str, str], message: str) -> str:
    joined = ",".join(f"{k}={_prop(v)}" for k, v in props.items())
    return f"::{level} {joined}::{_data(message)}"


def annotation(result: CheckResult, c: CheckedFinding) -> str:
    f = c.finding
    loc = c.location
    level = "error" if result.fails(f) else "notice" if f.severity == "info" else "warning"
    # The location's end is exclusive: a passage that ends at column 1 ends on the line before.
    end_line = loc.end_line - 1 if loc.end_column == 1 and loc.end_line > loc.line else loc.end_line
    message = f.message
    if c.related:
        others = ", ".join(f"{r.path}:{r.location.line}" for r in c.related[:5])
        message += f" Also at {others}{' ...' if len(c.related) > 5 else ''}."
    props = {
        "file": c.path,
        "line": str(loc.line),
        "col": str(loc.column),
        "endLine": str(end_line),
        "title": f"detector: {f.kind} ({f.severity})",
    }
    return _command(level, props, message)


def render_github(result: CheckResult) -> str:
    lines = [annotation(result, c) for c in result.findings]
    for failure in result.failures:
        lines.append(
            _command("error", {"file": failure.uri, "title": "detector: unreadable file"}, failure.error)
        )
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
