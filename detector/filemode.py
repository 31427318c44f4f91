"""The mode a new file gets: what ``open()`` would give it under the user's umask.

Files are written through a temporary file and renamed into place (whole or not at all); ``mkstemp``
creates that file with mode 0600 whatever the umask, so without this a JSON output was private while
the HTML written beside it was not (CONTRACT.md: files are written with the user's umask).
"""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()


def new_file_mode() -> int:
    """0666 less the process's umask (read by setting it and putting it back, under a lock)."""
    with _lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def apply_umask(fd: int) -> None:
    """Give a file made by ``tempfile.mkstemp`` the mode ``open()`` would have given it."""
    if hasattr(os, "fchmod"):  # not on Windows, where the mode bits mean little
        os.fchmod(fd, new_file_mode())
