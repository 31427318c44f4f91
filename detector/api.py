"""The library API: what ``detector index`` and ``detector scan`` do, as functions.

    import detector

    detector.index(["corpus/sources"], index="corpus.idx")
    result = detector.scan(["corpus/pages"], index="corpus.idx")
    for page in result.pages:
        for finding in page.findings:
            print(page.uri, finding.kind, finding.severity, finding.message)
    open("scan.json", "w").write(result.to_json())   # what `detector scan --json` writes

Keyword settings override ``detector.config.Settings`` (``detector.scan(..., min_copied_tokens=30)``);
an unknown name is a ``ConfigError``. Errors are the ``detector.errors`` exceptions, never
``SystemExit``; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detector.config import Settings
from detector.model import Progress, no_progress

# Each function imports what it runs: one command per process from the command line, and
# ``detector index`` has no use for the scanning modules (nor a scan for the indexing ones).
if TYPE_CHECKING:
    from detector.fetch.inputs import FetchOptions
    from detector.indexing import IndexSummary
    from detector.result import ScanResult


def index(
    sources: Sequence[str | Path], *, index: str | Path, progress: Progress = no_progress, **settings: Any
) -> IndexSummary:
    """Add or replace source documents (files, folders, JSONL, Parquet, WARC) in ``index``: a file
    path (created when missing) or a ``redis://`` URL. Unreadable sources are listed in the
    summary's ``failures``; the others are indexed."""
    from detector.indexing import index_corpus

    return index_corpus([str(s) for s in sources], index, Settings().with_overrides(**settings), progress)


def scan(
    pages: Sequence[str | Path],
    *,
    index: str | Path | None = None,
    corpus: Sequence[str | Path] = (),
    engine: str = "local",
    scheduler: str | None = None,
    site: str | None = None,
    site_profile: str | None = None,
    progress: Progress = no_progress,
    site_per_folder: bool = False,
    fetching: FetchOptions | None = None,
    **settings: Any,
) -> ScanResult:
    """Scan pages (files, folders, JSONL, Parquet, WARC, URLs) for reposts of the sources in ``index``
    (or in ``corpus``, read for this run by ``engine``: ``local`` or ``dask``), repeated and
    duplicated passages, and off-topic content. ``site`` puts every page in one site;
    ``site_per_folder`` makes each first-level subfolder of a folder named a site (CONTRACT.md);
    ``site_profile`` is a text saying what the sites are about. Sources of ``corpus`` that
    cannot be read are in ``result.corpus_failures``; pages that cannot be read are pages with
    a ``failure``. URLs are fetched as ``fetching`` says (``--crawl`` and the rest); crawled
    links that fail are in ``result.fetch_errors``."""
    from detector.fetch.inputs import FetchOptions, read_pages
    from detector.scanning import scan as scan_pages

    chosen = Settings().with_overrides(**settings)
    paths = [str(p) for p in pages]
    if corpus and index is not None:
        raise ValueError("scan takes an index or a corpus, not both")
    # URLs among the pages are fetched first (``fetching``: crawl, politeness, WARC; see detector.fetch).
    fetched = read_pages(
        paths,
        fetching or FetchOptions(),
        site=site,
        max_bytes=chosen.max_page_bytes,
        site_per_folder=site_per_folder,
    )
    inputs = fetched.items if fetched is not None else None
    if not corpus:
        result = scan_pages(
            paths,
            index,
            chosen,
            site=site,
            site_profile=site_profile,
            progress=progress,
            site_per_folder=site_per_folder,
            inputs=inputs,
        )
    else:
        from detector.engine import open_corpus

        with open_corpus([str(c) for c in corpus], chosen, engine=engine, scheduler=scheduler) as run:
            result = scan_pages(
                paths,
                None,
                chosen,
                site=site,
                site_profile=site_profile,
                progress=progress,
                corpus=run,
                site_per_folder=site_per_folder,
                inputs=inputs,
            ).with_corpus_failures(run.failures)
    return result if fetched is None else result.with_fetch(fetched.fetch_errors, fetched.interrupted)
