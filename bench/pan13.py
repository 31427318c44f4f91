"""Passage-level accuracy on a PAN 2013 text-alignment corpus (training or test corpus 2).

    python bench/pan13.py CORPUS_DIR --out DIR [--workers 2] [--sample N] [--preset pan|scan]

Aligns every pair listed in ``CORPUS_DIR/pairs`` (suspicious-documentNNNNN.txt source-documentNNNNN.txt,
texts in ``susp/`` and ``src/``), writes one PAN detection XML per pair into DIR, reads them back and
scores them against the truth XMLs of the sub-corpora (``01-no-plagiarism/`` ...) with the PAN measures
(bench/pan_measures.py): macro recall, precision, granularity and plagdet per sub-corpus and overall.
Prints the table and the throughput (pairs/s, wall clock, worker processes included).

Presets: ``pan`` (default) is the sentence-level strategy with its PAN-tuned named settings
(detector/analysis/align_pan.py, ``PanSettings``); ``scan`` is the token aligner with the defaults
``detector scan`` uses, for comparison.

The texts are read as UTF-8 exactly as stored: PAN's offsets are code-point offsets into them
(``detector align`` reads .txt files through ingest, which keeps such text unchanged).
``--sample N`` takes about N pairs spread evenly over the sub-corpora (for CI).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path
from xml.sax.saxutils import quoteattr

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from pan_measures import Annotation, Scores, score

from detector.analysis.align_pan import PanSettings, Prepared, align_prepared, prepare
from detector.model import AlignedPassage

SUBCORPORA = (
    "01-no-plagiarism",
    "02-no-obfuscation",
    "03-random-obfuscation",
    "04-translation-obfuscation",
    "05-summary-obfuscation",
)

Pair = tuple[str, str]


def read_pairs(path: Path) -> list[Pair]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            pairs.append((parts[0], parts[1]))
    return pairs


def subcorpus_of(corpus: Path) -> dict[Pair, str]:
    out: dict[Pair, str] = {}
    for sub in sorted(p for p in corpus.iterdir() if p.is_dir() and re.match(r"\d\d-", p.name)):
        if (sub / "pairs").exists():
            for pair in read_pairs(sub / "pairs"):
                out[pair] = sub.name
    return out


def xml_name(pair: Pair) -> str:
    return f"{Path(pair[0]).stem}-{Path(pair[1]).stem}.xml"


def sample_pairs(pairs: list[Pair], subs: dict[Pair, str], n: int) -> list[Pair]:
    """About ``n`` pairs, evenly spaced within each sub-corpus (deterministic)."""
    groups: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        groups[subs.get(p, "?")].append(p)
    per = max(1, -(-n // max(1, len(groups))))
    chosen: list[Pair] = []
    for name in sorted(groups):
        g = groups[name]
        step = max(1, len(g) // per)
        chosen.extend(g[::step][:per])
    return chosen


# ---- detection (worker processes) ----------------------------------------------------------

_CORPUS: Path = Path()
_OUT: Path = Path()
_PRESET = "pan"
_SETTINGS = PanSettings()
_CACHE: OrderedDict[str, Prepared] = OrderedDict()


def _init(corpus: Path, out: Path, preset: str, settings: PanSettings) -> None:
    global _CORPUS, _OUT, _PRESET, _SETTINGS
    _CORPUS, _OUT, _PRESET, _SETTINGS = corpus, out, preset, settings


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _prepared(kind: str, name: str) -> Prepared:
    key = f"{kind}/{name}"
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    prep = prepare(read_text(_CORPUS / kind / name), _SETTINGS)
    _CACHE[key] = prep
    if len(_CACHE) > 64:
        _CACHE.popitem(last=False)
    return prep


def _scan_passages(susp: str, src: str) -> list[AlignedPassage]:
    from detector.analysis.align_pan import scan_alignment
    from detector.ingest.build import document_from_text

    page = document_from_text(read_text(_CORPUS / "susp" / susp), uri=susp, doc_id=susp, site="", kind="text")
    source = document_from_text(read_text(_CORPUS / "src" / src), uri=src, doc_id=src, site="", kind="text")
    return scan_alignment(page, source)


def detect(pair: Pair) -> tuple[Pair, list[AlignedPassage]]:
    susp, src = pair
    if _PRESET == "scan":
        passages = _scan_passages(susp, src)
    else:
        passages = align_prepared(_prepared("susp", susp), _prepared("src", src), _SETTINGS)
    write_xml(_OUT / xml_name(pair), pair, passages)
    return pair, passages


def write_xml(path: Path, pair: Pair, passages: list[AlignedPassage]) -> None:
    susp, src = pair
    lines = [f"<document reference={quoteattr(susp)}>"]
    for p in passages:
        lines.append(
            f'<feature name="detected-plagiarism" this_offset="{p.page[0]}" '
            f'this_length="{p.page[1] - p.page[0]}" source_reference={quoteattr(src)} '
            f'source_offset="{p.source[0]}" source_length="{p.source[1] - p.source[0]}"/>'
        )
    lines.append("</document>")
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# ---- scoring ---------------------------------------------------------------------------------


def read_annotations(path: Path, feature: str) -> list[Annotation]:
    root = ET.parse(path).getroot()
    this_ref = root.get("reference", "")
    out = []
    for f in root.iter("feature"):
        if f.get("name") != feature:
            continue
        out.append(
            Annotation(
                this_ref,
                int(f.get("this_offset", "0")),
                int(f.get("this_length", "0")),
                f.get("source_reference", ""),
                int(f.get("source_offset", "0")),
                int(f.get("source_length", "0")),
            )
        )
    return out


def evaluate(corpus: Path, out: Path, pairs: list[Pair], subs: dict[Pair, str]) -> dict[str, Scores]:
    cases: dict[str, list[Annotation]] = defaultdict(list)
    dets: dict[str, list[Annotation]] = defaultdict(list)
    for pair in pairs:
        sub = subs.get(pair, "?")
        truth = corpus / sub / xml_name(pair)
        found_cases = read_annotations(truth, "plagiarism") if truth.exists() else []
        found_dets = read_annotations(out / xml_name(pair), "detected-plagiarism")
        for key in (sub, "overall"):
            cases[key].extend(found_cases)
            dets[key].extend(found_dets)
    names = [s for s in SUBCORPORA if s in cases] + sorted(k for k in cases if k not in SUBCORPORA)
    names = [n for n in names if n != "overall"] + ["overall"]
    return {n: score(cases[n], dets[n]) for n in names}


def table(results: dict[str, Scores], counts: dict[str, int]) -> Iterator[str]:
    yield (
        f"{'sub-corpus':<28} {'pairs':>5} {'cases':>5} {'dets':>5} "
        f"{'recall':>7} {'prec':>7} {'gran':>7} {'plagdet':>8}"
    )
    for name, s in results.items():
        yield (
            f"{name:<28} {counts.get(name, 0):>5} {s.cases:>5} {s.detections:>5} {s.recall:>7.4f} "
            f"{s.precision:>7.4f} {s.granularity:>7.4f} {s.plagdet:>8.4f}"
        )


def override(settings: PanSettings, assignments: list[str]) -> PanSettings:
    """``name=value`` assignments applied to the settings, each value parsed as its field's type."""
    known = {f.name: f for f in fields(settings)}
    changes: dict[str, object] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or name not in known:
            raise ValueError(f"--set {item!r}: expected NAME=VALUE with NAME one of {', '.join(known)}")
        current = getattr(settings, name)
        if isinstance(current, bool):
            changes[name] = value.lower() in {"1", "true", "yes"}
        else:
            changes[name] = type(current)(value)
    return replace(settings, **changes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, metavar="CORPUS_DIR")
    ap.add_argument("--out", type=Path, required=True, help="directory for the detection XMLs")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--sample", type=int, default=0, help="about N pairs spread over the sub-corpora")
    ap.add_argument("--preset", choices=("pan", "scan"), default="pan")
    ap.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one PanSettings field (calibration runs), e.g. --set seed_cosine=0.3",
    )
    args = ap.parse_args(argv)
    try:
        settings = override(PanSettings(), args.overrides)
    except ValueError as err:
        print(f"pan13: {err}", file=sys.stderr)
        return 2
    corpus: Path = args.corpus
    if not (corpus / "pairs").exists():
        print(f"pan13: {corpus / 'pairs'} not found", file=sys.stderr)
        return 2
    pairs = read_pairs(corpus / "pairs")
    subs = subcorpus_of(corpus)
    if args.sample:
        pairs = sample_pairs(pairs, subs, args.sample)
    args.out.mkdir(parents=True, exist_ok=True)
    # Pairs of one suspicious document go to one worker, which then prepares that text once.
    work = sorted(pairs)
    t0 = time.perf_counter()
    if args.workers > 1:
        ctx = multiprocessing.get_context("fork")
        chunk = max(1, min(16, len(work) // (args.workers * 8)))
        with ctx.Pool(
            args.workers, initializer=_init, initargs=(corpus, args.out, args.preset, settings)
        ) as pool:
            for _ in pool.imap_unordered(detect, work, chunksize=chunk):
                pass
    else:
        _init(corpus, args.out, args.preset, settings)
        for pair in work:
            detect(pair)
    elapsed = time.perf_counter() - t0
    results = evaluate(corpus, args.out, pairs, subs)
    counts: dict[str, int] = defaultdict(int)
    for p in pairs:
        counts[subs.get(p, "?")] += 1
    counts["overall"] = len(pairs)
    changed = ", ".join(args.overrides)
    print(f"PAN text alignment: {corpus} (preset {args.preset}{'; ' + changed if changed else ''})")
    for line in table(results, counts):
        print(line)
    for name, s in results.items():
        if s.cases == 0 and s.detections:
            print(
                f"{name}: {s.detections} detection(s) in {counts.get(name, 0)} pairs without plagiarism "
                "(PAN scores a sub-corpus without cases 0 as soon as it has one detection)"
            )
    print(f"{len(pairs)} pairs in {elapsed:.1f} s: {len(pairs) / max(elapsed, 1e-9):.1f} pairs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
