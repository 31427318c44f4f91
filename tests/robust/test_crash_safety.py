"""A `detector index` killed with SIGKILL at random points leaves an index that opens, passes
`--check`, and holds every document whole or not at all."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

KILLS = 8


def _corpus(path: Path, docs: int) -> dict[str, str]:
    rng = random.Random(4)
    pool = "机床附件卡盘顶尖分度头平口钳回转工作台液压夹具数控车床铣床磨床钻床刀架主轴导轨丝杠轴承齿轮"
    texts: dict[str, str] = {}
    with path.open("w", encoding="utf-8") as fh:
        for i in range(docs):
            paras = ["".join(rng.choice(pool) for _ in range(rng.randint(60, 140))) + "。" for _ in range(4)]
            text = "\n".join(paras)
            texts[f"doc-{i:04d}"] = text
            fh.write(json.dumps({"id": f"doc-{i:04d}", "text": text}, ensure_ascii=False) + "\n")
    return texts


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detector", *args], capture_output=True, text=True, timeout=300
    )


def test_sigkill_during_indexing_never_leaves_a_partial_document(tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl"
    texts = _corpus(src, 3000)
    idx = tmp_path / "crash.idx"
    rng = random.Random(9)
    survived = 0
    mid_run = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "detector", "index", str(src), "--index", str(idx)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while not idx.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # start-up (imports) varies with load: kill only once it writes
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            mid_run += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not idx.exists():
            continue
        survived += 1
        check = _run("index", "--check", "--index", str(idx))
        assert check.returncode == 0, check.stderr
        with sqlite3.connect(idx) as conn:
            rows = conn.execute("SELECT id, digest FROM documents").fetchall()
        from detector.store.interface import text_digest

        for doc_id, digest in rows:  # every stored document is whole
            assert digest == text_digest(texts[doc_id])
    assert survived > 0 and mid_run > 0, "no kill landed while the index was being written"
    # A last, uninterrupted run completes the index.
    done = _run("index", str(src), "--index", str(idx))
    assert done.returncode == 0, done.stderr
    assert "index now holds 3000 documents" in done.stdout
    assert _run("index", "--check", "--index", str(idx)).returncode == 0


def _limit_file_size(limit: int) -> None:
    """In the child: files may not grow past ``limit`` bytes, as on a full disk (EFBIG, not a signal)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_full_disk_fails_cleanly_and_keeps_the_index(tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl"
    _corpus(src, 40)
    idx = tmp_path / "full.idx"
    assert _run("index", str(src), "--index", str(idx)).returncode == 0
    before = _run("index", "--info", "--index", str(idx)).stdout
    big = tmp_path / "big.jsonl"
    _corpus(big, 3000)
    r = subprocess.run(
        [sys.executable, "-m", "detector", "index", str(big), "--index", str(idx)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: _limit_file_size(idx.stat().st_size + 64 * 1024),
    )
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and str(idx) in r.stderr
    assert _run("index", "--check", "--index", str(idx)).returncode == 0
    assert _run("index", "--info", "--index", str(idx)).stdout == before


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``, from /proc (field 4 of stat, after the name)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][:1] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the workers")
def test_a_killed_writer_leaves_no_signing_worker_behind(tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl"
    _corpus(src, 3000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "detector", "index", str(src), "--index", str(tmp_path / "x.idx")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        workers = _children(proc.pid)
    assert workers, "the writer started no signing workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leave them to the next test either
        os.kill(w, signal.SIGKILL)
    assert not left, "signing workers outlived their killed writer"
