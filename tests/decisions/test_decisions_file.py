"""Reading a decisions file: the contract's schema, checked the same way in Python and in the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from detector.decisions import (
    SCHEMA,
    DecisionEntry,
    Decisions,
    dumps_decisions,
    parse_decisions,
    printable,
    read_decisions,
    schema_errors,
)
from detector.errors import DecisionsError

from .conftest import CONTRACT

GOOD: list[Any] = [
    {"schema": "detector.decisions/1", "decisions": []},
    {"schema": "detector.decisions/1", "decisions": [{"fingerprint": "a", "decision": "confirmed"}]},
    {
        "schema": "detector.decisions/1",
        "decisions": [
            {
                "fingerprint": "<b>",
                "decision": "allowed",
                "kind": "repost",
                "uri": "a.html",
                "note": "n",
                "by": "ann",
                "at": "2026-01-01T00:00:00Z",
                "extra": 1,
            }
        ],
        "generator": "someone else's tool",
    },
]
BAD: list[Any] = [
    [],
    "decisions",
    None,
    {},
    {"schema": "detector.decisions/2", "decisions": []},
    {"schema": "detector.decisions/1"},
    {"schema": "detector.decisions/1", "decisions": {}},
    {"schema": "detector.decisions/1", "decisions": [1]},
    {"schema": "detector.decisions/1", "decisions": [{"fingerprint": "", "decision": "confirmed"}]},
    {"schema": "detector.decisions/1", "decisions": [{"fingerprint": "a", "decision": "maybe"}]},
    {"schema": "detector.decisions/1", "decisions": [{"fingerprint": "a"}]},
    {"schema": "detector.decisions/1", "decisions": [{"fingerprint": 7, "decision": "allowed"}]},
    {"schema": "detector.decisions/1", "decisions": [{"fingerprint": "a", "decision": "allowed", "note": 3}]},
    {
        "schema": "detector.decisions/1",
        "decisions": [{"fingerprint": "a", "decision": "allowed", "at": None}],
    },
]


def test_the_schema_in_the_package_is_the_contract_schema() -> None:
    assert json.loads(CONTRACT.read_text(encoding="utf-8")) == SCHEMA


@pytest.mark.parametrize("doc", GOOD)
def test_validator_accepts_what_the_schema_accepts(doc: Any) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert schema_errors(doc) == []


@pytest.mark.parametrize("doc", BAD)
def test_validator_refuses_what_the_schema_refuses(doc: Any) -> None:
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(doc)
    assert schema_errors(doc)


def test_validator_names_where_the_file_is_wrong() -> None:
    doc = {"schema": "detector.decisions/1", "decisions": [{"fingerprint": "a", "decision": "maybe"}]}
    with pytest.raises(DecisionsError) as err:
        parse_decisions(doc, "d.json")
    assert str(err.value) == (
        "d.json: not a detector decisions file: "
        "decisions[0].decision: must be one of confirmed, dismissed, allowed"
    )


def test_validator_refuses_a_schema_keyword_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="pattern"):
        schema_errors("x", {"type": "string", "pattern": "^a"})


def test_a_decision_on_the_findings_page_wins_else_the_last_one() -> None:
    entries = (
        DecisionEntry("fp", "confirmed", uri="a.html"),
        DecisionEntry("fp", "dismissed", uri="b.html"),
        DecisionEntry("fp", "allowed"),
    )
    decisions = Decisions(entries)
    assert decisions.lookup("fp", "a.html") == entries[0]
    assert decisions.lookup("fp", "b.html") == entries[1]
    assert decisions.lookup("fp", "c.html") == entries[2]
    assert decisions.lookup("other", "a.html") is None


def test_written_decisions_read_back_the_same(tmp_path: Path) -> None:
    entries = (
        DecisionEntry("f1", "allowed", "repost", "a.html", "licensed 授权", "ann", "2026-01-02T03:04:05Z"),
    )
    path = tmp_path / "decisions.json"
    path.write_text(dumps_decisions(entries), encoding="utf-8")
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(path.read_text(encoding="utf-8")))
    assert read_decisions(path).entries == entries


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "invalid JSON"),
        (b"{not json", "invalid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"schema": "detector.baseline/1", "findings": []}', 'schema: must be "detector.decisions/1"'),
    ],
)
def test_a_malformed_file_is_one_error_naming_it(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "decisions.json"
    path.write_bytes(content)
    with pytest.raises(DecisionsError) as err:
        read_decisions(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_terminal_text_escapes_control_characters() -> None:
    assert printable("a\x1b[31m\nb\u2028\x85") == "a\\x1b[31m\\nb\\u2028\\x85"
