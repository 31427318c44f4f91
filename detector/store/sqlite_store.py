"""The embedded index: one SQLite file (WAL), crash-safe, constant-time open.

Tables (``sqlite_schema``):
    manifest(key, value)      "manifest" -> Manifest JSON, "permutations" -> [[a...], [b...]]
    documents(pk, id, ...)    one row per source document, text zlib-compressed; ``pk`` is never
                              reused (AUTOINCREMENT), band entries name documents by it
    runs, blocks              the band table: sorted runs of (band key, document) entries packed
                              in blocks of ~256 (``band_runs``)

A batch of documents and its run of band entries are written in one transaction, so a run
killed part-way leaves each document whole or absent; merging runs is a transaction of its
own. Nothing is unpickled and no LSH table is rebuilt on open: a query reads, for each run, the
block each band key falls in. Removing a document deletes its row; its band entries are dropped
at lookup and left out by the next merge of their run.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.errors import IndexFileError
from detector.model import SourceDoc
from detector.store import band_filter, band_runs
from detector.store.interface import PreparedDoc, SortedRun
from detector.store.manifest import FORMAT, Manifest, read_manifest
from detector.store.signatures import SignatureParams
from detector.store.sqlite_documents import write_documents
from detector.store.sqlite_merging import RunMerger
from detector.store.sqlite_schema import SCHEMA, is_format_1, schema_problem
from detector.store.stored_text import StoredTextError, inflate_text, read_spans

_SQLITE_MAGIC = b"SQLite format 3\x00"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[0-9T:.+Z-]{0,30}\Z")
# What `detector index --check` verifies in each row of `documents`, without inflating any text:
# (column, SQL condition that is true when the row is damaged, the damage in words).
_COLUMN_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("id", "typeof(id) != 'text' OR id = ''", "the id is missing or not text"),
    ("body", "typeof(body) != 'blob'", "the stored text is missing or not compressed bytes"),
    ("main", "typeof(main) != 'text' OR NOT json_valid(main)", "the main-text spans are missing or not JSON"),
    ("digest", "typeof(digest) != 'text' OR length(digest) != 64", "the text digest is missing or malformed"),
    ("chars", "typeof(chars) != 'integer' OR chars < 0", "the character count is missing or negative"),
    ("passages", "typeof(passages) != 'integer' OR passages < 0", "the passage count is missing or negative"),
    ("bands", "typeof(bands) != 'integer' OR bands < 0", "the band entry count is missing or negative"),
)
_COLUMNS = "id, uri, url, title, category, site, main, body, chars, published"


def _optional_text(value: object, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} is {type(value).__name__}, not text")
    return value


class SqliteIndex:
    """An open embedded index. Use ``SqliteIndex.create_or_open`` or ``SqliteIndex.open``."""

    needs_old_keys = False  # entries of documents that are gone are dropped by lookups and merges
    parts_ahead = LIMITS.sqlite_parts_ahead  # parts signed ahead per worker (indexing)

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        manifest: Manifest,
        params: SignatureParams,
        *,
        read_only: bool = False,
    ):
        self.path = path
        self.conn = conn
        self.manifest = manifest
        self.params = params
        self.read_only = read_only
        # The topic sample of a read-only index, kept while no other connection commits (SQLite's
        # data_version): a caller scanning page by page with the index open asked for it per page.
        self._samples: dict[tuple[int, int], tuple[int, list[tuple[str, str, str]]]] = {}
        self._recent: OrderedDict[int, SourceDoc] = OrderedDict()  # documents just read, by pk
        self._filter: band_filter.BandFilter | None = None  # the band filter, once read
        self._filter_read = False
        self._merger = RunMerger(conn, path)  # the band runs this writer adds, and their merging

    # ---- opening -------------------------------------------------------------------------
    @staticmethod
    def _check_file(path: Path) -> None:
        if path.is_dir():
            raise IndexFileError(f"{path}: is a folder, not an index file")
        try:
            with path.open("rb") as fh:
                head = fh.read(16)
        except OSError as err:
            raise IndexFileError(f"{path}: cannot read the index ({err.strerror})") from err
        if head != _SQLITE_MAGIC:
            raise IndexFileError(f"{path}: not a detector index (not an SQLite file)")

    @classmethod
    def open(cls, path: Path, expected: Manifest | None, *, writable: bool = False) -> SqliteIndex:
        """Open an existing index; refuse files that are not indexes or were built with other settings."""
        if not path.exists():
            raise IndexFileError(
                f"{path}: no such index (create it with `detector index SOURCE... --index {path}`)"
            )
        cls._check_file(path)
        mode = "rw" if writable else "ro"
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=60.0)
            # Functions in the file's schema (views, triggers, defaults) must not run with our rights.
            conn.execute("PRAGMA trusted_schema=OFF")
            if is_format_1(conn):
                conn.close()
                raise IndexFileError(
                    f"{path}: an index of the older format detector.index/1, not {FORMAT}: rebuild it"
                    f" into a new file (`detector index SOURCE... --index NEW`)"
                )
            problem = schema_problem(conn)
            if problem is not None:
                conn.close()
                raise IndexFileError(f"{path}: not a detector index or crafted ({problem})")
            rows = dict(conn.execute("SELECT key, value FROM manifest").fetchall())
        except sqlite3.DatabaseError as err:
            raise IndexFileError(f"{path}: not a detector index or corrupt ({err})") from err
        if (
            "manifest" not in rows
            or "permutations" not in rows
            or not all(isinstance(v, str) for v in rows.values())
        ):
            conn.close()
            raise IndexFileError(f"{path}: not a detector index (no manifest)")
        try:
            manifest, params = read_manifest(rows["manifest"], rows["permutations"], expected, str(path))
        except IndexFileError:
            conn.close()
            raise
        # 32 MB of page cache (allocated as pages are read): a lookup of a page's band keys reads
        # ~180 blocks, 40% less CPU when they stay cached across pages than with the default 2 MB.
        # (A read-only index whose band table is far larger goes back to the default below.)
        conn.execute(f"PRAGMA cache_size=-{LIMITS.sqlite_cache_bytes // 1024}")
        if writable:
            conn.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL: a commit is atomic and a killed writer loses at most the
            # transaction it was in (a power cut may also lose the last commits, never half of one).
            conn.execute("PRAGMA synchronous=NORMAL")
        try:
            index = cls(path, conn, manifest, params, read_only=not writable)
            entries = sum(n for _, _, n in index._runs())
            if not writable and entries * 12 > LIMITS.sqlite_cache_bytes * LIMITS.sqlite_cache_max_ratio:
                # Each lookup reads ~800 blocks at random, and a cache holding a small share of
                # them was slower than SQLite's default 2 MB (bench/scale.py at 1M paragraphs:
                # 540 MB of entries, 5.5-6.9 ms of SQL a page against 7.7-9.8 with 32 MB).
                conn.execute("PRAGMA cache_size=-2000")
            return index
        except (band_runs.BlockError, sqlite3.DatabaseError) as err:
            conn.close()
            raise IndexFileError(f"{path}: the band table is damaged ({err})") from err

    @classmethod
    def create_or_open(cls, path: Path, manifest: Manifest, params: SignatureParams) -> SqliteIndex:
        if path.exists() and path.stat().st_size > 0:
            return cls.open(path, manifest, writable=True)
        if not path.parent.exists():
            raise IndexFileError(f"{path}: the folder {path.parent} does not exist")
        tmp = path.with_name(path.name + ".creating")
        tmp.unlink(missing_ok=True)
        try:
            conn = sqlite3.connect(tmp)
            # 16 KB pages: a block of band entries (~3 KB) and most compressed documents fit in one.
            conn.execute("PRAGMA page_size=16384")
            # Merging runs frees the pages of the runs it replaced: ``finish`` gives them back.
            conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
            conn.executescript(SCHEMA)
            conn.execute("INSERT INTO manifest VALUES ('manifest', ?)", (manifest.to_json(),))
            conn.execute(
                "INSERT INTO manifest VALUES ('permutations', ?)",
                (json.dumps([list(params.a), list(params.b)]),),
            )
            conn.commit()
            conn.close()
            tmp.replace(path)  # an index appears whole or not at all
        except (OSError, sqlite3.Error) as err:
            tmp.unlink(missing_ok=True)
            raise IndexFileError(f"{path}: cannot create the index ({err})") from err
        return cls.open(path, manifest, writable=True)

    def close(self) -> None:
        self.conn.close()

    # ---- writing -------------------------------------------------------------------------
    def digest_of(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT digest FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else str(row[0])

    def digests_of(self, ids: Sequence[str]) -> list[str | None]:
        """``digest_of`` of each id, a few queries for all (one per id cost two file-lock calls
        each: 4,600 of them for 25 MB of text)."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(ids))
        for lo in range(0, len(unique), LIMITS.sqlite_query_chunk):
            chunk = unique[lo : lo + LIMITS.sqlite_query_chunk]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT id, digest FROM documents WHERE id IN ({marks})"
            found.update((str(i), str(d)) for i, d in self.conn.execute(query, chunk))
        return [found.get(i) for i in ids]

    def write(
        self,
        prepared: Sequence[PreparedDoc],
        replaced_keys: dict[str, npt.NDArray[np.int64]],
        run: SortedRun | None = None,
    ) -> None:
        """Write documents (replacing same ids) and their band entries, as one run, in one transaction."""
        try:
            added = None
            with self.conn:
                pks = write_documents(self.conn, prepared)
                if run is not None:
                    docs = np.array(pks, dtype=np.int64)[run[1]]
                    added = band_runs.add_run(self.conn, run[0], docs, presorted=True)
                elif prepared:
                    keys = np.concatenate([item.keys for item in prepared])
                    docs = np.repeat(np.array(pks, dtype=np.int64), [item.keys.shape[0] for item in prepared])
                    added = band_runs.add_run(self.conn, keys, docs)
            self._merger.hold(added)
            if len(self._runs()) > LIMITS.sqlite_merge_fan_in * 4:
                self._merger.merge_crowded()  # a long build: keep lookups of scanners meanwhile cheap
        except (sqlite3.Error, band_runs.BlockError) as err:
            raise IndexFileError(
                f"{self.path}: write failed, nothing of this batch was kept ({err})"
            ) from err

    def finish(self) -> None:
        """Merge the runs written since the index was opened into one, then any level that holds
        too many runs; each merge is a transaction of its own (a kill leaves the runs as they were)."""
        try:
            self._merger.finish()
        except (sqlite3.Error, band_runs.BlockError) as err:
            raise IndexFileError(
                f"{self.path}: merging band runs failed, the index is unchanged ({err})"
            ) from err

    def _runs(self) -> list[band_runs.Run]:
        return band_runs.read_runs(self.conn)

    def remove(self, ids_and_keys: dict[str, npt.NDArray[np.int64] | None]) -> list[str]:
        """Remove documents by id; returns the ids that were there. Their band entries stay until
        the next merge of their run and are never returned by ``candidates``."""
        removed: list[str] = []
        try:
            with self.conn:
                for doc_id in ids_and_keys:
                    if self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount:
                        removed.append(doc_id)
        except sqlite3.Error as err:
            raise IndexFileError(f"{self.path}: remove failed, the index is unchanged ({err})") from err
        return removed

    # ---- reading -------------------------------------------------------------------------
    def candidates(self, keys: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        """(band key, document pk) pairs for the given keys, for documents that are there."""
        try:
            # One read transaction: a writer merging runs meanwhile cannot hide entries from us.
            own = not self.conn.in_transaction
            if own:
                self.conn.execute("BEGIN")
            try:
                keys = self._maybe_present(keys)
                found_keys, found_docs = band_runs.find(self.conn, keys)
                docs = np.unique(found_docs).tolist()
                live: set[int] = set()
                for lo in range(0, len(docs), LIMITS.sqlite_query_chunk):
                    chunk = docs[lo : lo + LIMITS.sqlite_query_chunk]
                    marks = ",".join("?" * len(chunk))
                    live.update(
                        pk
                        for (pk,) in self.conn.execute(
                            f"SELECT pk FROM documents WHERE pk IN ({marks})", chunk
                        )
                    )
            finally:
                if own:
                    self.conn.execute("COMMIT")
        except band_runs.BlockError as err:
            raise IndexFileError(
                f"{self.path}: the band table is damaged ({err}); rebuild the index"
            ) from err
        return [(k, d) for k, d in zip(found_keys.tolist(), found_docs.tolist(), strict=True) if d in live]

    def _maybe_present(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        if not self._filter_read:  # read once, at the first lookup
            self._filter, self._filter_read = band_filter.load(band_filter.cache_path(self.path)), True
        return band_filter.maybe_present(self._filter, self.conn, keys)

    def documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]:
        out: dict[int, SourceDoc] = {}
        for pk in pks:
            row = self.conn.execute(f"SELECT {_COLUMNS} FROM documents WHERE pk = ?", (pk,)).fetchone()
            if row is not None:
                out[pk] = self._row_doc(row)
                self._recent[pk] = out[pk]
                self._recent.move_to_end(pk)
                if len(self._recent) > LIMITS.sqlite_recent_documents:
                    self._recent.popitem(last=False)
        return out

    def _row_doc(self, row: tuple[object, ...]) -> SourceDoc:
        doc_id, uri, url, title, category, site, main, body, chars, published = row
        if published is not None and not (isinstance(published, str) and _ISO_DATE.match(published)):
            raise IndexFileError(f"{self.path}: document {doc_id!r} is corrupt (published is not a date)")
        try:
            if not isinstance(doc_id, str):
                raise ValueError("the id is not text")
            text = inflate_text(body, chars)
            main_spans = read_spans(main, len(text))
            return SourceDoc(
                id=doc_id,
                uri=_optional_text(uri, "uri"),
                url=_optional_text(url, "url"),
                title=_optional_text(title, "title"),
                category=_optional_text(category, "category"),
                site=_optional_text(site, "site"),
                text=text,
                main_spans=main_spans,
                published=published,
            )
        except (zlib.error, UnicodeDecodeError, TypeError, ValueError) as err:
            raise IndexFileError(f"{self.path}: {_damage(doc_id, body, err)}") from err

    def document_by_id(self, doc_id: str) -> SourceDoc | None:
        # A scan reads each finding's source again by id, just after verifying it: a row never
        # changes under its pk (a replaced document gets a new one), so the one just read serves.
        found = self.conn.execute("SELECT pk FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if found is not None and found[0] in self._recent:
            return self._recent[found[0]]
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else self._row_doc(row)

    def iter_documents(self) -> Iterator[tuple[int, SourceDoc, str]]:
        for row in self.conn.execute(f"SELECT pk, digest, {_COLUMNS} FROM documents ORDER BY pk"):
            yield int(row[0]), self._row_doc(row[2:]), str(row[1])

    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]:
        """(content text, category, text digest) of up to ``per_category`` documents of each
        category (the first ones indexed), at most ``total``, ordered by category then index
        order. The sample is chosen on the small columns and only its bodies are read;
        ``texts=False`` reads none and leaves the text empty: the digests alone tell whether a
        model fitted on the sample is still valid."""
        version = -1
        if self.read_only and not texts:
            (version,) = self.conn.execute("PRAGMA data_version").fetchone()
            kept = self._samples.get((per_category, total))
            if kept is not None and kept[0] == version:
                return list(kept[1])
        # Category by category through the index ``documents_category`` (the next category is
        # one index seek, its first documents a range): a scan of 1M paragraphs read the whole
        # table here, 0.35 s of every page's scan, before the index.
        rows: list[tuple[int, object, object]] = []
        last = ""
        while len(rows) < total:
            (category,) = self.conn.execute(
                "SELECT min(category) FROM documents WHERE category > ?", (last,)
            ).fetchone()
            if category is None:
                break
            rows.extend(
                self.conn.execute(
                    "SELECT pk, category, digest FROM documents WHERE category = ? ORDER BY pk LIMIT ?",
                    (category, min(per_category, total - len(rows))),
                )
            )
            last = category
        out: list[tuple[str, str, str]] = []
        for pk, category, digest in rows:
            text = ""
            if texts:
                main, body, chars = self.conn.execute(
                    "SELECT main, body, chars FROM documents WHERE pk = ?", (pk,)
                ).fetchone()
                doc = self._row_doc(("", None, None, None, category, None, main, body, chars, None))
                text = "\n".join(doc.text[s:e] for s, e in doc.content_spans())
            out.append((text, str(category), str(digest)))
        if version != -1:
            self._samples[(per_category, total)] = (version, list(out))
        return out

    def missing_bands(self, keys: npt.NDArray[np.int64], pk: int) -> int:
        try:
            found_keys, found_docs = band_runs.find(self.conn, keys)
        except band_runs.BlockError:
            return int(np.unique(keys).shape[0])  # structural_problems names the damage
        return int(np.count_nonzero(~np.isin(np.unique(keys), found_keys[found_docs == pk])))

    @property
    def cache_base(self) -> Path:
        return self.path

    def counts(self) -> dict[str, int]:
        """Documents, characters, passages and band entries of the documents there (entries of
        removed documents that wait for a merge are not counted)."""
        docs, chars, passages, bands = self.conn.execute(
            "SELECT count(*), coalesce(sum(chars), 0), coalesce(sum(passages), 0), coalesce(sum(bands), 0)"
            " FROM documents"
        ).fetchone()
        return {
            "documents": int(docs),
            "characters": int(chars),
            "passages": int(passages),
            "band_rows": int(bands),
        }

    def _damaged_rows(self, limit: int = 20) -> list[str]:
        """Rows of ``documents`` whose columns do not hold what this module writes, in words
        (the types only: no body is inflated here)."""
        checks = ", ".join(f"({cond})" for _, cond, _ in _COLUMN_CHECKS)
        where = " OR ".join(f"({cond})" for _, cond, _ in _COLUMN_CHECKS)
        try:
            rows = self.conn.execute(
                f"SELECT pk, id, {checks} FROM documents WHERE {where} ORDER BY pk LIMIT ?", (limit + 1,)
            ).fetchall()
        except sqlite3.DatabaseError as err:
            return [f"table documents cannot be read ({err})"]
        out: list[str] = []
        for pk, doc_id, *flags in rows[:limit]:
            name = f"document {doc_id!r}" if isinstance(doc_id, str) and doc_id else "a document with no id"
            wrong = "; ".join(words for (_, _, words), bad in zip(_COLUMN_CHECKS, flags, strict=True) if bad)
            out.append(f"table documents, row {pk} ({name}): {wrong}")
        if len(rows) > limit:
            out.append(f"table documents: more damaged rows after row {rows[limit - 1][0]}")
        return out

    def structural_problems(self) -> list[str]:
        problems: list[str] = []
        try:
            result = [r[0] for r in self.conn.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.DatabaseError as err:
            return [f"SQLite check failed: {err}"]
        if result != ["ok"]:
            problems.extend(f"SQLite: {r}" for r in result[:5])
        problems.extend(self._damaged_rows())
        (last,) = self.conn.execute("SELECT coalesce(max(seq), 0) FROM sqlite_sequence").fetchone()
        band_problems, held = band_runs.check(self.conn, int(last) if type(last) is int else 0)
        problems.extend(band_problems)
        with_passages = np.array(
            [pk for (pk,) in self.conn.execute("SELECT pk FROM documents WHERE passages > 0")], dtype=np.int64
        )
        bare = int(np.count_nonzero(~np.isin(with_passages, held)))
        if bare:
            problems.append(f"{bare} documents have no band rows")
        return problems


def _damage(doc_id: object, body: object, err: Exception) -> str:
    """A document row that cannot be read, in words: which document and what is wrong."""
    name = f"document {doc_id!r}" if isinstance(doc_id, str) and doc_id else "a document with no id"
    if not isinstance(body, bytes):
        what = "its stored text is missing" if body is None else "its stored text is not compressed bytes"
    elif isinstance(err, zlib.error):
        what = "its stored text is not valid compressed data"
    elif isinstance(err, UnicodeDecodeError):
        what = "its stored text is not UTF-8"
    elif isinstance(err, StoredTextError):
        what = str(err)
    else:
        what = "its main-text spans are missing or malformed"
    return f"{name} is damaged: {what}; rebuild the index (`detector index SOURCE... --index NEW`)"
