"""Where an index lives: the value of ``--index``, a file path or a Redis URL.

``redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=NAME&...]`` (``rediss://`` for TLS) selects
the shared index kept in Redis; anything else is the path of the embedded SQLite file.
Query options: ``prefix`` (the key namespace, default ``detector``), ``ssl_cert_reqs``
(``none``, ``optional``, ``required``), ``ssl_ca_certs``, ``ssl_certfile``, ``ssl_keyfile``,
``ssl_check_hostname`` (``true``/``false``), ``socket_timeout`` (seconds).

Credentials never leave this object except as connection arguments: ``display()`` and
``str()`` show scheme, host, port, database and prefix only, so error lines, ``--info``,
``--check`` and reports cannot print a password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from detector.errors import ConfigError

DEFAULT_PREFIX = "detector"
DEFAULT_PORT = 6379
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_PREFIX = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_CERT_REQS = ("none", "optional", "required")
_TLS_PATHS = ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile")
_BOOL = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@dataclass(frozen=True)
class RedisLocation:
    """A Redis index: connection arguments (secrets hidden from repr) and the key prefix."""

    host: str
    port: int
    db: int
    prefix: str
    tls: bool = False
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    ssl_cert_reqs: str | None = None
    ssl_ca_certs: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_check_hostname: bool | None = None
    socket_timeout: float = 30.0

    def display(self) -> str:
        """The location as a user may see it: never the user name or password."""
        scheme = "rediss" if self.tls else "redis"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}/{self.db}?prefix={self.prefix}"

    def __str__(self) -> str:
        return self.display()

    def connection_kwargs(self) -> dict[str, object]:
        """Arguments for ``redis.Redis`` (and datasketch's Redis storage config)."""
        out: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "db": self.db,
            "socket_connect_timeout": min(self.socket_timeout, 10.0),
            "socket_timeout": self.socket_timeout,
        }
        if self.username is not None:
            out["username"] = self.username
        if self.password is not None:
            out["password"] = self.password
        if self.tls:
            out["ssl"] = True
            for name in (
                "ssl_cert_reqs",
                "ssl_ca_certs",
                "ssl_certfile",
                "ssl_keyfile",
                "ssl_check_hostname",
            ):
                value = getattr(self, name)
                if value is not None:
                    out[name] = value
        return out


@dataclass(frozen=True)
class FileLocation:
    path: Path

    def display(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return self.display()


IndexLocation = FileLocation | RedisLocation


def parse_location(value: str | Path) -> IndexLocation:
    """``--index``: a Redis URL, or else a file path. Raises ConfigError for a bad URL (the
    message shows the URL without its credentials)."""
    if isinstance(value, Path):
        return FileLocation(value)
    m = _SCHEME.match(value)
    if m is None:
        return FileLocation(Path(value))
    scheme = m.group(1).lower()
    if scheme not in ("redis", "rediss"):
        raise ConfigError(
            f"--index: unsupported URL scheme {scheme!r} (a file path, redis:// or rediss:// URL)"
        )
    return _parse_redis(value, tls=scheme == "rediss")


def split_userinfo(value: str) -> tuple[str, str | None]:
    """``scheme://USERINFO@rest`` -> (``scheme://rest``, USERINFO), before any URL parser sees it.

    The credentials end at the last ``@``: a password may hold ``/``, ``#``, ``?`` or ``@`` unencoded, and a
    parser that splits there first quotes pieces of it in its errors (``Port could not be cast to integer
    value as 's3cret'``). An ``@`` in a query option must therefore be written ``%40``.
    """
    head = value.find("://") + 3
    at = value.rfind("@", head)
    if head < 3 or at == -1:
        return value, None
    return value[:head] + value[at + 1 :], value[head:at]


def redact(value: str) -> str:
    """``value`` (an --index) with the credentials of a URL replaced by ``***``."""
    rest, userinfo = split_userinfo(value)
    if userinfo is None:
        return value
    head = rest.find("://") + 3
    return rest[:head] + "***@" + rest[head:]


def _parse_redis(value: str, *, tls: bool) -> RedisLocation:
    rest, userinfo = split_userinfo(value)
    username: str | None = None
    password: str | None = None
    if userinfo is not None:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) if user else None
        password = unquote(secret) if colon else None
    try:
        parts = urlsplit(rest)
        host = parts.hostname or ""
        port = parts.port or DEFAULT_PORT
    except ValueError as err:
        raise ConfigError(f"--index: not a valid redis URL ({err})") from None
    scheme = "rediss" if tls else "redis"
    shown = f"{scheme}://{host or '?'}:{port}"
    if not host:
        raise ConfigError(f"{shown}: the redis URL names no host")
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ConfigError(f"{shown}: the database must be a number, as in redis://HOST:PORT/0")
    db = int(path) if path else 0
    options: dict[str, str] = {}
    for key, val in parse_qsl(parts.query, keep_blank_values=True):
        if key in options:
            raise ConfigError(f"{shown}/{db}: option {key!r} given twice")
        options[key] = val
    prefix = options.pop("prefix", DEFAULT_PREFIX)
    where = f"{shown}/{db}?prefix={prefix}"
    if not _PREFIX.match(prefix):
        raise ConfigError(f"{shown}/{db}: prefix must be 1-100 letters, digits or _ . : -")
    cert_reqs = options.pop("ssl_cert_reqs", None)
    if cert_reqs is not None:
        cert_reqs = cert_reqs.lower()
        if cert_reqs not in _CERT_REQS:
            raise ConfigError(f"{where}: ssl_cert_reqs must be one of {', '.join(_CERT_REQS)}")
    tls_paths = {name: options.pop(name, None) for name in _TLS_PATHS}
    check_hostname: bool | None = None
    raw_check = options.pop("ssl_check_hostname", None)
    if raw_check is not None:
        if raw_check.lower() not in _BOOL:
            raise ConfigError(f"{where}: ssl_check_hostname must be true or false")
        check_hostname = _BOOL[raw_check.lower()]
    timeout = 30.0
    raw_timeout = options.pop("socket_timeout", None)
    if raw_timeout is not None:
        try:
            timeout = float(raw_timeout)
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 3600:
            raise ConfigError(f"{where}: socket_timeout must be a number of seconds (0-3600]")
    if options:
        raise ConfigError(f"{where}: unknown option {sorted(options)[0]!r}")
    tls_given = cert_reqs is not None or check_hostname is not None or any(tls_paths.values())
    if tls_given and not tls:
        raise ConfigError(f"{where}: TLS options need a rediss:// URL")
    return RedisLocation(
        host=host,
        port=port,
        db=db,
        prefix=prefix,
        tls=tls,
        username=username,
        password=password,
        ssl_cert_reqs=cert_reqs,
        ssl_ca_certs=tls_paths["ssl_ca_certs"],
        ssl_certfile=tls_paths["ssl_certfile"],
        ssl_keyfile=tls_paths["ssl_keyfile"],
        ssl_check_hostname=check_hostname,
        socket_timeout=timeout,
    )


