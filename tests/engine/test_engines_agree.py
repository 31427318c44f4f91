"""The same findings, byte for byte in JSON, from every engine and store on the same inputs:
`scan --index` on SQLite and on Redis, `scan --corpus --engine local`, and `--engine dask`
(joining a separately started LocalCluster, and once starting its own)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRun, validate_scan
from tests.engine.corpus_gen import write_corpus
from tests.redis_server import RedisServer


def scan_all(
    cli: CliRun, pages: list[str], sources: list[str], url: str, idx: Path, scheduler: str
) -> dict[str, str]:
    for index in (str(idx), url):
        r = cli("index", *sources, "--index", index)
        assert r.exit_code == 0, r.output
    corpus = [arg for s in sources for arg in ("--corpus", s)]
    runs = {
        "sqlite": ["--index", str(idx)],
        "redis": ["--index", url],
        "local": [*corpus, "--engine", "local"],
        "dask": [*corpus, "--engine", "dask", "--scheduler", scheduler],
    }
    out = {}
    for name, flags in runs.items():
        r = cli("scan", *pages, *flags, "--json", "-")
        assert r.exit_code == 0, (name, r.output[-2000:])
        out[name] = r.output
    return out


def test_engines_agree_on_the_demo_corpus(
    cli: CliRun, redis: RedisServer, dask_scheduler: str, tmp_path: Path
) -> None:
    out = scan_all(
        cli, ["corpus/pages"], ["corpus/sources"], redis.url("demo"), tmp_path / "demo.idx", dask_scheduler
    )
    assert out["redis"] == out["sqlite"]
    assert out["local"] == out["sqlite"]
    assert out["dask"] == out["sqlite"]
    data = json.loads(out["dask"])
    validate_scan(data)
    assert (
        data["summary"]["findings"].get("repost", 0) + data["summary"]["findings"].get("off-topic-repost", 0)
        >= 3
    )


def test_engines_agree_on_a_generated_corpus(
    cli: CliRun, redis: RedisServer, dask_scheduler: str, tmp_path: Path
) -> None:
    sources, pages = write_corpus(tmp_path / "gen")
    # A page copying the later text of the id given twice (src-005): every engine must name that
    # source with that text, never the superseded one.
    records = [json.loads(line) for line in sources.read_text(encoding="utf-8").splitlines()]
    earlier, later = (r["text"] for r in records if r["id"] == "src-005")
    assert earlier != later
    (pages / "later.txt").write_text(later, encoding="utf-8")
    out = scan_all(cli, [str(pages)], [str(sources)], redis.url("gen"), tmp_path / "gen.idx", dask_scheduler)
    assert out["redis"] == out["sqlite"]
    assert out["local"] == out["sqlite"]
    assert out["dask"] == out["sqlite"]
    data = json.loads(out["sqlite"])
    kinds = data["summary"]["findings"]
    reposts = kinds.get("repost", 0) + kinds.get("off-topic-repost", 0)
    assert reposts >= 14 and kinds.get("duplicate-page", 0) >= 2 and kinds.get("duplicate-passage", 0) >= 1
    by_uri = {p["uri"].rsplit("#", 1)[-1]: p for p in data["pages"]}
    # The page that is its own source finds nothing of itself; the id given twice: the later text.
    assert all(
        f.get("source", {}).get("url") != "https://portal0.example/a/0.html" for f in by_uri["15"]["findings"]
    )
    assert data["sources"]["src-005"]["text"] == later
    later_page = next(p for p in data["pages"] if p["uri"].endswith("later.txt"))
    assert any(f.get("source", {}).get("id") == "src-005" for f in later_page["findings"])


def test_the_dask_engine_starts_its_own_local_cluster(cli: CliRun, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    local = cli("scan", "corpus/pages", "--corpus", "corpus/sources", "--json", "-")
    dask = cli("scan", "corpus/pages", "--corpus", "corpus/sources", "--engine", "dask", "--json", "-")
    assert dask.exit_code == 0 and dask.output == local.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--index", "x.idx", "--corpus", "corpus/sources"], "use --index or --corpus, not both"),
        (["--engine", "dask"], "--engine needs --corpus"),
        (
            ["--corpus", "corpus/sources", "--scheduler", "tcp://127.0.0.1:1"],
            "--scheduler needs --engine dask",
        ),
        (["--corpus", "no/such/folder"], "no/such/folder: no such file or directory"),
        (["--index", "redis://h/zero"], "the database must be a number"),
    ],
)
def test_usage_errors(cli: CliRun, args: list[str], message: str) -> None:
    r = cli("scan", "corpus/pages", *args)
    assert r.exit_code == 2 and message in r.output


def test_an_unreadable_source_is_reported_and_the_scan_goes_on(cli: CliRun, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    r = cli(
        "scan",
        "corpus/pages",
        "--corpus",
        "corpus/sources",
        "--corpus",
        str(bad),
        "--json",
        str(tmp_path / "o.json"),
    )
    assert r.exit_code == 2
    assert 'bad.jsonl#1: line 1: needs a "text" string' in r.output
    assert json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["summary"]["findings"]


def test_an_unreachable_scheduler_is_one_line(cli: CliRun) -> None:
    pytest.importorskip("distributed")
    from tests.redis_server import free_port

    address = f"tcp://127.0.0.1:{free_port()}"
    r = cli("scan", "corpus/pages", "--corpus", "corpus/sources", "--engine", "dask", "--scheduler", address)
    assert r.exit_code == 2 and r.output.startswith(f"detector: error: {address}: cannot start or reach")
