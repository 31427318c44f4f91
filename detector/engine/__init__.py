"""Where the pipeline's plain functions run for a scan against a corpus given on the command
line (``detector scan PAGE... --corpus SOURCE... --engine local|dask``).

- ``local``: in this process; the corpus is held as an in-memory index (``CorpusIndex``) and
  queried exactly as a persistent index is.
- ``dask``: a ``dask.distributed`` computation: sources and pages are signed on the workers,
  candidate pairs are found by a shuffle join on LSH band keys, and the candidates are verified
  and aligned on the workers; the site-level analysis then runs on the driver as in every run.

Both give the same findings and the same JSON as ``scan --index`` on an index built from the
same sources. Another engine (Spark, Ray) would implement ``retrieval.Corpus`` the same way.
Modules are imported when used (Dask only when asked for).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from detector.config import Settings
from detector.model import InputFailure

if TYPE_CHECKING:
    from detector.retrieval import Corpus

    class CorpusRun(Corpus, Protocol):
        """A corpus for one scan, with the sources that could not be read."""

        failures: list[InputFailure]


ENGINES = ("local", "dask")


@contextmanager
def open_corpus(
    paths: Sequence[str], settings: Settings, *, engine: str = "local", scheduler: str | None = None
) -> Iterator[CorpusRun]:
    """The corpus for one scan, run by ``engine``; a Dask client is closed on exit."""
    if engine == "local":
        from detector.engine.local import LocalCorpus

        yield LocalCorpus.read(paths, settings)
        return
    if engine == "dask":
        from detector.engine.dask_engine import DaskCorpus

        with DaskCorpus.start(paths, settings, scheduler=scheduler) as corpus:
            yield corpus
        return
    raise ValueError(f"unknown engine {engine!r}")
