"""Numbers in messages that compare a value with a threshold.

"similarity 0.09 < 0.09" reads false: both are shown with as many decimals as it takes for the
comparison to read true (0.0912 < 0.0949 shows as 0.091 < 0.095), at least ``min_digits``.
"""

from __future__ import annotations

# Values in the JSON are rounded to 4 places, so two of them differ by then; unrounded ones may
# take more, and 10 places is as far as any similarity here is meaningful.
_MAX_DIGITS = 10


def compared(value: float, threshold: float, *, min_digits: int = 2) -> tuple[str, str]:
    """``value`` and ``threshold`` as text, with the fewest decimals (at least ``min_digits``)
    at which they order as the numbers themselves do; equal numbers show at ``min_digits``."""
    digits = min_digits
    while digits < _MAX_DIGITS and _order(value, threshold, digits) != _sign(value - threshold):
        digits += 1
    return f"{value:.{digits}f}", f"{threshold:.{digits}f}"


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _order(value: float, threshold: float, digits: int) -> int:
    return _sign(round(value, digits) - round(threshold, digits))
