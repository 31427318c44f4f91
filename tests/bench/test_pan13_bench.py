"""bench/pan13.py end to end: a tiny hand-made corpus (always), and ~30 real pairs (when present)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "pan13.py"
DATA = Path(os.environ.get("DETECTOR_EVAL_DATA") or ROOT.parent / "shared" / "data")
TRAINING = DATA / "pan13" / "pan13-text-alignment-training-corpus-2013-01-21"

PARAGRAPH = (
    "The committee met on Tuesday to discuss the new budget proposal for the coming fiscal year. "
    "Members raised concerns about rising maintenance costs and the delayed bridge repairs downtown. "
    "The mayor promised a detailed report on the repair schedule before the next public meeting. "
    "Several residents asked whether the library would keep its weekend opening hours next year. "
)
FILLER = (
    "Gardening tips for early spring start with clearing the beds of old leaves and weeds. "
    "Sow peas and broad beans directly outdoors once the soil has warmed a little. "
    "Protect young seedlings from slugs with copper tape or a ring of crushed eggshells. "
)
OTHER = (
    "Chess openings reward patience: develop knights before bishops and castle early. "
    "Control the centre with pawns and avoid moving the queen out too soon in the game. "
)


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


def rows(stdout: str) -> dict[str, list[str]]:
    out = {}
    for line in stdout.splitlines():
        parts = line.split()
        if parts and re.match(r"\d\d-|overall", parts[0]):
            out[parts[0]] = parts[1:]
    return out


def make_corpus(root: Path) -> None:
    """Two pairs: a verbatim copy (one case) and a pair without plagiarism."""
    (root / "susp").mkdir(parents=True)
    (root / "src").mkdir()
    susp1 = FILLER + PARAGRAPH + FILLER
    (root / "susp" / "suspicious-document00001.txt").write_text(susp1, encoding="utf-8")
    (root / "src" / "source-document00001.txt").write_text(OTHER + PARAGRAPH + OTHER, encoding="utf-8")
    (root / "susp" / "suspicious-document00002.txt").write_text(FILLER * 3, encoding="utf-8")
    (root / "src" / "source-document00002.txt").write_text(OTHER * 3, encoding="utf-8")
    pair1 = "suspicious-document00001.txt source-document00001.txt"
    pair2 = "suspicious-document00002.txt source-document00002.txt"
    (root / "pairs").write_text(f"{pair1}\n{pair2}\n", encoding="utf-8")
    for sub, pair in (("01-no-plagiarism", pair2), ("02-no-obfuscation", pair1)):
        (root / sub).mkdir()
        (root / sub / "pairs").write_text(pair + "\n", encoding="utf-8")
    case = PARAGRAPH.rstrip()
    (root / "02-no-obfuscation" / "suspicious-document00001-source-document00001.xml").write_text(
        '<document reference="suspicious-document00001.txt">\n'
        f'<feature name="plagiarism" obfuscation="none" source_length="{len(case)}" '
        f'source_offset="{len(OTHER)}" source_reference="source-document00001.txt" '
        f'this_length="{len(case)}" this_offset="{len(FILLER)}" type="artificial" />\n</document>\n',
        encoding="utf-8",
    )
    (root / "01-no-plagiarism" / "suspicious-document00002-source-document00002.xml").write_text(
        '<document reference="suspicious-document00002.txt">\n</document>\n', encoding="utf-8"
    )


def test_a_hand_made_corpus_scores_perfectly(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
    out = tmp_path / "out"
    result = run_bench(str(corpus), "--out", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr
    table = rows(result.stdout)
    assert set(table) == {"01-no-plagiarism", "02-no-obfuscation", "overall"}
    # pairs cases dets recall precision granularity plagdet
    assert table["02-no-obfuscation"][:3] == ["1", "1", "1"]
    assert table["01-no-plagiarism"][:3] == ["1", "0", "0"]
    assert [float(v) for v in table["overall"][3:]] == [1.0, 1.0, 1.0, 1.0]
    assert "pairs/s" in result.stdout
    root = ET.parse(out / "suspicious-document00001-source-document00001.xml").getroot()
    assert root.tag == "document" and root.get("reference") == "suspicious-document00001.txt"
    (feature,) = list(root)
    assert feature.get("name") == "detected-plagiarism"
    assert feature.get("source_reference") == "source-document00001.txt"
    assert int(feature.get("this_offset", "-1")) == len(FILLER)
    assert int(feature.get("this_length", "-1")) == len(PARAGRAPH.rstrip())
    empty = ET.parse(out / "suspicious-document00002-source-document00002.xml").getroot()
    assert list(empty) == []


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    result = run_bench(str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "pairs" in result.stderr
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
    result = run_bench(str(corpus), "--out", str(tmp_path / "out"), "--set", "no_such=1")
    assert result.returncode == 2


# Pinned just under the figures of `python bench/pan13.py TRAINING --out DIR` on the whole
# training corpus (plagdet 0.9116 overall, 0.9983 / 0.8983 / 0.8831 / 0.5940 by obfuscation):
# a change that loses alignment quality fails here; a floor is never lowered silently.
PAN_FLOORS = {
    "02-no-obfuscation": 0.99,
    "03-random-obfuscation": 0.89,
    "04-translation-obfuscation": 0.88,
    "05-summary-obfuscation": 0.59,
    "overall": 0.91,
}


@pytest.mark.skipif(not TRAINING.exists(), reason=f"PAN 2013 training corpus not found at {TRAINING}")
def test_the_training_corpus_scores_at_its_pinned_floors(tmp_path: Path) -> None:
    result = run_bench(str(TRAINING), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    table = rows(result.stdout)
    assert list(table) == [
        "01-no-plagiarism",
        "02-no-obfuscation",
        "03-random-obfuscation",
        "04-translation-obfuscation",
        "05-summary-obfuscation",
        "overall",
    ]
    assert int(table["overall"][0]) == 5185
    assert len(list(tmp_path.glob("*.xml"))) == 5185
    for name, floor in PAN_FLOORS.items():
        assert float(table[name][-1]) >= floor, (name, table[name])
