"""Page dates on the 64 gne-html pages: how often ours agree with GNE's extractor and with htmldate's.

    python bench/dates.py [--data ../shared/data/gne-html]

Ours: ``Document.published`` as ``detector scan`` reads it (meta, JSON-LD, the date line, htmldate's
text heuristics, URL). GNE: ``GeneralNewsExtractor().extract(html)["publish_time"]`` (pip install
gne). htmldate: ``find_date(tree, extensive_search=True, original_date=True)`` on the same lxml tree
we read (never a string: htmldate downloads strings that look like URLs). Dates are compared by
day; "both none" counts as agreement. Nobody annotated these pages, so agreement is not accuracy:
the disagreements are listed to be read.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detector.ingest.build import document_from_bytes  # noqa: E402
from detector.ingest.date_parse import parse_date  # noqa: E402
from detector.ingest.dates import parse_tree  # noqa: E402


def gne_date(extractor: object, html: str) -> str | None:
    try:
        raw = extractor.extract(html).get("publish_time")  # type: ignore[attr-defined]
    except Exception:  # GNE raises on some markup; that page has no GNE date
        return None
    return parse_date(str(raw)) if raw else None


def htmldate_date(html: str) -> str | None:
    from htmldate import find_date

    tree = parse_tree(html)
    if tree is None:
        return None
    found = find_date(tree, extensive_search=True, original_date=True)
    return found if isinstance(found, str) else None


def day(value: str | None) -> str | None:
    return value[:10] if value else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = Path(os.environ.get("DETECTOR_EVAL_DATA") or ROOT.parent / "shared" / "data") / "gne-html"
    ap.add_argument("--data", type=Path, default=default)
    args = ap.parse_args()
    files = sorted(args.data.rglob("*.html"))
    if not files:
        sys.exit(f"bench/dates.py: no pages under {args.data}")
    warnings.filterwarnings("ignore")
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()
    rows = []
    for path in files:
        name = str(path.relative_to(args.data))
        doc = document_from_bytes(path.read_bytes(), uri=name, doc_id=name, site="s", kind="html")
        html = doc.original or ""
        rows.append((name, doc.published, doc.published_from, gne_date(extractor, html), htmldate_date(html)))

    def agreement(col: int) -> tuple[int, int, int, int]:
        same = sum(1 for r in rows if day(r[1]) == day(r[col]))
        both = sum(1 for r in rows if r[1] and r[col])
        same_both = sum(1 for r in rows if r[1] and r[col] and day(r[1]) == day(r[col]))
        only_theirs = sum(1 for r in rows if not r[1] and r[col])
        return same, both, same_both, only_theirs

    n = len(rows)
    print(f"{n} pages under {args.data}; ours dated {sum(1 for r in rows if r[1])}, "
          f"GNE {sum(1 for r in rows if r[3])}, htmldate {sum(1 for r in rows if r[4])}")  # fmt: skip
    print(
        "where ours came from: "
        + ", ".join(f"{k or 'none'} {v}" for k, v in Counter(r[2] for r in rows).most_common())
    )
    print()
    print(
        "| compared with | same day (or both none) | both dated | same day of both dated | only they date |"
    )
    print("|---|---|---|---|---|")
    for label, col in (("GNE", 3), ("htmldate", 4)):
        same, both, same_both, only_theirs = agreement(col)
        print(f"| {label} | {same}/{n} ({same / n:.0%}) | {both} | {same_both}/{both} | {only_theirs} |")
    print()
    print("disagreements (page: ours [from] / GNE / htmldate):")
    for name, ours, source, gne, hd in rows:
        if day(ours) != day(gne) or day(ours) != day(hd):
            print(f"  {name}: {day(ours)} [{source}] / {day(gne)} / {day(hd)}")


if __name__ == "__main__":
    main()
