"""`detector index`: add, replace, remove, info, check, and refusing what is not ours."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np

from detector.config import Settings
from detector.indexing import index_corpus
from detector.store.sqlite_store import SqliteIndex
from tests.conftest import ROOT, CliRun, findings, scan_json


def write_jsonl(path: Path, docs: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


ARTICLE = (
    "据内部调查,2009年~2010年,2326名“中供”客户涉嫌欺诈,一种是收款后不发货,另外一种是发假货、次货,"
    "平台招致很多国外客户的投诉。当时的阿里巴巴国际站仅是信息平台,尚未布局在线交易等环节。\n"
    "该事件中,“中供”核心管理层受到大面积波及。CEO卫哲、COO李旭辉引咎辞职,100多名员工被辞退。"
)
OTHER = (
    "数控机床行业今年迎来新一轮技术升级,多家企业加大了对精密卡盘和液压刀架的研发投入,"
    "行业协会预计全年产值将保持稳定增长。展会期间,参展商普遍反映海外订单有所回暖。"
)


def test_index_adds_replaces_and_skips_unchanged(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "a.idx"
    src = write_jsonl(tmp_path / "s.jsonl", [{"id": "a", "text": ARTICLE}, {"id": "b", "text": OTHER}])
    r = cli("index", str(src), "--index", str(idx))
    assert r.exit_code == 0 and "2 added" in r.output
    r = cli("index", str(src), "--index", str(idx))
    assert "2 unchanged" in r.output
    write_jsonl(
        src,
        [
            {
                "id": "a",
                "text": OTHER + "\n" + "另一段完全不同的文字,讲述工厂的新产品线投产情况和订单交付进度安排。",
            }
        ],
    )
    r = cli("index", str(src), "--index", str(idx))
    assert "1 replaced" in r.output
    info = cli("index", "--info", "--index", str(idx))
    assert (
        "documents: 2" in info.output and "shingle_size: 5" in info.output and "num_perm: 128" in info.output
    )
    assert cli("index", "--check", "--index", str(idx)).exit_code == 0
    # The replaced text no longer matches: a page copying the old article finds nothing.
    page = tmp_path / "page.txt"
    page.write_text(ARTICLE, encoding="utf-8")
    data = scan_json(cli, str(page), "--index", str(idx))
    assert findings(data["pages"][0], "repost") == []


def test_remove_deletes_documents_and_no_lookup_returns_them(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "a.idx"
    src = write_jsonl(tmp_path / "s.jsonl", [{"id": "a", "text": ARTICLE}, {"id": "b", "text": OTHER}])
    cli("index", str(src), "--index", str(idx))
    page = tmp_path / "page.txt"
    page.write_text(ARTICLE, encoding="utf-8")
    assert [
        f["source"]["id"]
        for f in findings(scan_json(cli, str(page), "--index", str(idx))["pages"][0], "repost")
    ] == ["a"]
    r = cli("index", "--remove", "a", "missing-id", "--index", str(idx))
    assert r.exit_code == 0 and "removed 1" in r.output and "missing-id" in r.stderr
    assert findings(scan_json(cli, str(page), "--index", str(idx))["pages"][0], "repost") == []
    # Its band entries wait for the next merge of their run, and no lookup returns them.
    store = SqliteIndex.open(idx, None)
    try:
        every_key = np.concatenate(
            [np.frombuffer(keys, "<i8") for (keys,) in store.conn.execute("SELECT keys FROM blocks")]
        ).astype(np.int64)
        (b_pk,) = store.conn.execute("SELECT pk FROM documents WHERE id = 'b'").fetchone()
        assert {pk for _, pk in store.candidates(every_key)} == {b_pk}
    finally:
        store.close()
    assert cli("index", "--check", "--index", str(idx)).exit_code == 0


def test_jsonl_ids_default_to_path_and_line(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "a.idx"
    write_jsonl(tmp_path / "s.jsonl", [{"text": ARTICLE}, {"text": OTHER}])
    cli("index", str(tmp_path / "s.jsonl"), "--index", str(idx))
    page = tmp_path / "page.txt"
    page.write_text(OTHER, encoding="utf-8")
    (f,) = findings(scan_json(cli, str(page), "--index", str(idx))["pages"][0], "repost")
    assert f["source"]["id"].endswith("s.jsonl#2")


def test_check_names_missing_band_rows(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "a.idx"
    cli("index", str(write_jsonl(tmp_path / "s.jsonl", [{"id": "a", "text": ARTICLE}])), "--index", str(idx))
    with sqlite3.connect(idx) as conn:
        conn.execute(
            "UPDATE blocks SET keys = substr(keys, 9), docs = substr(docs, 5)"
            " WHERE block = (SELECT min(block) FROM blocks)"
        )
    r = cli("index", "--check", "--index", str(idx))
    assert r.exit_code == 2
    assert "band rows missing" in r.stderr and str(idx) in r.stderr


def test_a_file_that_is_not_an_index_is_refused_and_left_untouched(cli: CliRun, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.idx"
    bogus.write_text("just some notes, not an index\n", encoding="utf-8")
    before = bogus.read_bytes()
    for args in (
        ("index", str(ROOT / "corpus/sources/news.jsonl"), "--index", str(bogus)),
        ("scan", str(ROOT / "corpus/pages"), "--index", str(bogus)),
        ("index", "--info", "--index", str(bogus)),
    ):
        r = cli(*args)
        assert r.exit_code == 2
        assert "not a detector index" in r.stderr and str(bogus) in r.stderr
        assert "Traceback" not in r.output
    assert bogus.read_bytes() == before


def test_an_sqlite_file_of_someone_else_is_refused_and_left_untouched(cli: CliRun, tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE users(name TEXT)")
    before = other.read_bytes()
    r = cli("index", str(ROOT / "corpus/sources/news.jsonl"), "--index", str(other))
    assert r.exit_code == 2 and "not a detector index" in r.stderr
    assert other.read_bytes() == before


def test_an_index_built_with_other_settings_is_refused(cli: CliRun, tmp_path: Path) -> None:
    idx = tmp_path / "k4.idx"
    src = write_jsonl(tmp_path / "s.jsonl", [{"id": "a", "text": ARTICLE}])
    index_corpus([str(src)], idx, Settings(shingle_size=4))
    before = idx.read_bytes()
    r = cli("scan", str(src), "--index", str(idx))
    assert r.exit_code == 2
    assert "built with other settings" in r.stderr and "shingle_size is 4 in the index, 5 here" in r.stderr
    r = cli("index", str(src), "--index", str(idx))
    assert r.exit_code == 2 and "shingle_size" in r.stderr
    assert idx.read_bytes() == before


def test_missing_index_for_scan_is_a_clear_error(cli: CliRun, tmp_path: Path) -> None:
    r = cli("scan", str(ROOT / "corpus/pages"), "--index", str(tmp_path / "nope.idx"))
    assert r.exit_code == 2 and "no such index" in r.stderr
    assert not (tmp_path / "nope.idx").exists()


def test_bad_source_files_are_reported_and_the_rest_indexed(cli: CliRun, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    idx = tmp_path / "a.idx"
    r = cli("index", str(folder), "--index", str(idx))
    assert r.exit_code == 2
    assert "empty.txt" in r.stderr and "binary.txt" in r.stderr
    assert "Traceback" not in r.output
    assert "documents: 1" in cli("index", "--info", "--index", str(idx)).output


def test_python_dash_m_and_the_console_script_work(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "detector", "--help"], capture_output=True, text=True, check=True
    )
    assert "detector index" in out.stdout
    exe = shutil.which("detector")
    if exe:
        assert "Usage" in subprocess.run([exe, "scan", "--help"], capture_output=True, text=True).stdout
