"""The configuration of ``detector check``: ``[tool.detector]`` in ``pyproject.toml``, or ``detector.toml``.

Discovery starts at the folder that holds every checked path and walks up to the project (the repository
root, the first folder with ``.git``; outside a repository the working directory, never above it): the
first ``detector.toml``, or ``pyproject.toml`` with a ``[tool.detector]`` table, wins. Its folder is the
config root: globs, ``allow.paths`` and baseline entries are relative to it,
and so are the paths written in the file. Without a config file the root is the repository root, else the
working directory. Flags override the file.

Keys are spelled as in the file (kebab-case); an unknown key or a value of the wrong type is a ConfigError
that names the key and the file, with the nearest known key when it looks like a typo.

A checked repository is untrusted (CONTRACT.md, "Hostile input"): a path in its configuration (``paths``,
``index``, ``baseline``, ``output``, ``site-profile``, ``decisions``) whose real path leaves the project
is a ConfigError naming the key. Flags are the user's own and are used as given.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

from detector.errors import ConfigError
from detector.model import SEVERITIES, Severity

Format = Literal["text", "json", "sarif", "junit", "github"]
FORMATS: tuple[Format, ...] = get_args(Format)

# What a docs or website repository holds; JSONL is read only when named or included.
DEFAULT_INCLUDE: tuple[str, ...] = ("*.md", "*.markdown", "*.html", "*.htm", "*.txt")

CONFIG_FILES = ("detector.toml", "pyproject.toml")

TOP_KEYS = (
    "paths",
    "index",
    "fail-on",
    "format",
    "output",
    "baseline",
    "decisions",
    "include",
    "exclude",
    "site",
    "site-profile",
    "allow",
)
ALLOW_KEYS = ("sources", "source-urls", "paths")
# Keys whose value is a path: it must stay inside the project (a symlink out of it counts as leaving).
PATH_KEYS = ("paths", "index", "baseline", "output", "site-profile", "decisions")


@dataclass(frozen=True)
class CheckConfig:
    """Everything ``detector check`` needs, with paths already resolved (absolute)."""

    root: Path
    file: Path | None = None
    paths: tuple[Path, ...] = ()
    index: str | None = None  # a file path or a redis:// URL
    fail_on: Severity = "medium"
    format: Format = "text"
    output: Path | None = None
    baseline: Path | None = None
    decisions: Path | None = None  # review decisions exported from a report (detector.decisions)
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    site: str | None = None
    # One text (or file of text) for the run's site, or one per site name.
    site_profile: str | dict[str, str] | None = None
    allow_sources: tuple[str, ...] = ()
    allow_source_urls: tuple[str, ...] = ()
    allow_paths: tuple[str, ...] = field(default_factory=tuple)
    # The project: what ``check`` reads and writes on its own (the repository root, else the working
    # directory); None for a config built in code, where ``root`` is used.
    project: Path | None = None
    # Whether site_profile came from the file (then a file it names must lie inside the project).
    profile_from_file: bool = False

    @property
    def boundary(self) -> Path:
        return self.project or self.root

    @property
    def site_name(self) -> str:
        """The one site every checked file belongs to: ``site``, else the root folder's name."""
        return self.site or self.root.name or "site"

    def profile_for(self, site: str) -> str | None:
        """The site profile text for ``site``: a file (relative to the root) is read, else taken as text."""
        value = self.site_profile
        if isinstance(value, dict):
            value = value.get(site)
        if value is None:
            return None
        candidate = self.root / value
        if len(value) < 4096 and "\n" not in value and candidate.is_file():
            if self.profile_from_file and not inside(candidate, self.boundary):
                where = f"{self.file}: " if self.file is not None else ""
                raise ConfigError(f"{where}site-profile: {value!r} leaves the project ({self.boundary})")
            try:
                return candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                raise ConfigError(f"{candidate}: site-profile file cannot be read ({err})") from None
        return value

    def with_overrides(self, **overrides: Any) -> CheckConfig:
        """Flags given on the command line (None means not given)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if "site_profile" in given:
            given["profile_from_file"] = False
        return replace(self, **given)


def inside(path: Path, folder: Path) -> bool:
    """Whether the real path of ``path`` (symlinks resolved) lies in ``folder``'s real path."""
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def project_root(start: Path, cwd: Path) -> Path:
    """The project of a check starting at ``start``: its repository root, else the working directory
    when ``start`` lies in it, else ``start``'s folder (paths named outside are the user's own)."""
    folder = start if start.is_dir() else start.parent
    repo = repository_root(folder)
    if repo is not None:
        return repo
    return cwd if inside(folder, cwd) else folder


def find_config(start: Path, top: Path | None = None) -> Path | None:
    """The config file for a check starting at ``start``, looked up no higher than ``top`` (the project)
    (see the module docstring)."""
    folder = start if start.is_dir() else start.parent
    for d in (folder, *folder.parents):
        for name in CONFIG_FILES:
            candidate = d / name
            if candidate.is_file() and (name == "detector.toml" or _has_tool_table(candidate)):
                return candidate
        if (d / ".git").exists() or (top is not None and os.path.realpath(d) == os.path.realpath(top)):
            return None
    return None


