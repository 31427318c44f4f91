"""The embedded index: one SQLite file (WAL), crash-safe, constant-time open.

Tables:
    manifest(key, value)      "manifest" -> Manifest JSON, "permutations" -> [[a...], [b...]]
    documents(pk, id, ...)    one row per source document, text zlib-compressed; ``published``
                              (ISO 8601 or NULL) was added later: an index without the column
                              reads every date as NULL, and gets the column when opened to write
    bands(key, doc)           LSH bucket key -> document; WITHOUT ROWID, primary key (key, doc)

A document and its band rows are written in one transaction, so a run killed part-way
leaves each document whole or absent. Nothing is unpickled and no LSH table is rebuilt on
open: a query is an indexed lookup of band keys. Removing a document recomputes its band
keys from its stored text (signatures are deterministic), so no second index on
``bands.doc`` is needed.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detector.config import LIMITS
from detector.errors import IndexFileError
from detector.model import SourceDoc
from detector.store.interface import PreparedDoc
from detector.store.manifest import Manifest, read_manifest
from detector.store.signatures import SignatureParams
from detector.store.stored_text import StoredTextError, inflate_text, read_spans

_SCHEMA = """
CREATE TABLE manifest(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents(
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    uri TEXT, url TEXT, title TEXT, site TEXT, category TEXT,
    chars INTEGER NOT NULL,
    passages INTEGER NOT NULL,
    digest TEXT NOT NULL,
    main TEXT NOT NULL,
    body BLOB NOT NULL,
    published TEXT
);
CREATE TABLE bands(key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(key, doc)) WITHOUT ROWID;
"""
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
)


def _schema_of(conn: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())


# The schema before publication dates: an index written then has no ``published`` column, and
# gains it (ALTER TABLE, which appends it to the stored CREATE TABLE text) when opened to write.
_SCHEMA_BEFORE_DATES = _SCHEMA.replace(
    "    body BLOB NOT NULL,\n    published TEXT\n", "    body BLOB NOT NULL\n"
)


def _expected_schema(script: str, *alter: str) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(":memory:") as mem:
        mem.executescript(script)
        for statement in alter:
            mem.execute(statement)
        return _schema_of(mem)


_ADD_PUBLISHED = "ALTER TABLE documents ADD COLUMN published TEXT"
# Every schema this store has written: the current one first.
_EXPECTED_SCHEMAS = (
    _expected_schema(_SCHEMA),
    _expected_schema(_SCHEMA_BEFORE_DATES),
    _expected_schema(_SCHEMA_BEFORE_DATES, _ADD_PUBLISHED),
)
_EXPECTED_SCHEMA = _EXPECTED_SCHEMAS[0]


def schema_problem(conn: sqlite3.Connection) -> str | None:
    """Why the file's schema is not exactly the one this store writes (an index is data, never code:
    a view in place of a table, a trigger or an extra column is refused before any query), or None."""
    found = _schema_of(conn)
    if found in _EXPECTED_SCHEMAS:
        return None
    for kind, name, _, _ in found:
        if kind in ("view", "trigger"):
            return f"it holds a {kind} ({name!r})"
    expected = {(kind, name): sql for kind, name, _, sql in _EXPECTED_SCHEMA}
    for kind, name, _, sql in found:
        if (kind, name) not in expected:
            return f"unexpected {kind} {name!r}"
        if expected[(kind, name)] != sql:
            return f"{kind} {name!r} is not as written by detector"
    return "tables are missing"


def _optional_text(value: object, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} is {type(value).__name__}, not text")
    return value


class SqliteIndex:
    """An open embedded index. Use ``SqliteIndex.create_or_open`` or ``SqliteIndex.open``."""

    def __init__(self, path: Path, conn: sqlite3.Connection, manifest: Manifest, params: SignatureParams):
        self.path = path
        self.conn = conn
        self.manifest = manifest
        self.params = params
        columns = {str(row[1]) for row in conn.execute("PRAGMA table_info(documents)")}
        # An index written before dates existed has no ``published`` column: read NULL.
        self._published = "published" if "published" in columns else "NULL"
        self._columns = f"id, uri, url, title, category, site, main, body, chars, {self._published}"

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
        if writable:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Band rows land at random places in the B-tree: a large page cache keeps them cheap.
            conn.execute("PRAGMA cache_size=-262144")
            try:
                columns = {str(row[1]) for row in conn.execute("PRAGMA table_info(documents)")}
                if "published" not in columns:
                    with conn:
                        conn.execute(_ADD_PUBLISHED)
            except sqlite3.DatabaseError as err:
                conn.close()
                raise IndexFileError(f"{path}: cannot add the published column ({err})") from err
        return cls(path, conn, manifest, params)

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
            # 16 KB pages: band rows land at random places, and bigger pages split less often
            # (15% faster inserts of 1.9M rows than the default 4 KB, measured here).
            conn.execute("PRAGMA page_size=16384")
            conn.executescript(_SCHEMA)
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

    def write(self, prepared: Sequence[PreparedDoc], replaced_keys: dict[str, npt.NDArray[np.int64]]) -> None:
        """Write documents (replacing same ids) and their band rows in one transaction."""
        try:
            with self.conn:
                pks: list[int] = []
                for item in prepared:
                    d = item.doc
                    old = self.conn.execute("SELECT pk FROM documents WHERE id = ?", (d.id,)).fetchone()
                    if old is not None:
                        self._delete(int(old[0]), replaced_keys.get(d.id))
                    cur = self.conn.execute(
                        "INSERT INTO documents"
                        "(id, uri, url, title, site, category, chars, passages, digest, main, body,"
                        " published) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            d.id,
                            d.uri,
                            d.url,
                            d.title,
                            d.site,
                            d.category,
                            len(d.text),
                            item.passages,
                            item.stored_digest(),
                            json.dumps([list(span) for span in d.main_spans]),
                            item.stored_body(),
                            d.published,
                        ),
                    )
                    pks.append(int(cur.lastrowid or 0))
                if prepared:
                    keys = np.concatenate([item.keys for item in prepared])
                    docs = np.repeat(np.array(pks, dtype=np.int64), [item.keys.shape[0] for item in prepared])
                    order = np.argsort(keys, kind="stable")  # B-tree inserts in key order
                    rows = zip(keys[order].tolist(), docs[order].tolist(), strict=True)
                    # Keys are unique per document (np.unique) and documents per batch: a plain INSERT.
                    self.conn.executemany("INSERT INTO bands(key, doc) VALUES (?, ?)", rows)
        except sqlite3.Error as err:
            raise IndexFileError(
                f"{self.path}: write failed, nothing of this batch was kept ({err})"
            ) from err

    def _delete(self, pk: int, keys: npt.NDArray[np.int64] | None) -> None:
        if keys is not None:
            self.conn.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", ((int(k), pk) for k in keys))
        else:  # unknown keys (should not happen): a full scan, slow but correct
            self.conn.execute("DELETE FROM bands WHERE doc = ?", (pk,))
        self.conn.execute("DELETE FROM documents WHERE pk = ?", (pk,))

    def remove(self, ids_and_keys: dict[str, npt.NDArray[np.int64] | None]) -> list[str]:
        """Remove documents by id; returns the ids that were there."""
        removed: list[str] = []
        try:
            with self.conn:
                for doc_id, keys in ids_and_keys.items():
                    row = self.conn.execute("SELECT pk FROM documents WHERE id = ?", (doc_id,)).fetchone()
                    if row is None:
                        continue
                    self._delete(int(row[0]), keys)
                    removed.append(doc_id)
        except sqlite3.Error as err:
            raise IndexFileError(f"{self.path}: remove failed, the index is unchanged ({err})") from err
        return removed

    # ---- reading -------------------------------------------------------------------------
    def candidates(self, keys: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
        """(band key, document pk) pairs for the given keys."""
        uniq = np.unique(keys)
        out: list[tuple[int, int]] = []
        for lo in range(0, uniq.shape[0], LIMITS.sqlite_query_chunk):
            chunk = [int(k) for k in uniq[lo : lo + LIMITS.sqlite_query_chunk]]
            marks = ",".join("?" * len(chunk))
            out.extend(
                self.conn.execute(f"SELECT key, doc FROM bands WHERE key IN ({marks})", chunk).fetchall()
            )
        return out

    def documents(self, pks: Iterable[int]) -> dict[int, SourceDoc]:
        out: dict[int, SourceDoc] = {}
        for pk in pks:
            row = self.conn.execute(f"SELECT {self._columns} FROM documents WHERE pk = ?", (pk,)).fetchone()
            if row is not None:
                out[pk] = self._row_doc(row)
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
        row = self.conn.execute(f"SELECT {self._columns} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else self._row_doc(row)

    def iter_documents(self) -> Iterator[tuple[int, SourceDoc, str]]:
        for row in self.conn.execute(
            f"SELECT pk, digest, {self._columns} FROM documents ORDER BY pk"
        ):
            yield int(row[0]), self._row_doc(row[2:]), str(row[1])

    def sample_by_category(
        self, per_category: int, total: int, *, texts: bool = True
    ) -> list[tuple[str, str, str]]:
        """(content text, category, text digest) of up to ``per_category`` documents of each
        category (the first ones indexed), at most ``total``, ordered by category then index
        order. The sample is chosen on the small columns and only its bodies are read;
        ``texts=False`` reads none and leaves the text empty: the digests alone tell whether a
        model fitted on the sample is still valid."""
        rows = self.conn.execute(
            "SELECT pk, category, digest FROM ("
            " SELECT pk, category, digest, row_number() OVER (PARTITION BY category ORDER BY pk) AS n"
            " FROM documents WHERE category IS NOT NULL AND category != '')"
            " WHERE n <= ? ORDER BY category, n LIMIT ?",
            (per_category, total),
        ).fetchall()
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
        return out

    def missing_bands(self, keys: npt.NDArray[np.int64], pk: int) -> int:
        query = "SELECT 1 FROM bands WHERE key = ? AND doc = ?"
        return sum(1 for key in keys.tolist() if self.conn.execute(query, (key, pk)).fetchone() is None)

    @property
    def cache_base(self) -> Path:
        return self.path

    def counts(self) -> dict[str, int]:
        docs, chars, passages = self.conn.execute(
            "SELECT count(*), coalesce(sum(chars), 0), coalesce(sum(passages), 0) FROM documents"
        ).fetchone()
        (bands,) = self.conn.execute("SELECT count(*) FROM bands").fetchone()
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
        (orphans,) = self.conn.execute(
            "SELECT count(*) FROM bands WHERE doc NOT IN (SELECT pk FROM documents)"
        ).fetchone()
        if orphans:
            problems.append(f"{orphans} band rows point at no document")
        (bare,) = self.conn.execute(
            "SELECT count(*) FROM documents WHERE passages > 0 AND pk NOT IN (SELECT DISTINCT doc FROM bands)"
        ).fetchone()
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
