"""JSON from the input, loaded without a crash however deep it nests.

``json.loads`` recurses once per level: a line of 100,000 ``[`` ends in ``RecursionError`` (a traceback,
exit 1). Here that is a ``ValueError`` like any other malformed JSON, so every reader's existing
"not valid JSON" path reports it in one line naming the file.
"""

from __future__ import annotations

import json
from typing import Any


class TooDeepError(ValueError):
    """JSON nested deeper than the interpreter can read."""


def loads(text: str | bytes) -> Any:
    """``json.loads``, with excessive nesting raised as :class:`TooDeepError` (a ``ValueError``)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise TooDeepError("JSON nested too deeply") from None
