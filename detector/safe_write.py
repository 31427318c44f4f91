"""Files written in place of what is there, never through it.

Every file the tool writes goes to a temporary file in the target folder and is renamed over the target
(``os.replace``): a symlink planted at the path (``reports/x/index.html -> ../victim.txt``) is replaced by
the new file, not followed, and a reader never sees half a file. The temporary file is created with mode
0666 so the user's umask applies, as for any other file the user creates.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from detector.errors import DetectorError


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all, replacing (not following) a symlink there."""
    write_atomically_with(path, lambda fh: fh.write(data))


def write_atomically_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` whole or not at all with ``write(file)``, replacing (not following) a symlink."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise DetectorError(f"{path}: is a folder; name a file to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # O_EXCL|O_NOFOLLOW: a name planted in the meantime is an error, never a file we write through.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """``text`` as UTF-8 with ``\\n`` line ends, written as :func:`write_bytes_atomically` does."""
    write_bytes_atomically(path, text.encode("utf-8"))


def real_folder(path: Path) -> Path:
    """``path`` as a folder of our own: a symlink planted there is removed and a real folder made."""
    path = Path(path)
    if path.is_symlink():
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)
    return path


# What reading back a saved ``.npz`` cache (numpy.load, allow_pickle=False) raises when the file
# is damaged, forged or from another version: the reader then ignores it and rebuilds. A zip
# member flagged as encrypted raises RuntimeError ("password required").
NPZ_READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    zipfile.BadZipFile,
    EOFError,
    MemoryError,
    RuntimeError,
)


def save_cache(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a cache file as :func:`write_atomically_with` does, or quietly nothing when it cannot be
    written (a read-only home, a folder in its place): a cache is rebuilt next time, never required."""
    with contextlib.suppress(OSError, DetectorError):
        write_atomically_with(path, write)
