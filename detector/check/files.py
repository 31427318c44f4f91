"""Which files a check reads: named paths, folders walked with include/exclude globs.

Globs work like ``.gitignore`` lines, matched against the path relative to the project root with ``/``:

- a pattern without ``/`` matches a file or folder name at any depth (``*.md``, ``node_modules``);
- a pattern with ``/`` is anchored at the root (``docs/_build``, ``legal/*.md``; a leading ``/`` is dropped);
- ``*`` and ``?`` stay within one path segment, ``**`` spans segments, ``[abc]`` is a class;
- a pattern that matches a folder matches everything under it.

Folders are walked recursively in sorted order, hidden files and folders skipped; a file found in a folder
is read when it matches an ``include`` glob and no ``exclude`` glob. A file named on the command line is
read whatever its name, unless an ``exclude`` glob matches it (so a pre-commit hook that names files still
honours the configuration).

``check`` reads inside the project only (CONTRACT.md, "Hostile input"): a file or folder whose real path
leaves it (a symlink planted in a pull request, ``docs/leak.md -> ../../secret``) is skipped and listed
in ``skipped`` for a notice on stderr. A path named outside the project is the user's own and is read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from detector.errors import InputError

NO_SUCH_FILE = "no such file or directory"


@dataclass(frozen=True)
class Globs:
    """A compiled list of glob patterns."""

    patterns: tuple[str, ...]
    regexes: tuple[re.Pattern[str], ...]

    @staticmethod
    def of(patterns: Sequence[str]) -> Globs:
        return Globs(tuple(patterns), tuple(compile_glob(p) for p in patterns))

    def match(self, rel: str) -> bool:
        return any(r.match(rel) for r in self.regexes)


def compile_glob(pattern: str) -> re.Pattern[str]:
    p = pattern.strip()
    anchored = "/" in p.rstrip("/")
    p = p.strip("/")
    parts = p.split("/")
    body = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            body += ".*" if last else "(?:[^/]*/)*"
        else:
            body += _segment(part) + ("" if last else "/")
    head = "^" if anchored else "^(?:.*/)?"
    return re.compile(head + body + "(?:/.*)?$", re.DOTALL)


def _segment(part: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(part):
        c = part[i]
        if c == "*":
            while i + 1 < len(part) and part[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and (end := part.find("]", i + 2)) != -1:
            inner = part[i + 1 : end]
            negate = inner[:1] in ("!", "^")
            inner = inner[1:] if negate else inner
            out.append("[" + ("^" if negate else "") + inner.replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def relative_to_root(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` (absolute when outside the root)."""
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, root)
    except ValueError:  # another drive
        return full.replace(os.sep, "/")
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return full.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


def _inside(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def expand_paths(
    named: Sequence[tuple[str, Path]],
    root: Path,
    include: Sequence[str],
    exclude: Sequence[str],
    *,
    project: Path | None = None,
    skipped: list[Path] | None = None,
) -> list[Path]:
    """The files to check, in a stable order, each once.

    ``named`` holds (the path as the user wrote it, the absolute path). A named path that does not exist
    raises InputError naming it, before anything is read. With ``project``, a file or folder inside it
    (as written) whose real path leaves it is not read but appended to ``skipped``.
    """
    for shown, full in named:
        if not full.exists():
            raise InputError(shown, NO_SUCH_FILE)
    inc, exc = Globs.of(include), Globs.of(exclude)
    out: list[Path] = []
    seen: set[str] = set()

    top = os.path.realpath(project) if project is not None else None

    def leaves(path: Path) -> bool:
        # Inside the project as written, outside once symlinks are resolved.
        if top is None or not _inside(os.path.abspath(path), os.path.abspath(project or top)):
            return False
        if _inside(os.path.realpath(path), top):
            return False
        if skipped is not None:
            skipped.append(path)
        return True

    def add(path: Path) -> None:
        key = os.path.realpath(path)
        if key not in seen and not leaves(path):
            seen.add(key)
            out.append(path)

    for _, full in named:
        if full.is_dir() and leaves(full):
            continue
        if full.is_dir():
            for path in _walk(full, root, inc, exc):
                add(path)
        elif not exc.match(relative_to_root(full, root)):
            add(full)
    return out


def _walk(top: Path, root: Path, include: Globs, exclude: Globs) -> list[Path]:
    found: list[tuple[tuple[str, ...], Path]] = []
    for dirpath, dirnames, filenames in os.walk(top):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and not exclude.match(relative_to_root(here / d, root))
        )
        rel_dir = os.path.relpath(dirpath, top)
        parts = () if rel_dir == "." else tuple(rel_dir.split(os.sep))
        for name in filenames:
            if name.startswith("."):
                continue
            rel = relative_to_root(here / name, root)
            if include.match(rel) and not exclude.match(rel):
                found.append(((*parts, name), here / name))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found]
