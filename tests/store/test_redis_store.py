"""The shared Redis index against a real redis-server: the same behaviour as the embedded
store (index, scan, --info, --check, --remove, refusing other settings), whole documents only,
one clear line when Redis is unreachable or goes away, and never a password in any output."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector.config import LIMITS, Settings
from detector.errors import ConfigError, IndexFileError
from detector.indexing import check_index, index_corpus
from detector.retrieval import open_index
from detector.store.location import FileLocation, RedisLocation, parse_location
from detector.store.redis_codec import DocRecord
from tests.conftest import ROOT, CliRun
from tests.redis_server import RedisServer, free_port, redis_server, self_signed_certificate


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as s:
        yield s


def prefix() -> str:
    return "t" + uuid.uuid4().hex[:10]


def article(i: int) -> str:
    """A distinct Chinese news-like text of about 400 characters (no 5-character run shared)."""
    rng = __import__("random").Random(i)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你能而子那得自下"
    alphabet += "经济发展企业市场产品技术公司管理服务行业政策投资合作创新质量生产销售客户平台数据网络"
    sentences = []
    for _ in range(12):
        sentences.append("".join(rng.choice(alphabet) for _ in range(rng.randint(25, 40))) + "。")
    return "".join(sentences[:6]) + "\n" + "".join(sentences[6:])


def write_jsonl(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            record = {"id": f"doc-{i}", "category": ["a", "b", "c"][i % 3], "text": article(i)}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


# ---- the location ------------------------------------------------------------------------


def test_location_never_shows_the_password() -> None:
    loc = parse_location("redis://alice:hunter2@cache.example:6380/3?prefix=news")
    assert isinstance(loc, RedisLocation)
    assert loc.password == "hunter2" and loc.username == "alice"
    assert (loc.host, loc.port, loc.db, loc.prefix) == ("cache.example", 6380, 3, "news")
    for shown in (loc.display(), str(loc), repr(loc)):
        assert "hunter2" not in shown and "alice" not in shown
    assert loc.display() == "redis://cache.example:6380/3?prefix=news"
    assert parse_location("redis://:p%40ss@h/0").password == "p@ss"  # type: ignore[union-attr]


def test_location_defaults_tls_options_and_paths() -> None:
    loc = parse_location("rediss://h?ssl_cert_reqs=none&ssl_ca_certs=/etc/ca.pem")
    assert isinstance(loc, RedisLocation)
    assert loc.tls and loc.port == 6379 and loc.db == 0 and loc.prefix == "detector"
    kwargs = loc.connection_kwargs()
    assert (
        kwargs["ssl"] is True
        and kwargs["ssl_cert_reqs"] == "none"
        and kwargs["ssl_ca_certs"] == "/etc/ca.pem"
    )
    assert loc.display() == "rediss://h:6379/0?prefix=detector"
    assert parse_location("corpus.idx") == FileLocation(Path("corpus.idx"))
    assert parse_location("dir/redis-notes.idx") == FileLocation(Path("dir/redis-notes.idx"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis://:pw@h/abc", "the database must be a number"),
        ("redis://:pw@h/0?prefix=a b", "prefix must be"),
        ("redis://:pw@h/0?colour=red", "unknown option 'colour'"),
        ("redis://:pw@h/0?ssl_cert_reqs=none", "TLS options need a rediss:// URL"),
        ("rediss://:pw@h/0?ssl_cert_reqs=maybe", "ssl_cert_reqs must be one of"),
        ("http://:pw@h/0", "unsupported URL scheme 'http'"),
        ("redis://:pw@/0", "names no host"),
    ],
)
def test_bad_urls_are_refused_without_the_password(url: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_location(url)
    assert message in str(info.value) and "pw" not in str(info.value)


# ---- behaving as the embedded store ------------------------------------------------------


def test_index_scan_info_check_remove_behave_as_with_the_embedded_index(
    cli: CliRun, server: RedisServer, tmp_path: Path
) -> None:
    sqlite_idx, url = str(tmp_path / "demo.idx"), server.url(prefix())
    outputs: dict[str, list[str]] = {sqlite_idx: [], url: []}
    doc_id = "corpus/sources/portal-a/alibaba-b2b-18-years.html"
    for index in (sqlite_idx, url):
        out = outputs[index]
        out.append(cli("index", "corpus/sources", "--index", index).output)
        out.append(cli("index", "corpus/sources", "--index", index).output)  # all unchanged
        out.append(cli("index", "--info", "--index", index).output.split("\n", 1)[1])
        out.append(cli("scan", "corpus/pages", "--index", index, "--json", "-").output)
        removed = cli("index", "--remove", doc_id, "no-such-id", "--index", index)
        assert removed.exit_code == 0
        out.append(removed.output)
        out.append(cli("index", "--info", "--index", index).output.split("\n", 1)[1])
        out.append(cli("scan", "corpus/pages", "--index", index, "--json", "-").output)
        check = cli("index", "--check", "--index", index)
        assert check.exit_code == 0 and check.output.strip().endswith(": sound")
        out.append(cli("index", "corpus/sources", "--index", index).output)  # adds it back
        out.append(cli("scan", "corpus/pages", "--index", index, "--json", "-").output)
    assert outputs[url] == outputs[sqlite_idx]
    assert "57 added" in outputs[url][0] and "57 unchanged" in outputs[url][1]
    assert "documents: 56" in outputs[url][5] and "1 added" in outputs[url][7]
    assert outputs[url][3] == outputs[url][8] != outputs[url][6]  # the removed source was found


@pytest.mark.parametrize("round_per_bucket", [4, 10**6])  # rounds of a batch; one round for all
def test_a_later_line_with_the_same_id_wins_across_batches_and_rounds(
    server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, round_per_bucket: int
) -> None:
    import detector.store.redis_store as redis_store

    monkeypatch.setattr(
        redis_store, "LIMITS", dataclasses.replace(LIMITS, redis_round_per_bucket=round_per_bucket)
    )
    lines = [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("a", 5), ("e", 6), ("b", 7), ("f", 8), ("a", 1)]
    src = tmp_path / "s.jsonl"
    src.write_text(
        "".join(json.dumps({"id": i, "text": article(n)}, ensure_ascii=False) + "\n" for i, n in lines),
        encoding="utf-8",
    )
    settings = Settings(index_write_batch=2)  # the repeated ids come in later batches
    texts = {}
    for index in (server.url(prefix()), str(tmp_path / "s.idx")):
        summary = index_corpus([str(src)], index, settings)
        assert (summary.added, summary.replaced) == (6, 3)
        store = open_index(index, settings)
        texts[index] = {doc.id: doc.text for _, doc, _ in store.iter_documents()}
        assert store.counts()["documents"] == 6
        store.close()
        assert check_index(index, settings) == []
    first, second = texts.values()
    assert first == second and first["a"] == article(1) and first["b"] == article(7)


def test_replacing_a_document_replaces_its_bands(cli: CliRun, server: RedisServer, tmp_path: Path) -> None:
    url = server.url(prefix())
    src = tmp_path / "s.jsonl"
    src.write_text(json.dumps({"id": "a", "text": article(1)}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert "1 added" in cli("index", str(src), "--index", url).output
    page = tmp_path / "page.txt"
    page.write_text(article(1), encoding="utf-8")
    before = json.loads(cli("scan", str(page), "--index", url, "--json", "-").output)
    assert [f["kind"] for f in before["pages"][0]["findings"]] == ["repost"]
    src.write_text(json.dumps({"id": "a", "text": article(2)}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert "1 replaced" in cli("index", str(src), "--index", url).output
    after = json.loads(cli("scan", str(page), "--index", url, "--json", "-").output)
    assert after["pages"][0]["findings"] == []
    assert cli("index", "--check", "--index", url).exit_code == 0
    client: Any = server.client
    name = url.rsplit("=", 1)[1]
    assert int(client.bitcount(f"{name}:live")) == 1
    # The replaced document's band entries are gone: the buckets hold the new one's only.
    entries = sum(int(client.strlen(k)) // 12 for k in client.scan_iter(f"{name}:b:*"))
    assert entries == int(client.hget(f"{name}:stats", "band_rows")) > 0


def test_other_settings_are_refused_with_the_embedded_store_s_message(
    server: RedisServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "s.jsonl", 3)
    url, path = server.url(prefix()), tmp_path / "x.idx"
    messages = []
    for index in (url, str(path)):
        index_corpus([str(src)], index, Settings(num_perm=64))
        with pytest.raises(IndexFileError) as info:
            open_index(index, Settings())
        messages.append(str(info.value).split(": ", 1))
    assert messages[0][0] == parse_location(url).display() and messages[1][0] == str(path)
    assert messages[0][1] == messages[1][1] and "num_perm is 64 in the index, 128 here" in messages[0][1]


def test_a_prefix_without_an_index_is_refused(cli: CliRun, server: RedisServer) -> None:
    url = server.url(prefix())
    r = cli("scan", "corpus/pages", "--index", url)
    assert r.exit_code == 2 and "no such index (create it with `detector index SOURCE... --index" in r.output


def test_check_reports_band_entries_that_point_at_no_document(cli: CliRun, server: RedisServer) -> None:
    name = prefix()
    url = server.url(name)
    assert cli("index", "corpus/sources/portal-a", "--index", url).exit_code == 0
    client: Any = server.client
    bucket = next(iter(client.scan_iter(f"{name}:b:*")))
    entry = client.getrange(bucket, 0, 11)
    client.append(bucket, entry[:8] + (999999).to_bytes(4, "big"))  # a document never written
    r = cli("index", "--check", "--index", url)
    assert r.exit_code == 2 and "1 band entries point at no document" in r.output


def test_check_reports_band_entries_in_the_wrong_set(cli: CliRun, server: RedisServer) -> None:
    name = prefix()
    url = server.url(name)
    assert cli("index", "corpus/sources/portal-a", "--index", url).exit_code == 0
    client: Any = server.client
    sets = sorted(client.scan_iter(f"{name}:b:*"))
    assert len(sets) > 1  # the table has split
    entry = client.getrange(sets[0], 0, 11)
    client.set(sets[0], client.get(sets[0])[12:])
    client.append(sets[1], entry)
    r = cli("index", "--check", "--index", url)
    assert r.exit_code == 2 and "1 band entries are in the wrong bucket set" in r.output


def test_band_entries_take_about_their_12_bytes_of_server_memory(server: RedisServer, tmp_path: Path) -> None:
    name = prefix()
    src = write_jsonl(tmp_path / "s.jsonl", 300)
    index_corpus([str(src)], server.url(name), Settings())
    client: Any = server.client
    buckets = list(client.scan_iter(f"{name}:b:*"))
    entries = int(client.hget(f"{name}:stats", "band_rows"))
    # Buckets split as the index grew: about LIMITS.redis_bucket_entries entries each.
    assert LIMITS.redis_bucket_entries / 3 <= entries / len(buckets) <= 2 * LIMITS.redis_bucket_entries
    assert sum(int(client.strlen(k)) for k in buckets) == 12 * entries
    # Each bucket one string: the 12 bytes of an entry, the allocator's slack and the key's.
    assert sum(int(client.memory_usage(k)) for k in buckets) / entries < 24
    assert check_index(server.url(name), Settings()) == []


def test_an_index_of_the_older_layout_is_refused_with_how_to_rebuild_it(
    cli: CliRun, server: RedisServer
) -> None:
    name = prefix()
    url = server.url(name)
    assert cli("index", "corpus/sources/portal-a", "--index", url).exit_code == 0
    client: Any = server.client
    for layout in (None, b"2"):  # datasketch's one set per bucket had no layout key; 2: sorted sets
        if layout is None:
            client.delete(f"{name}:layout")
        else:
            client.set(f"{name}:layout", layout)
        for args in (["scan", "corpus/pages"], ["index", "corpus/sources"], ["index", "--info"]):
            r = cli(*args, "--index", url)
            assert r.exit_code == 2 and len(r.output.splitlines()) == 1, r.output
            assert "older layout" in r.output
            assert "rebuild it with `detector index SOURCE... --index" in r.output


def test_nothing_is_pickled(cli: CliRun, server: RedisServer) -> None:
    name = prefix()
    assert cli("index", "corpus/sources", "--index", server.url(name)).exit_code == 0
    client: Any = server.client
    json.loads(client.get(f"{name}:manifest"))
    json.loads(client.get(f"{name}:permutations"))
    for bucket in client.scan_iter(f"{name}:b:*"):
        value = client.get(bucket)
        assert value and len(value) % 12 == 0  # band keys and document numbers, 12 bytes each
    rec = DocRecord.unpack(client.get(f"{name}:d:1"))
    assert rec.strings["id"] and rec.body[:1] == b"x"  # zlib, not pickle


# ---- Redis unreachable, going away, passwords ---------------------------------------------


def test_unreachable_redis_is_one_line_and_exit_2(cli: CliRun) -> None:
    port = free_port()
    url = f"redis://:hunter2@127.0.0.1:{port}/0?prefix=x"
    for args in (["index", "--info"], ["index", "corpus/sources"], ["scan", "corpus/pages"]):
        r = cli(*args, "--index", url)
        assert r.exit_code == 2
        assert (
            r.output
            == f"detector: error: redis://127.0.0.1:{port}/0?prefix=x: cannot connect (Connection refused)\n"
        )


def test_a_password_protected_server(cli: CliRun, tmp_path: Path) -> None:
    with redis_server(tmp_path, password="s3cr3t-pw") as server:
        url = server.url(prefix(), password="s3cr3t-pw")
        r = cli("index", "corpus/sources/portal-a", "--index", url)
        assert r.exit_code == 0 and "s3cr3t-pw" not in r.output
        info = cli("index", "--info", "--index", url)
        assert info.exit_code == 0 and "s3cr3t-pw" not in info.output
        scan = cli("scan", "corpus/pages", "--index", url, "--json", "-")
        assert scan.exit_code == 0 and "s3cr3t-pw" not in scan.output
        wrong = cli("index", "--info", "--index", url.replace("s3cr3t-pw", "not-it-pw"))
        assert wrong.exit_code == 2 and "not-it-pw" not in wrong.output
        assert wrong.output.startswith(f"detector: error: redis://127.0.0.1:{server.port}/0?prefix=")
        assert len(wrong.output.splitlines()) == 1


def start_index(source: Path, url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "detector", "index", str(source), "--index", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its signing workers die with it (killpg)
    )


def wait_for_documents(client: Any, name: str, proc: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        n = int(client.bitcount(f"{name}:live"))
        if n > 0:
            return n
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError("no document was committed")


def test_redis_going_away_mid_run_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # Enough documents that the (fast) writer is still at work when the server goes away.
    source = write_jsonl(tmp_path / "big.jsonl", 6000)
    with redis_server(tmp_path) as server:
        name = prefix()
        proc = start_index(source, server.url(name))
        try:
            wait_for_documents(server.client, name, proc)
            server.kill()
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
    assert proc.returncode == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith(
        f"detector: error: redis://127.0.0.1:{server.port}/0?prefix={name}: cannot connect ("
    )


def test_a_killed_writer_leaves_whole_documents_only(tmp_path: Path) -> None:
    # Enough documents that the writer (fast since format 2) is still at work a moment after
    # its first commit, when it is killed mid-batch.
    source = write_jsonl(tmp_path / "big.jsonl", 6000)
    with redis_server(tmp_path) as server:
        name = prefix()
        url = server.url(name)
        client: Any = server.client
        proc = start_index(source, url)
        try:
            wait_for_documents(client, name, proc)
            time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGKILL)  # the writer and its workers, as a crash would
            proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
        committed = int(client.bitcount(f"{name}:live"))
        assert 0 < committed < 6000
        # Every committed document has all its band entries; nothing half-written is visible.
        assert check_index(url, Settings()) == []
        store = open_index(url, Settings())
        assert store.counts()["documents"] == committed
        store.close()
        # The next writer (the dead one's lock expired) removes what was left pending.
        client.delete(f"{name}:lock")
        done = start_index(source, url)
        out, err = done.communicate(timeout=300)
        assert done.returncode == 0, err
        assert f"{committed} unchanged" in out and "index now holds 6000 documents" in out
        assert client.scard(f"{name}:pending") == 0
        assert check_index(url, Settings()) == []


def test_a_tls_server(cli: CliRun, tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with redis_server(tmp_path, password="tls-pw", tls=(cert, key)) as server:
        base = f"rediss://:tls-pw@127.0.0.1:{server.port}/0?prefix=tls"
        verified = f"{base}&ssl_ca_certs={cert}"
        r = cli("index", "corpus/sources/portal-a", "--index", verified)
        assert r.exit_code == 0, r.output
        info = cli("index", "--info", "--index", f"{base}&ssl_cert_reqs=none")
        assert info.exit_code == 0 and f"index: rediss://127.0.0.1:{server.port}/0?prefix=tls" in info.output
        unverified = cli("index", "--info", "--index", base)  # the system CAs do not know this certificate
        assert (
            unverified.exit_code == 2
            and "cannot connect" in unverified.output
            and "tls-pw" not in unverified.output
        )
        plain = cli("index", "--info", "--index", base.replace("rediss://", "redis://"))
        assert plain.exit_code == 2 and "tls-pw" not in plain.output and len(plain.output.splitlines()) == 1
