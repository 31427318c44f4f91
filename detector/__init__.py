"""detector: find reposted, off-topic and duplicated content in scraped web pages.

The library API (``detector.index``, ``detector.scan``) is documented in ``detector.api``;
errors are in ``detector.errors``.
"""

from detector.api import index, scan
from detector.result import ScanResult
from detector.version import __version__

__all__ = ["ScanResult", "__version__", "index", "scan"]
