"""The site's top terms for each page of it, leaving the page out (topic.py's evidence)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
import numpy.typing as npt

from detector.analysis.topic_terms import F64, TermText, pick_terms, top_indices


class OwnVector(Protocol):
    """What a page adds to its site's profile: term indices and their weights."""

    @property
    def idx(self) -> npt.NDArray[np.intp]: ...

    @property
    def vec(self) -> F64: ...


class _CachedTermText(TermText):
    """A TermText whose answers are remembered per term (the whole text; no span skipped)."""

    def __init__(self, inner: TermText) -> None:
        self.__dict__.update(inner.__dict__)
        self._starts: dict[str, npt.NDArray[np.int64]] = {}
        self._complete: dict[str, str] = {}

    def starts(self, term: str, skip: tuple[int, int] = (0, 0)) -> npt.NDArray[np.int64]:
        if term not in self._starts:
            self._starts[term] = super().starts(term)
        return self._starts[term]

    def occurs_twice(self, term: str, skip: tuple[int, int] = (0, 0)) -> bool:
        return bool(self.starts(term).shape[0] >= 2)

    def complete(self, term: str, skip: tuple[int, int] = (0, 0)) -> str:
        if term not in self._complete:
            self._complete[term] = super().complete(term)
        return self._complete[term]


class SiteTerms:
    """Top terms of ``profile - own vector`` for every page, without ranking the whole profile
    each time: subtracting only lowers values, so unless a page removed most of the profile's
    best candidates, the answer lies among them (checked; else the whole profile is ranked)."""

    def __init__(
        self,
        profile: F64,
        readable: npt.NDArray[np.intp],
        name: Callable[[int], str],
        k: int,
        text: TermText,
        exact: bool = True,
    ) -> None:
        self.name, self.k, self.text = name, k, text
        self.values = np.zeros_like(profile)
        self.values[readable] = profile[readable]
        self.cand = top_indices(self.values, max(64, 16 * k))
        rest = np.delete(self.values, self.cand)
        self.bound = float(rest.max()) if rest.size else 0.0
        self.shared = pick_terms(self.values, self.cand, name, k, text)[0]
        self.exact = exact
        self.cached = _CachedTermText(text)

    def without(self, own: OwnVector, skip: tuple[int, int]) -> tuple[str, ...]:
        if own.idx.size == 0 or self.k == 0:
            return self.shared
        values = self.values.copy()
        values[own.idx] -= own.vec
        # The ranking always leaves the page out. Spelling fragments out to words and counting
        # them reads the site's text less the page on small sites; on large ones (more than
        # exact_term_pages pages) the whole site's text, read once and cached: per page it made
        # a site of 10,000 pages quadratic, for a difference only in how a term is spelled out.
        text: TermText = self.text if self.exact else self.cached
        span = skip if self.exact else (0, 0)
        picked, lowest = pick_terms(values, self.cand, self.name, self.k, text, span)
        if len(picked) == self.k and lowest > self.bound:
            return picked
        return pick_terms(values, range(values.shape[0]), self.name, self.k, text, span)[0]
