"""The plain frozen dataclasses that flow between the stages.

ingest  -> Document (text + labelled blocks, every offset a code-point index into ``Document.text``)
text    -> Passage (paragraphs and sentence windows of the main text)
index   -> candidate source ids for a page
analysis-> Match / Finding per page, PageResult / ScanResult for the run
report  -> JSON, HTML, SARIF ... (only the report and ingest/index stages touch the disk)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["title", "main", "boilerplate"]
FindingKind = Literal["repost", "off-topic-repost", "off-topic", "duplicate-passage", "duplicate-page"]
Severity = Literal["info", "low", "medium", "high"]
DecisionStatus = Literal["confirmed", "dismissed", "allowed"]

SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high")
FINDING_KINDS: tuple[FindingKind, ...] = (
    "repost",
    "off-topic-repost",
    "off-topic",
    "duplicate-passage",
    "duplicate-page",
)

Span = tuple[int, int]


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted spans with overlapping and nested ones merged: one place of a page is one
    occurrence, counted once (a block repeated whole and the paragraphs inside it)."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def severity_rank(severity: Severity) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class Block:
    """A span ``[start, end)`` of ``Document.text`` with its role on the page."""

    start: int
    end: int
    kind: BlockKind


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps offsets of the extracted text back to offsets of the decoded original file.

    Runs ``i`` map ``text[text_starts[i] : text_starts[i] + lengths[i]]`` one to one onto
    ``original[orig_starts[i] : ...]``; a character that the extractor produced from
    something longer (an entity such as ``&amp;``) is a run of length 1 pointing at the
    entity's first character. Text between runs (separators the extractor inserted) maps
    to the start of the next run.
    """

    text_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    lengths: tuple[int, ...]

    def to_original(self, offset: int) -> int:
        """The offset in the original file of the text character at ``offset``."""
        if not self.text_starts:
            return 0
        i = bisect_right(self.text_starts, offset) - 1
        if i < 0:
            return self.orig_starts[0]
        start, orig, length = self.text_starts[i], self.orig_starts[i], self.lengths[i]
        if offset < start + length:
            return orig + (offset - start)
        if i + 1 < len(self.text_starts):
            return self.orig_starts[i + 1]
        return orig + length

    @staticmethod
    def identity(length: int) -> OffsetMap:
        return OffsetMap((0,), (0,), (length,))


@dataclass(frozen=True)
class FetchError:
    """A crawled link that could not be fetched (``summary.fetch_errors``)."""

    url: str
    error: str


@dataclass(frozen=True)
class FetchInfo:
    """How a page fetched over HTTP was answered (CONTRACT.md, Fetching)."""

    status: int
    final_url: str
    content_type: str | None


@dataclass(frozen=True)
class Document:
    """One page or source document after decoding and extraction.

    ``blocks`` cover ``text`` in order without gaps. ``original`` is the decoded file (or JSONL
    field) the text came from and ``origin`` maps text offsets into it, so a finding can be
    located at a line and column of the file a user edits.
    """

    id: str
    uri: str
    url: str | None
    site: str
    site_name: str | None
    title: str | None
    encoding: str | None
    text: str
    blocks: tuple[Block, ...]
    category: str | None = None
    keywords: tuple[str, ...] = ()
    description: str | None = None
    nav_labels: tuple[str, ...] = ()
    original: str | None = None
    origin: OffsetMap | None = None
    fetch: FetchInfo | None = None  # pages fetched over HTTP (or read from a WARC)
    # When the page was published (ISO 8601) and where that was read (detector.ingest.dates).
    published: str | None = None
    published_from: str | None = None

    def main_spans(self) -> list[Span]:
        return [(b.start, b.end) for b in self.blocks if b.kind == "main"]


@dataclass(frozen=True)
class InputFailure:
    """An input that could not be read: it still appears in the scan JSON with its error."""

    uri: str
    site: str
    error: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph, sentence or window of sentences: offsets into its document's text."""

    doc_id: str
    start: int
    end: int
    kind: Literal["paragraph", "sentence", "window"]


@dataclass(frozen=True, slots=True)
class AlignedPassage:
    """A passage copied between two texts: spans on both sides and their similarity."""

    page: Span
    source: Span
    similarity: float


@dataclass(frozen=True)
class SourceRef:
    id: str
    uri: str | None
    url: str | None
    title: str | None
    category: str | None
    published: str | None = None


