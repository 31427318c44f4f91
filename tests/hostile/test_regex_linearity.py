"""Every regular expression compiled in ``detector/`` runs in linear time on adversarial text.

The patterns are found by importing every module of the package and walking its globals for ``re.Pattern``
objects (a hand-kept list would miss the next one added). Each is run on 10,000-character strings built
from runs of each whitespace kind, digits, date and time separators, CJK and the pattern's own literal
characters, placed after a prefix the pattern can start on, which is where nested ``\\s*`` backtracks.
The limit (50 ms of CPU time a match, best of 3) comes from issue 20: a quadratic pattern takes seconds here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Iterator
from re import _parser as sre_parse  # type: ignore[attr-defined]

import pytest

import detector

LIMIT_SECONDS = 0.05
SIZE = 10_000
WHITESPACE = [" ", "\t", "\n", "\xa0", "\u3000", "\r\n"]
PIECES = [*WHITESPACE, "0", "9", "-", "/", ".", ":", "：", "年", "月", "日", "中", "a", "|", "©", "_"]
PREFIXES = [
    "",
    "2019-09-26",
    "2019年9月26日",
    "10:56",
    "[2019-09-26 10:56",
    "首页",
    "copyright 2019",
    "版权所有",
]


def compiled_patterns() -> list[tuple[str, re.Pattern[str]]]:
    found: dict[tuple[str, int], tuple[str, re.Pattern[str]]] = {}
    for info in pkgutil.walk_packages(detector.__path__, "detector."):
        if info.name.endswith("__main__"):
            continue  # runs the CLI when imported
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra (redis, dask) that is not installed
            continue
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.setdefault((value.pattern, value.flags), (f"{info.name}.{name}", value))
    return sorted(found.values(), key=lambda item: item[0])


def _literals(pattern: re.Pattern[str]) -> list[str]:
    """Characters the pattern names itself (literals and class members), a few of each run."""
    chars: set[str] = set()

    def walk(items: object) -> None:
        for op, arg in items:  # type: ignore[attr-defined]
            if op is sre_parse.LITERAL:
                chars.add(chr(arg))
            elif op is sre_parse.IN:
                for sub_op, sub_arg in arg:
                    if sub_op is sre_parse.LITERAL:
                        chars.add(chr(sub_arg))
                    elif sub_op is sre_parse.RANGE:
                        chars.add(chr(sub_arg[0]))
            elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
                walk(arg[2])
            elif op is sre_parse.SUBPATTERN:
                walk(arg[-1])
            elif op is sre_parse.ATOMIC_GROUP:
                walk(arg)
            elif op is sre_parse.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
                walk(arg[1])

    walk(sre_parse.parse(pattern.pattern, pattern.flags))
    return sorted(chars)


def adversarial(pattern: re.Pattern[str]) -> Iterator[str]:
    literals = _literals(pattern)
    pieces = list(dict.fromkeys(PIECES + literals))
    # What may come before a long run: a prefix the pattern can start on, each of its own characters alone,
    # followed by a letter (``# a`` then spaces is where ``(.*?)\s*#*\s*$`` goes cubic), or after one.
    heads = list(dict.fromkeys(PREFIXES + [h for c in literals for h in (c, c + " a", c + "a", "a" + c)]))
    for piece in pieces:
        yield (piece * SIZE)[:SIZE]
    for space in WHITESPACE:
        for head in heads:
            # A long run after the head, then a character that spoils the end.
            yield (head + space * SIZE)[: SIZE - 1] + "x"
        for piece in pieces:
            if piece != space:
                yield ((piece + space) * SIZE)[: SIZE - 1] + "。"
                yield ((space * 3 + piece) * SIZE)[: SIZE - 1] + "。"


def _seconds(call: object, text: str) -> float:
    # CPU time of this process: a busy machine (other jobs, xdist workers) does not count against a pattern.
    start = time.process_time()
    call(text)  # type: ignore[operator]
    return time.process_time() - start


def _worst(pattern: re.Pattern[str]) -> tuple[float, str, str]:
    worst = (0.0, "", "")
    calls = {"match": pattern.match, "search": pattern.search, "findall": pattern.findall}
    for text in adversarial(pattern):
        for method, call in calls.items():
            took = _seconds(call, text)
            if took > LIMIT_SECONDS:  # measure again: one slow run may be the machine, not the pattern
                took = min([took, _seconds(call, text), _seconds(call, text)])
            if took > worst[0]:
                worst = (took, method, text[:40])
    return worst


PATTERNS = compiled_patterns()


def test_the_walk_finds_the_patterns_it_must_guard() -> None:
    names = {name for name, _ in PATTERNS}
    assert {"detector.ingest.patterns.DATE_ONLY", "detector.ingest.patterns.DATE_LEAD"} <= names
    assert len(PATTERNS) >= 40


@pytest.mark.parametrize("name,pattern", PATTERNS, ids=[name for name, _ in PATTERNS])
def test_every_pattern_runs_in_linear_time_on_adversarial_text(name: str, pattern: re.Pattern[str]) -> None:
    took, method, start = _worst(pattern)
    assert took <= LIMIT_SECONDS, f"{name}.{method} took {took * 1000:.0f} ms on {start!r}..."
