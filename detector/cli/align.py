"""`detector align`: the copied passages between two given documents (no index needed)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from detector.cli.common import safe_line, user_errors, write_atomically
from detector.config import LIMITS
from detector.errors import InputError
from detector.model import AlignedPassage, Document, InputFailure

PRESETS = ("scan", "pan")


def read_document(path: str) -> Document:
    """One file through the same ingest as `scan` (decoding, HTML extraction, offsets)."""
    from detector.ingest.inputs import iter_file_pages

    if os.path.isdir(path):
        raise InputError(path, "is a folder; align takes two files")
    if path.lower().endswith(".jsonl"):
        raise InputError(path, "is a JSONL file; align takes two documents (HTML, text or Markdown)")
    items = list(iter_file_pages([path]))
    if len(items) != 1:
        raise InputError(path, "expected one document")
    item = items[0]
    if isinstance(item, InputFailure):
        raise InputError(item.uri, item.error)
    return item


def align_dict(
    page: Document, source: Document, preset: str, passages: list[AlignedPassage]
) -> dict[str, object]:
    return {
        "suspicious": {"uri": page.uri},
        "source": {"uri": source.uri},
        "preset": preset,
        "passages": [
            {"suspicious": list(p.page), "source": list(p.source), "similarity": p.similarity}
            for p in passages
        ],
    }


def _excerpt(text: str, span: tuple[int, int]) -> str:
    s = " ".join(text[span[0] : span[1]].split())
    return s if len(s) <= LIMITS.excerpt_chars else s[: LIMITS.excerpt_chars - 1] + "…"


@click.command("align")
@click.argument("suspicious", metavar="SUSPICIOUS")
@click.argument("source", metavar="SOURCE")
@click.option(
    "-o",
    "--json",
    "json_out",
    metavar="FILE|-",
    help="Write the passages as JSON to FILE, or to stdout with '-'.",
)
@click.option(
    "--preset",
    type=click.Choice(PRESETS),
    default="scan",
    show_default=True,
    help="scan: the aligner and settings of `detector scan`; pan: the sentence-level strategy tuned on "
    "PAN 2013 (finds reworded, shuffled and summarised copies).",
)
def align_command(suspicious: str, source: str, json_out: str | None, preset: str) -> None:
    """The copied passages between two documents, as character spans on both sides.

    SUSPICIOUS and SOURCE are HTML, text or Markdown files, read as `detector scan` reads
    pages (decoding, HTML extraction). The whole extracted text of both is aligned: lines
    that scan labels boilerplate are aligned too. Offsets are code-point offsets
    ``[start, end)`` into the extracted text; for a plain .txt file that is the decoded
    file itself (line endings \\r\\n read as \\n).

    With the default preset the passages are exactly what `detector scan` reports for this
    pair (the same alignment code and settings).

    \b
    --json writes:
      {"suspicious": {"uri"}, "source": {"uri"}, "preset": "scan" | "pan",
       "passages": [{"suspicious": [start, end], "source": [start, end],
                     "similarity": 0..1}]}

    \b
    Examples:
      detector align page.html original.html
      detector align suspicious.txt source.txt --preset pan --json - | jq '.passages | length'

    Exit codes: 0 done (with or without passages), 2 a file that cannot be read.
    """
    from detector.analysis.align_pan import pan_alignment, scan_alignment
    from detector.result import dumps

    with user_errors():
        page = read_document(suspicious)
        src = read_document(source)
        passages = pan_alignment(page, src) if preset == "pan" else scan_alignment(page, src)
        data = align_dict(page, src, preset, passages)
        if json_out == "-":
            click.echo(dumps(data), nl=False)
            return
        if json_out:
            write_atomically(Path(json_out), dumps(data))
    n = len(passages)
    click.echo(safe_line(f"{page.uri} <- {src.uri}: {n} passage{'s' if n != 1 else ''} ({preset})"))
    for p in passages:
        click.echo(
            safe_line(
                f"  [{p.page[0]}, {p.page[1]}) <- [{p.source[0]}, {p.source[1]})  "
                f"similarity {p.similarity:.2f}  {_excerpt(page.text, p.page)}"
            )
        )