@dataclass(frozen=True)
class Topic:
    similarity: float | None = None
    threshold: float | None = None
    site_terms: tuple[str, ...] = ()
    page_terms: tuple[str, ...] = ()
    source_category: str | None = None
    verdict: str | None = None
    reason: str | None = None
    signal: str | None = None  # what decided the verdict (topic_verdicts.py's SIGNAL_*)


@dataclass(frozen=True)
class AlsoInPage:
    uri: str
    occurrences: tuple[Span, ...]
    published: str | None = None


@dataclass(frozen=True)
class Location:
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class FindingDecision:
    """What a reviewer decided about a finding (``--decisions``, CONTRACT.md "Review decisions")."""

    status: DecisionStatus
    note: str | None = None


# The optional fields of a decisions file entry, in the order they are written.
DECISION_OPTIONAL_FIELDS = ("kind", "uri", "note", "by", "at")


@dataclass(frozen=True)
class DecisionEntry:
    """One entry of a decisions file, as the file holds it (a stale decision is an entry whose
    fingerprint matches no finding of the run)."""

    fingerprint: str
    decision: DecisionStatus
    kind: str | None = None
    uri: str | None = None
    note: str | None = None
    by: str | None = None
    at: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"fingerprint": self.fingerprint, "decision": self.decision}
        out |= {k: v for k in DECISION_OPTIONAL_FIELDS if (v := getattr(self, k)) is not None}
        return out


@dataclass(frozen=True)
class DecisionsApplied:
    """Set on a ScanResult when decisions were applied: counts by status and the stale entries."""

    confirmed: int = 0
    dismissed: int = 0
    allowed: int = 0
    stale: tuple[DecisionEntry, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One finding on a page. Fields beyond the common five are set by kind (see CONTRACT.md)."""

    kind: FindingKind
    severity: Severity
    score: float
    message: str
    fingerprint: str
    source: SourceRef | None = None
    coverage: float | None = None
    source_coverage: float | None = None
    passages: tuple[AlignedPassage, ...] = ()
    also_in_sources: tuple[SourceRef, ...] = ()
    topic: Topic | None = None
    occurrences: tuple[Span, ...] = ()
    also_in_pages: tuple[AlsoInPage, ...] = ()
    other_uri: str | None = None
    similarity: float | None = None
    location: Location | None = None
    # Reposts: "source" or "page", whichever was published on an earlier day; None when unknown.
    first_published: str | None = None
    decision: FindingDecision | None = None

    @property
    def dismissed(self) -> bool:
        """A dismissed finding stays in the JSON but counts in neither the summary nor --fail-on."""
        return self.decision is not None and self.decision.status == "dismissed"

    def first_offset(self) -> int:
        """Where the finding starts on its page (for ordering and locations)."""
        if self.passages:
            return self.passages[0].page[0]
        if self.occurrences:
            return self.occurrences[0][0]
        return 0


@dataclass(frozen=True)
class ContentShares:
    unique: float
    shared: float
    copied: float


@dataclass(frozen=True)
class PageResult:
    document: Document | None
    failure: InputFailure | None
    findings: tuple[Finding, ...] = ()
    topic: Topic | None = None
    content: ContentShares | None = None

    @property
    def uri(self) -> str:
        if self.document is not None:
            return self.document.uri
        if self.failure is not None:
            return self.failure.uri
        raise ValueError("a page result holds a document or a failure")


@dataclass(frozen=True)
class SourceDoc:
    """A source document as the index returns it."""

    id: str
    uri: str | None
    url: str | None
    title: str | None
    category: str | None
    site: str | None
    text: str
    # The main-text spans of ``text`` (article body without portal chrome); empty = all of it.
    main_spans: tuple[Span, ...] = ()
    published: str | None = None  # ISO 8601, from the JSONL ``published`` field or the page itself

    def content_spans(self) -> list[Span]:
        return list(self.main_spans) if self.main_spans else [(0, len(self.text))]

    def ref(self) -> SourceRef:
        return SourceRef(self.id, self.uri, self.url, self.title, self.category, self.published)


# Progress callbacks: the library reports each item it finishes (a uri or id) so a front end can
# draw a bar; the library itself never writes to the terminal.
Progress = Callable[[str], None]


def no_progress(_item: str) -> None:
    return None
