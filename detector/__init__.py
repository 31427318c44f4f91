"""detector: find reposted, off-topic and duplicated content in scraped web pages."""

__version__ = "0.1.0"
__all__ = ["__version__"]
