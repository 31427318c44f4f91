"""Fetching pages over HTTP and crawling a site politely (CONTRACT.md, "Fetching").

``inputs.read_pages`` turns URLs into the same Documents (or InputFailures) that files and WARC
records give, so a fetched page is scanned exactly like a file; ``crawl.fetch`` does the
fetching. Importing this package loads no HTTP client: ``crawl`` does, when it is used.
"""
