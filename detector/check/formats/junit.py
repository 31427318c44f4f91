"""JUnit XML, the test-report format CI servers read (Jenkins, GitLab, Azure DevOps, CircleCI).

One test suite, one test case per checked file (named by its path). A file with findings at or above
``--fail-on`` has one ``<failure>`` listing them, a line each as in the text format; findings below it go to
``<system-out>``; a file that could not be read has an ``<error>``. Characters XML 1.0 cannot hold (control
characters from page text) are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from detector.check.formats.text import finding_line
from detector.check.run import CheckedFinding, CheckResult

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SUITE = "detector check"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def render_junit(result: CheckResult) -> str:
    by_file: dict[str, list[CheckedFinding]] = {}
    for c in result.findings:
        by_file.setdefault(c.path, []).append(c)
    errors = {f.uri: f.error for f in result.failures}
    # A JSONL file's lines are pages of their own; they all belong to the test case of their file.
    cases: list[str] = []
    for uri in result.files:
        name = uri.split("#")[0] if uri.lower().split("#")[0].endswith(".jsonl") else uri
        if name not in cases:
            cases.append(name)

    suite = ET.Element("testsuite", name=SUITE)
    n_failures = n_errors = 0
    for name in cases:
        case = ET.SubElement(
            suite, "testcase", classname="detector.check", name=_clean(name), file=_clean(name)
        )
        mine = [c for uri, cs in by_file.items() if uri.split("#")[0] == name for c in cs]
        failing = [c for c in mine if result.fails(c.finding)]
        passing = [c for c in mine if not result.fails(c.finding)]
        problems = [f"{uri}: {err}" for uri, err in errors.items() if uri.split("#")[0] == name]
        if problems:
            n_errors += 1
            err = ET.SubElement(case, "error", message=_clean(problems[0]), type="unreadable")
            err.text = _clean("\n".join(problems))
        if failing:
            n_failures += 1
            n = len(failing)
            failure = ET.SubElement(
                case,
                "failure",
                message=_clean(f"{n} finding{'s' if n != 1 else ''} at or above {result.config.fail_on}"),
                type=failing[0].finding.kind,
            )
            failure.text = _clean("\n".join(finding_line(c) for c in failing))
        if passing:
            out = ET.SubElement(case, "system-out")
            out.text = _clean("\n".join(finding_line(c) for c in passing))
    counts = {"tests": str(len(cases)), "failures": str(n_failures), "errors": str(n_errors)}
    suite.attrib.update({**counts, "skipped": "0", "time": "0"})
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
