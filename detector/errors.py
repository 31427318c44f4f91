"""Errors a user can cause. The CLI turns each into one line on stderr and exit code 2.

DetectorError                  anything the user can fix; ``str(err)`` is the whole message
 +-- InputError                a page or source file that cannot be read (names the file)
 +-- IndexFileError            the index: missing, not an index, corrupt, settings mismatch
 |    +-- IndexUnavailableError  the Redis server cannot be reached, or went away
 +-- ConfigError               a bad setting, config file or flag value (names the key)
 +-- BaselineError             a baseline file that cannot be read
 +-- DecisionsError            a review decisions file that cannot be read or is malformed
 +-- EngineError               the Dask cluster cannot be started or reached
"""

from __future__ import annotations


class DetectorError(Exception):
    """Base class: a problem the user can fix, with a message that says what and where."""


class InputError(DetectorError):
    """An input file or line that cannot be read as a page or source document."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class IndexFileError(DetectorError):
    """The index cannot be used: not an index, corrupt, or built with other settings."""


class ConfigError(DetectorError):
    """A setting, flag or config file with a bad value or an unknown key."""


class BaselineError(DetectorError):
    """A baseline file that is missing, truncated or not a baseline."""


class DecisionsError(DetectorError):
    """A review decisions file (``--decisions``) that is missing or does not match its schema."""


class IndexUnavailableError(IndexFileError):
    """The Redis server cannot be reached, or went away during the run."""


class EngineError(DetectorError):
    """The Dask cluster cannot be started or reached."""
