"""`detector check --index redis://...`: the CI gate against a shared index, password never shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from detector.cli import main
from tests.redis_server import redis_server

ROOT = Path(__file__).resolve().parent.parent.parent


def test_check_against_a_redis_index_finds_the_repost_and_hides_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    text = json.loads((ROOT / "corpus" / "sources" / "news.jsonl").read_text("utf-8").splitlines()[13])[
        "text"
    ]
    (docs / "market.md").write_text("# 市场观察\n\n" + text.replace("\n", "\n\n") + "\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "redis").mkdir()
    with redis_server(tmp_path / "redis", password="pa55-w0rd") as server:
        url = server.url("docs", password="pa55-w0rd")
        runner = CliRunner()
        built = runner.invoke(
            main, ["index", str(ROOT / "corpus" / "sources" / "news.jsonl"), "--index", url]
        )
        assert built.exit_code == 0, built.output
        r = runner.invoke(main, ["check", "docs", "--index", url, "--format", "json"])
        assert r.exit_code == 1, r.output
        data = json.loads(r.stdout)
        (page,) = data["pages"]
        assert [f["source"]["id"] for f in page["findings"] if f["kind"] == "repost"] == ["news-014"]
        assert "pa55-w0rd" not in r.output and "pa55-w0rd" not in json.dumps(data)
