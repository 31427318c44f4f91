"""detector: find reposted, off-topic and duplicated content in scraped web pages.

The library API (``detector.index``, ``detector.scan``) is documented in ``detector.api``;
errors are in ``detector.errors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detector.version import __version__

if TYPE_CHECKING:
    from detector.api import index, scan
    from detector.result import ScanResult

__all__ = ["ScanResult", "__version__", "index", "scan"]


def __getattr__(name: str) -> Any:
    """``index``, ``scan`` and ``ScanResult`` on first use (PEP 562): every ``detector`` command
    imports this package, and ``detector --help`` or ``detector index`` has no use for the
    scanning modules the API pulls in (numpy, analysis, ingest: a third of a second per process)."""
    if name in ("index", "scan"):
        from detector import api

        return getattr(api, name)
    if name == "ScanResult":
        from detector.result import ScanResult

        return ScanResult
    raise AttributeError(f"module 'detector' has no attribute {name!r}")