def repository_root(start: Path) -> Path | None:
    folder = start if start.is_dir() else start.parent
    return next((d for d in (folder, *folder.parents) if (d / ".git").exists()), None)


def common_folder(paths: Sequence[str], cwd: Path) -> Path:
    """The folder that holds every named path (the working directory when none is named)."""
    if not paths:
        return cwd
    full = [os.path.abspath(os.path.join(cwd, p)) for p in paths]
    try:
        common = Path(os.path.commonpath(full))
    except ValueError:  # different drives
        return cwd
    return common if common.is_dir() else common.parent


def load_config(paths: Sequence[str], cwd: Path, explicit: Path | None = None) -> CheckConfig:
    """The configuration for checking ``paths``: ``explicit`` when given, else discovered."""
    start = common_folder(paths, cwd)
    project = project_root(start, cwd)
    if explicit is not None:
        file = explicit if explicit.is_absolute() else cwd / explicit
        if not file.is_file():
            raise ConfigError(f"{explicit}: no such config file")
    else:
        found = find_config(start, project)
        if found is None:
            return CheckConfig(root=repository_root(start) or cwd, project=project)
        file = found
    return parse_config(file, _read_table(file), project)


def _read_table(file: Path) -> Mapping[str, Any]:
    try:
        with open(file, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{file}: not valid TOML ({err})") from None
    if file.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("detector", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: [tool.detector] must be a table")
        return table
    return data


def _has_tool_table(file: Path) -> bool:
    try:
        with open(file, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return False  # a broken pyproject.toml of another tool is not ours to report
    tool = data.get("tool")
    return isinstance(tool, dict) and "detector" in tool


def parse_config(file: Path, table: Mapping[str, Any], project: Path | None = None) -> CheckConfig:
    """Validate ``table`` (read from ``file``) into a CheckConfig; paths are relative to the file and
    must stay inside ``project`` (default: the file's folder)."""
    prefix = "[tool.detector] " if file.name == "pyproject.toml" else ""
    root = file.parent.resolve()
    top = project if project is not None else root

    def error(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{file}: {prefix}{key}: {problem}")

    def contained(key: str, value: str) -> Path:
        full = root / value
        if not inside(full, top):
            raise error(key, f"{value!r} leaves the project ({top}); only flags may name paths outside it")
        return full

    _check_keys(table, TOP_KEYS, "", error)
    allow = table.get("allow", {})
    if not isinstance(allow, dict):
        raise error("allow", "must be a table ([tool.detector.allow] or allow = {...})")
    _check_keys(allow, ALLOW_KEYS, "allow.", error)

    def strings(key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise error(key, f"must be a list of non-empty strings, not {_show(value)}")
        return tuple(value)

    def string(key: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise error(key, f"must be a non-empty string, not {_show(value)}")
        return value

    def path(key: str, value: Any) -> Path:
        return contained(key, string(key, value))

    out = CheckConfig(root=root, file=file, project=top)
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key == "paths":
            changes["paths"] = tuple(contained(key, p) for p in strings(key, value))
        elif key == "index":
            location = string(key, value)
            changes[key] = (
                location if location.startswith(("redis://", "rediss://")) else str(contained(key, location))
            )
        elif key in ("output", "baseline", "decisions"):
            changes[key] = path(key, value)
        elif key == "fail-on":
            if value not in SEVERITIES:
                raise error(key, f"{_show(value)} is not one of {', '.join(SEVERITIES)}")
            changes["fail_on"] = value
        elif key == "format":
            if value not in FORMATS:
                raise error(key, f"{_show(value)} is not one of {', '.join(FORMATS)}")
            changes["format"] = value
        elif key in ("include", "exclude"):
            changes[key] = strings(key, value)
        elif key == "site":
            changes["site"] = string(key, value)
        elif key == "site-profile":
            if isinstance(value, dict):
                changes["site_profile"] = {
                    str(name): string(f"site-profile.{name}", text) for name, text in sorted(value.items())
                }
            else:
                changes["site_profile"] = string(key, value)
            changes["profile_from_file"] = True
    for key, value in allow.items():
        name = f"allow.{key}"
        if key == "sources":
            changes["allow_sources"] = strings(name, value)
        elif key == "source-urls":
            changes["allow_source_urls"] = strings(name, value)
        elif key == "paths":
            changes["allow_paths"] = strings(name, value)
    return replace(out, **changes)


def _check_keys(
    table: Mapping[str, Any], known: Sequence[str], prefix: str, error: Callable[[str, str], ConfigError]
) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key.replace("_", "-"), list(known), n=1, cutoff=0.6)
            hint = f" (did you mean {prefix + close[0]!r}?)" if close else ""
            raise error(f"{prefix}{key}", f"unknown key{hint}; known keys: {', '.join(known)}")


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str | int | float | bool) else type(value).__name__
