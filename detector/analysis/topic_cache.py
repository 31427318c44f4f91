"""The topic model of an index, cached beside it as ``<index file>.topic.npz``.

Fitting the model on the index's labelled sources takes a fraction of a second per few hundred
sources; the cache makes every scan after the first start at once. The file holds plain arrays
(``numpy.savez``, loaded with ``allow_pickle=False``: nothing in it can run code) and a key: the
SHA-256 of the format version, the settings the model depends on and the (category, text digest)
of every sampled source, in order. A changed index that changes the sample changes the key;
a file with another key, or unreadable, or whose arrays do not fit together, is ignored and
replaced. It is written to a temporary file in the same folder and renamed, so a reader never
sees half a file; a folder that cannot be written to just means no cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from detector.analysis.topic_terms import TopicModel
from detector.config import LIMITS, TopicSettings
from detector.safe_write import NPZ_READ_ERRORS, save_cache

FORMAT = "detector.topic/1"


def cache_path(index_path: Path) -> Path:
    return index_path.with_name(index_path.name + ".topic.npz")


def model_key(sample: Sequence[tuple[str, str]], settings: TopicSettings) -> str:
    """Key of the model fitted on ``sample`` ((category, text digest) per source) with ``settings``."""
    return _model_key(tuple(map(tuple, sample)), settings)


# A scan of one page with the index open asked for the same key per page (1 ms of hashing).
@functools.lru_cache(maxsize=8)
def _model_key(sample: tuple[tuple[str, str], ...], settings: TopicSettings) -> str:
    spec = {
        "format": FORMAT,
        "ngrams": [settings.cjk_ngram_min, settings.cjk_ngram_max],
        "words": [
            settings.dictionary_words,
            settings.dictionary_min_freq,
            settings.drop_places,
            settings.drop_numerals,
        ],
        "smoothing": settings.category_smoothing,
        "power": settings.category_power,
        "chars": settings.reference_chars,
        "sample": [list(item) for item in sample],
    }
    return hashlib.sha256(json.dumps(spec, ensure_ascii=False).encode("utf-8")).hexdigest()


# Models read in this process, by file identity and key: a library caller scanning one page at
# a time against the same index read and checked the file on every scan (5 ms of 26 at 1 M
# paragraphs, bench/scale.py). A rewritten file has another identity and is read again.
_READ: dict[tuple[str, int, int, int, str], TopicModel] = {}
_READ_MAX = 4


def load(path: Path, key: str) -> TopicModel | None:
    """The cached model when ``path`` holds one for ``key`` and it is sound, else None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    identity = (str(path), st.st_ino, st.st_size, st.st_mtime_ns, key)
    model = _READ.get(identity)
    if model is None:
        model = _read(path, key)
        if model is not None:
            for array in (model.terms, model.doc_freq, model.prob, model.concentration, model.category_docs):
                array.setflags(write=False)  # shared by later scans: nobody may change it
            if len(_READ) >= _READ_MAX:
                _READ.pop(next(iter(_READ)))
            _READ[identity] = model
    return model


def _read(path: Path, key: str) -> TopicModel | None:
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > LIMITS.topic_cache_max_bytes:
                return None
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
            if str(data["format"]) != FORMAT or str(data["key"]) != key:
                return None
            n_docs = int(data["n_docs"])
            categories = tuple(str(c) for c in data["categories"])
            terms = np.asarray(data["terms"], dtype=np.int64)
            doc_freq = np.asarray(data["doc_freq"], dtype=np.float64)
            prob = np.asarray(data["prob"], dtype=np.float64)
            conc = np.asarray(data["concentration"], dtype=np.float64)
            per_cat = np.asarray(data["category_docs"], dtype=np.float64)
    except NPZ_READ_ERRORS:
        return None
    n = terms.shape[0]
    sound = (
        n_docs >= 0
        and terms.ndim == 1
        and doc_freq.shape == (n,)
        and len(set(categories)) == len(categories)
        and (n < 2 or bool(np.all(terms[1:] > terms[:-1])))
        and bool(np.all(np.isfinite(doc_freq)))
    )
    if sound and len(categories) >= 2:
        sound = (
            prob.shape == (n, len(categories))
            and conc.shape == (n,)
            and bool(np.all(np.isfinite(prob)) and np.all(prob >= 0))
            and bool(np.all((conc >= 0) & (conc <= 1)))
            and per_cat.shape == (len(categories),)
            and bool(np.all(per_cat >= 1))
        )
    if not sound:
        return None
    if len(categories) < 2:
        return TopicModel(n_docs, (), terms, doc_freq)
    return TopicModel(n_docs, categories, terms, doc_freq, prob, conc, per_cat)


def save(path: Path, key: str, model: TopicModel) -> None:
    """Write ``model`` atomically; quietly nothing when the folder is not writable."""

    def write(fh: BinaryIO) -> None:
        np.savez(
            fh,
            format=np.array(FORMAT),
            key=np.array(key),
            n_docs=np.array(model.n_docs, dtype=np.int64),
            categories=np.array(list(model.categories), dtype=str),
            terms=model.terms.astype(np.int64),
            doc_freq=model.doc_freq.astype(np.float32),
            prob=model.prob.astype(np.float32),
            concentration=model.concentration.astype(np.float32),
            category_docs=model.category_docs.astype(np.int64),
        )

    save_cache(path, write)


def canonical(model: TopicModel) -> TopicModel:
    """``model`` with its arrays at the precision the cache keeps, so that a scan with a freshly
    fitted model and one with the cached model give the same figures."""
    if not model.labelled:
        return TopicModel(model.n_docs, (), model.terms, model.doc_freq.astype(np.float32).astype(np.float64))
    return TopicModel(
        model.n_docs,
        model.categories,
        model.terms,
        model.doc_freq.astype(np.float32).astype(np.float64),
        model.prob.astype(np.float32).astype(np.float64),
        model.concentration.astype(np.float32).astype(np.float64),
        model.category_docs,
    )
