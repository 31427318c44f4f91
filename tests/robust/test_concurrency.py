"""One writer and several scanners on the same embedded index at once, in separate processes:
no scanner sees a partial document and nobody fails with "database is locked"."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

SCANNERS = 3


def _docs(n: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    pool = "机床附件卡盘顶尖分度头平口钳回转工作台液压夹具数控车床铣床磨床钻床刀架主轴导轨丝杠轴承齿轮展会"
    return [
        {
            "id": f"w{seed}-{i:04d}",
            "text": "\n".join("".join(rng.choice(pool) for _ in range(90)) + "。" for _ in range(3)),
        }
        for i in range(n)
    ]


def test_one_writer_and_three_scanners_share_an_embedded_index(tmp_path: Path) -> None:
    _writer_and_scanners(str(tmp_path / "shared.idx"), tmp_path)


def test_one_writer_and_three_scanners_share_a_redis_index(tmp_path: Path) -> None:
    from tests.redis_server import redis_server

    (tmp_path / "redis").mkdir()
    with redis_server(tmp_path / "redis") as server:
        _writer_and_scanners(server.url("shared"), tmp_path)


def _writer_and_scanners(idx: str, tmp_path: Path) -> None:
    first = _docs(50, 1)
    (tmp_path / "first.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in first), "utf-8"
    )
    cmd = [sys.executable, "-m", "detector"]
    assert subprocess.run([*cmd, "index", str(tmp_path / "first.jsonl"), "--index", idx]).returncode == 0
    # The page copies a document the writer is adding right now: a scanner finds it whole or not at all.
    later = _docs(1500, 2)
    (tmp_path / "later.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in later), "utf-8"
    )
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(first[7]["text"], "utf-8")
    (pages / "b.txt").write_text(later[-1]["text"], "utf-8")

    writer = subprocess.Popen(
        [*cmd, "index", str(tmp_path / "later.jsonl"), "--index", idx],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    scans = 0
    deadline = time.monotonic() + 120
    while writer.poll() is None and time.monotonic() < deadline:
        procs = [
            subprocess.Popen(
                [*cmd, "scan", str(pages), "--index", idx, "--json", "-"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(SCANNERS)
        ]
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            assert "locked" not in err
            data = json.loads(out)
            for page in data["pages"]:
                for f in page["findings"]:
                    if f["kind"] in ("repost", "off-topic-repost"):
                        # A document seen at all is seen whole: the page copies all of it.
                        assert f["coverage"] >= 0.95, f
            a = next(p for p in data["pages"] if p["uri"].endswith("a.txt"))
            assert [f["source"]["id"] for f in a["findings"] if "repost" in f["kind"]] == [first[7]["id"]]
            scans += 1
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert "locked" not in err
    assert scans >= SCANNERS
    done = subprocess.run(
        [*cmd, "scan", str(pages), "--index", idx, "--json", "-"], capture_output=True, text=True
    )
    b = next(p for p in json.loads(done.stdout)["pages"] if p["uri"].endswith("b.txt"))
    assert [f["source"]["id"] for f in b["findings"] if "repost" in f["kind"]] == [later[-1]["id"]]
