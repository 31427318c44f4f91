"""Text from the input made safe for a terminal or a CI log: control characters escaped.

A file name, id, title or excerpt may hold a line break (a forged ``::warning ...`` workflow command on a
line of its own), an ANSI escape (``\\x1b]0;...\\x07`` retitles the terminal, ``\\x1b[2J`` clears it) or a
Unicode line separator. Every line the text and github formats print, and every error line on stderr,
goes through :func:`escape_control`; the JSON, SARIF and JUnit outputs keep text exact (their own syntax
escapes it).
"""

from __future__ import annotations

import re

# C0 (tab and line breaks included), DEL, C1, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """``text`` with every control character written as a visible escape (``\\n``, ``\\x1b``, ``\\u2028``)."""
    return _CONTROL.sub(_escape, text)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character :func:`escape_control` would escape."""
    return _CONTROL.search(text) is not None
