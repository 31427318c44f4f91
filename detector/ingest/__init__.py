"""Ingest: bytes and files -> ``Document`` (decoded text, extracted text, labelled blocks, offsets).

Modules: ``decode`` (bytes -> str), ``htmlparse`` (HTML -> positioned text pieces), ``htmlpage``
(labelled blocks, title, metadata), ``plain`` (text and Markdown pages), ``patterns`` (the words of site
chrome), ``layout`` (text, blocks and OffsetMap from segments), ``build`` (one Document), ``inputs``
(files and folders named on the command line -> Documents or InputFailures), ``partitions``
(every kind of input, Parquet and WARC too, cut into partitions an engine reads anywhere).
"""
