"""Settings: every threshold and limit named, with how it was calibrated, in this package.

``Settings`` (here) is what a run is made with, written into the scan JSON; its sub-settings are
``TopicSettings`` (``topic``), and ``AlignSettings`` derived from it (``align``); ``PanSettings``
configure ``detector align --preset pan``; ``limits`` holds what bounds time and memory without
changing findings (``LIMITS``, ``FetchSettings``, ``DateSettings``); ``extraction`` the thresholds
of text extraction, fixed per version (``EXTRACTION``).

Calibration data, unless a comment says otherwise: the demo corpus in corpus/ (the seed
page and its variants) and the unit fixtures; figures are from `python bench/...` commands
quoted in CHANGELOG.md and the issues' closing notes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from detector.config.align import AlignSettings, PanSettings
from detector.config.extraction import EXTRACTION, ExtractionSettings
from detector.config.limits import LIMITS, DateSettings, FetchSettings, Limits
from detector.config.topic import TopicSettings
from detector.errors import ConfigError

__all__ = [
    "EXTRACTION",
    "LIMITS",
    "MANIFEST_FIELDS",
    "AlignSettings",
    "DateSettings",
    "ExtractionSettings",
    "FetchSettings",
    "Limits",
    "PanSettings",
    "PassageShape",
    "Settings",
    "TopicSettings",
]


# Marks a setting that changes how the work is done but never what is found: left out of the
# settings block of the scan JSON, so that tuning it does not change the output.
OPERATIONAL = {"operational": True}

# The settings an index is built with (its manifest): an index built with other values is refused.
MANIFEST_FIELDS = ("shingle_size", "num_perm", "seed", "lsh_threshold", "chunk_tokens", "min_passage_tokens")


@dataclass(frozen=True)
class PassageShape:
    """The passage parameters of ``Settings`` that signing needs, in one value."""

    shingle_size: int
    chunk_tokens: int
    min_tokens: int
    query_windows: int  # 0 for index chunks


@dataclass(frozen=True)
class Settings:
    # --- signatures and LSH (recorded in the index manifest: changing them needs a new index) ---
    # 5-token shingles: one CJK character per token, so 5 characters, the usual choice for
    # Chinese near-duplicate detection; for English 5 words is strict but the aligner, not the
    # LSH, decides what is copied.
    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    # Candidate threshold for passages. datasketch's optimal (bands, rows) for 0.5 and 128
    # permutations is (25, 5): P(candidate) 0.97 at Jaccard 0.7 (a sentence with a few edited
    # characters), 0.55 at 0.5, 0.03 at 0.3. A page copies many passages, so a document is
    # found with near certainty even when one passage is missed.
    lsh_threshold: float = 0.5
    # Sentences are merged into chunks of at least this many tokens before signing: about two
    # Chinese news sentences or three English ones. 60 keeps MinHash estimates steady (~56
    # shingles) and the band table at one row set per ~60 tokens: indexing cnews-1000 went
    # from 19,720 passages (chunks of 30 plus paragraphs) to ~6,000 with every demo and
    # bench repost still found (bench/throughput.py: 100/100 pages). A sentence longer than twice
    # this is signed in pieces of half of it (text/passages.py), so that a copy whose sentence
    # ends were changed (half-width or comma-only punctuation) is still found (issue 13).
    chunk_tokens: int = 60
    # A page queries every window of up to this many sentences of a paragraph, so that some
    # window matches a source chunk exactly when the page cuts paragraphs elsewhere.
    query_windows: int = 3
    # Passages shorter than this are neither indexed nor queried (a date line, a menu item).
    min_passage_tokens: int = 10

    # --- retrieval ---
    # Aligning costs ~1 ms per candidate; 30 covers one story on many portals.
    max_candidates: int = 30

    # --- alignment (analysis/align.py) ---
    # Seeds are runs of this many tokens shared by page and source (6 CJK characters or 6
    # words rarely coincide by chance; 4 let set phrases such as "中国进出口贸易" seed).
    align_seed_tokens: int = 6
    # Seeds merge into one passage across gaps of at most this many tokens on either side
    # (a few edited characters per sentence, a dropped clause).
    align_max_gap: int = 24
    # A copied passage has at least this many tokens: 20 CJK characters (about one sentence)
    # or 20 words. Shorter shared runs are set phrases, dates and names.
    min_copied_tokens: int = 20
    # Once a source is known to be copied, a whole page paragraph shorter than a passage (a
    # subheading such as 摔过的跟头, a one-line quote) that occurs verbatim in it counts too, from
    # this many tokens: on the seed page it lifts coverage from 0.983 to 0.99+ without adding
    # matches on the site's own pages (their paragraphs are not in the copied source).
    min_fragment_tokens: int = 4
    # Passages whose shingle containment is below this are not copies (chains of chance seeds).
    min_passage_similarity: float = 0.5

    # --- reposts ---
    # A source is reposted when the copied passages cover at least this share of the page's
    # main text, or at least repost_min_tokens tokens (a long article quoting one paragraph).
    repost_min_coverage: float = 0.1
    repost_min_tokens: int = 60
    # Another source is listed in also_in (not its own finding) when at least this share of its
    # copied page text lies inside the best source's.
    also_in_overlap: float = 0.8
    # Severity of a repost by coverage (CONTRACT.md).
    severity_high_coverage: float = 0.5
    severity_medium_coverage: float = 0.2

    # --- repeats inside a page ---
    # A repeat must cover at least this share of the shorter of its two places once widened to
    # sentences: a shared clause inside two different sentences is not a duplicated passage,
    # a sentence contained in a longer one is (the seed's 戴珊 sentence: 0.63 of the long form,
    # 1.0 of the short one).
    repeat_min_containment: float = 0.8
    # A repeat counts from 20 CJK characters or 15 Latin words (the floor): weights
    # per token, threshold in CJK-character units.
    repeat_min_weight: float = 20.0
    repeat_latin_word_weight: float = 20.0 / 15.0

    # --- topic (analysis/topic.py documents each threshold and its calibration) ---
    topic: TopicSettings = field(default_factory=TopicSettings)
    # The reference the topic model weighs terms with: source texts sampled from the index,
    # at most this many per category and in all (more costs start-up time of every scan).
    topic_reference_per_category: int = 200
    topic_reference_total: int = 5000

    # --- site analysis (pages of one site in one run) ---
    # A main-text line on at least this share of a site's pages (and on template_min_pages
    # pages or more) is the site's template, relabelled boilerplate. Half the pages: a
    # sidebar slogan or footer the HTML did not mark is on (nearly) all of them, while spun
    # paragraphs in our generated 50-page test site sit on at most a fifth of the pages.
    template_min_share: float = 0.5
    template_min_pages: int = 4
    # Two pages are near-duplicates when each has at least this share of its main text
    # aligned with the other (Siteliner flags pages from about 80% on).
    duplicate_page_similarity: float = 0.8
    # The pages of one run are banded in memory, where more bands cost little: 32 bands of 4
    # rows (all 128 permutations) miss a pair of paragraphs at Jaccard 0.68 (two characters
    # edited in 60) with probability 0.0005, against 0.02 for the index's 25 x 5; a 1,000-page
    # generated site lost one of its 20 spun pages that way before.
    site_lsh_rows: int = 4
    # A band bucket holding more pages than this links them as a star, not all pairs.
    site_bucket_cap: int = 32

    # --- indexing ---
    # Worker processes that sign documents while the main process writes; 0 = up to 2 (the
    # cores of the machine we measured on; more cores help until SQLite writing dominates).
    index_workers: int = 0
    # Documents per write transaction (each transaction holds whole documents only), and lines
    # of a JSONL file per part a signing worker reads: large enough that SQLite's commit cost is
    # spread, small enough that a killed writer loses little work. bench/throughput.py (25 MB,
    # shared 2-core machine, CPU of the whole run, median of 5-6): 250 lines 3.1-3.7 s, 500
    # 3.5-3.9 s; a worker alone reading and signing it: 1.36-1.47 s against 1.51-1.76 s. An
    # operational limit: findings do not depend on it (not in the scan JSON).
    index_write_batch: int = field(default=250, metadata=OPERATIONAL)
    # Sources signed in one vectorised MinHash pass (in a worker, an engine or a Dask task): big
    # enough to amortise numpy's per-call cost, small enough to keep a batch's shingles in cache.
    sign_batch: int = field(default=500, metadata=OPERATIONAL)
    # Pages per Dask verification task: enough work per task to hide scheduling (~1 ms a page).
    dask_pages_per_task: int = field(default=64, metadata=OPERATIONAL)

    # --- input limits ---
    max_page_bytes: int = 20_000_000

    # --- run ---
    # Sources that may be reposted (syndication agreements): their reposts are `info`.
    allow_sources: tuple[str, ...] = field(default_factory=tuple)

    def manifest(self) -> dict[str, Any]:
        """The settings that shape signatures and band keys, recorded in every index's manifest."""
        return {name: getattr(self, name) for name in MANIFEST_FIELDS}

    def passages(self, *, query: bool = False) -> PassageShape:
        """How passages are cut and shingled: index chunks, or (``query``) a page's query windows too."""
        return PassageShape(
            self.shingle_size, self.chunk_tokens, self.min_passage_tokens, self.query_windows if query else 0
        )

    def public(self) -> dict[str, Any]:
        """The settings as written into the scan JSON (sorted keys, plain values, floats to 4 places)."""
        hidden = {f.name for f in fields(self) if f.metadata.get("operational")}
        return {k: _plain(v) for k, v in sorted(asdict(self).items()) if k not in hidden}

    def with_overrides(self, **overrides: Any) -> Settings:
        known = {f.name for f in fields(self)}
        for key in overrides:
            if key not in known:
                raise ConfigError(f"unknown setting {key!r}")
        return replace(self, **overrides)


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
