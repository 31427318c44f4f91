"""The embedded index's schema, exactly as written, and what an opened file is checked against.

An index is data, never code: a file whose schema is not exactly this one (a view in place of a
table, a trigger, an extra column) is refused before any query. An index of the first format
(``detector.index/1``: one ``bands`` row per band key and document) is recognised by its schema
and refused with how to rebuild it.
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE manifest(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents(
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    uri TEXT, url TEXT, title TEXT, site TEXT, category TEXT,
    chars INTEGER NOT NULL,
    passages INTEGER NOT NULL,
    bands INTEGER NOT NULL,
    digest TEXT NOT NULL,
    main TEXT NOT NULL,
    body BLOB NOT NULL,
    published TEXT
);
CREATE INDEX documents_category ON documents(category, pk, digest);
CREATE TABLE runs(run INTEGER PRIMARY KEY, bits INTEGER NOT NULL, entries INTEGER NOT NULL);
CREATE TABLE blocks(block INTEGER PRIMARY KEY, keys BLOB NOT NULL, docs BLOB NOT NULL);
"""

# The first format, in the three shapes it was written in (before publication dates, after,
# and upgraded in place): recognised only to say how to rebuild it.
_SCHEMA_1 = """
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
_SCHEMA_1_BEFORE_DATES = _SCHEMA_1.replace(
    "    body BLOB NOT NULL,\n    published TEXT\n", "    body BLOB NOT NULL\n"
)

Schema = list[tuple[str, str, str, str | None]]


def schema_of(conn: sqlite3.Connection) -> Schema:
    return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())


def _expected(script: str, *alter: str) -> Schema:
    with sqlite3.connect(":memory:") as mem:
        mem.executescript(script)
        for statement in alter:
            mem.execute(statement)
        return schema_of(mem)


EXPECTED_SCHEMA = _expected(SCHEMA)
FORMAT_1_SCHEMAS = (
    _expected(_SCHEMA_1),
    _expected(_SCHEMA_1_BEFORE_DATES),
    _expected(_SCHEMA_1_BEFORE_DATES, "ALTER TABLE documents ADD COLUMN published TEXT"),
)


def schema_problem(conn: sqlite3.Connection) -> str | None:
    """Why the file's schema is not exactly the one this store writes, or None."""
    found = schema_of(conn)
    if found == EXPECTED_SCHEMA:
        return None
    for kind, name, _, _ in found:
        if kind in ("view", "trigger"):
            return f"it holds a {kind} ({name!r})"
    expected = {(kind, name): sql for kind, name, _, sql in EXPECTED_SCHEMA}
    for kind, name, _, sql in found:
        if (kind, name) not in expected:
            return f"unexpected {kind} {name!r}"
        if expected[(kind, name)] != sql:
            return f"{kind} {name!r} is not as written by detector"
    return "tables are missing"


def is_format_1(conn: sqlite3.Connection) -> bool:
    """Whether the file is an index of the first format, exactly as that version wrote it."""
    return schema_of(conn) in FORMAT_1_SCHEMAS
