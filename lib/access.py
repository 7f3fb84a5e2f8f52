"""Optional access control for a shared deployment (issue 16 item 4): what `.streamlit/secrets.toml`
asks for, password hashes, the wrong-password rate limit, who may enter after an identity
provider's sign-in. No Streamlit here; lib/access_gate.py draws the gate from these.

Modes, decided by the secrets alone (`load`):

- **open** — no `[access]` and no `[auth]` section: the app opens as it always has (a laptop).
- **password** — `[access] password_hash = "scrypt$…"` (made by `python -m lib password`).
  Only a salted scrypt hash is ever in the file; `password = "…"` in plain text is refused.
- **oidc** — Streamlit's own `[auth]` section (st.login, an OpenID Connect provider);
  `[access] allowed_emails = [...]` optionally limits who may enter (an entry `@example.com`
  admits that whole domain).

Anything else in `[access]` (a typo such as `pasword_hash`, a password and a provider both, an
`allowed_emails` without `[auth]`) is a ConfigError, and the gate then stays shut saying what to
fix: a mistyped setting must not leave a shared app open.

The hash: scrypt (hashlib, no dependency) with N=2**14, r=8, p=5 — one of OWASP's equivalent
scrypt settings (16 MiB, about 0.2 s on a 2-core VM) — a 16-byte random salt and a 32-byte key,
written `scrypt$N$r$p$salt$key` (base64url, no padding), compared with hmac.compare_digest.

The rate limit (`Attempts`): process-wide, per client (`client_key`: the connection's IP address,
or the one a reverse proxy on this machine names; one shared bucket when there is none). The first
FREE_FAILURES - 1 wrong passwords cost nothing; the FREE_FAILURES-th locks that client for
FIRST_LOCK_SECONDS, and each later failure doubles the lock up to MAX_LOCK_SECONDS. A right
password clears the client's count; a client quiet for FORGET_AFTER_SECONDS starts afresh. An
attempt is counted as a failure *before* its password is checked (and cleared if it was right),
so attempts sent at once cannot all slip in under the limit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import importlib.metadata
import math
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["open", "password", "oidc"]

# the hash
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 5
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 8
# what a stored hash may ask for (it comes from a file an admin writes: a typo must not take
# gigabytes or minutes an attempt): 128·r·N bytes of memory at most, and p passes
MAX_SCRYPT_MEMORY = 64 << 20
MAX_SCRYPT_P = 16

# the rate limit
FREE_FAILURES = 5            # the 5th wrong password in a row locks the client ...
FIRST_LOCK_SECONDS = 30.0    # ... for 30 s; each further one doubles it: 60, 120, 240, 480 ...
MAX_LOCK_SECONDS = 900.0     # ... up to 15 minutes
FORGET_AFTER_SECONDS = 3600.0  # a client with no failure for an hour starts afresh
MAX_CLIENTS = 10_000         # buckets kept; past it the quietest are forgotten

AUTHLIB_MIN_VERSION = (1, 3, 2)  # what Streamlit's st.login needs (streamlit.auth_util)
STREAMLIT_AUTH_PIN = "1.67.0"  # `pip install "streamlit[auth]==…"` brings Authlib: the streamlit of requirements.in
ACCESS_KEYS = frozenset({"password_hash", "allowed_emails"})
_HASH = re.compile(r"scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)")


class ConfigError(ValueError):
    """The access settings cannot be used: `key` is its label (lib/i18n/access.py), `values` fill it."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key, values)
        self.key = key
        self.values = values


# -- the hash ----------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=2 * 128 * r * n + (1 << 20), dklen=KEY_BYTES)


def hash_password(password: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> str:
    """`scrypt$N$r$p$salt$key` for `password`, with a fresh random salt unless one is given."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(_scrypt(password, salt, n, r, p))}"


@dataclass(frozen=True)
class PasswordHash:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes

    @classmethod
    def parse(cls, text: object) -> PasswordHash:
        """A stored hash, or ConfigError saying it is not one `hash_password` writes."""
        found = _HASH.fullmatch(text.strip()) if isinstance(text, str) else None
        if not found:
            raise ConfigError("access.error_bad_hash")
        n, r, p = (int(found.group(i)) for i in (1, 2, 3))
        try:
            salt, key = _unb64(found.group(4)), _unb64(found.group(5))
        except binascii.Error:  # a length base64 cannot have
            raise ConfigError("access.error_bad_hash") from None
        if (n < 2 or n & (n - 1) or r < 1 or 128 * r * n > MAX_SCRYPT_MEMORY or not 1 <= p <= MAX_SCRYPT_P
                or len(salt) < SALT_BYTES or len(key) != KEY_BYTES):
            raise ConfigError("access.error_bad_hash")
        return cls(n, r, p, salt, key)

    def matches(self, password: str) -> bool:
        return hmac.compare_digest(_scrypt(password, self.salt, self.n, self.r, self.p), self.key)


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` (a `hash_password` result) was made from."""
    return PasswordHash.parse(stored).matches(password)


# -- the settings ------------------------------------------------------------------------------

@dataclass(frozen=True)
class AccessConfig:
    mode: Mode = "open"
    password: PasswordHash | None = None
    # oidc: the providers to offer, None for the unnamed one of [auth] itself (st.login(None))
    providers: tuple[str | None, ...] = ()
    allowed_emails: tuple[str, ...] = ()  # lower-cased; empty: anyone the provider signs in

    @property
    def grant(self) -> str:
        """What a session's sign-in is tied to: another password hash in the file, or another mode,
        signs every open session out."""
        if self.password is not None:
            return f"password:{_b64(self.password.salt)}:{_b64(self.password.key)}"
        return self.mode


def load(secrets_: Mapping[str, Any]) -> AccessConfig:
    """The access settings in the secrets (st.secrets as a dict), or ConfigError."""
    access = secrets_.get("access")
    auth = secrets_.get("auth")
    if access is None and not auth:
        return AccessConfig()
    if not isinstance(access, Mapping | None):
        raise ConfigError("access.error_not_a_section")
    access = dict(access or {})
    if "password" in access:
        raise ConfigError("access.error_plain_password")
    unknown = sorted(set(access) - ACCESS_KEYS)
    if unknown:
        raise ConfigError("access.error_unknown_setting", name=unknown[0], known=", ".join(sorted(ACCESS_KEYS)))
    emails = _emails(access.get("allowed_emails", []))
    if auth:
        if "password_hash" in access:
            raise ConfigError("access.error_both")
        return AccessConfig(mode="oidc", providers=_providers(auth), allowed_emails=emails)
    if "allowed_emails" in access:
        raise ConfigError("access.error_emails_without_auth")
    if "password_hash" not in access:
        raise ConfigError("access.error_nothing_configured")
    return AccessConfig(mode="password", password=PasswordHash.parse(access["password_hash"]))


def _emails(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple) \
            or not all(isinstance(v, str) and "@" in v and v.strip() == v and v for v in value):
        raise ConfigError("access.error_bad_emails")
    return tuple(v.lower() for v in value)


def _providers(auth: object) -> tuple[str | None, ...]:
    """[auth] holding client_id itself is the unnamed provider; each [auth.NAME] holding one is named."""
    if not isinstance(auth, Mapping):
        raise ConfigError("access.error_no_provider")
    named = tuple(sorted(name for name, value in auth.items()
                         if isinstance(value, Mapping) and "client_id" in value))
    found = ((None,) if "client_id" in auth else ()) + named
    if not found:
        raise ConfigError("access.error_no_provider")
    return found


def email_allowed(email: object, allowed: tuple[str, ...], verified: object = None) -> bool:
    """Whether a signed-in user may enter: anyone when `allowed` is empty; else their email, exactly
    or by its domain (an entry "@example.com"), compared without case. An email the provider says
    is not verified (email_verified false) is not taken when there is a list."""
    if not allowed:
        return True
    if not isinstance(email, str) or email.count("@") != 1 or verified is False:
        return False
    email = email.strip().lower()
    return email in allowed or email[email.index("@"):] in allowed


def authlib_missing() -> bool:
    """Whether st.login cannot work here: Authlib (>= 1.3.2) is not installed."""
    try:
        version = importlib.metadata.version("authlib")
    except importlib.metadata.PackageNotFoundError:
        return True
    parts = tuple(int(p) for p in re.findall(r"\d+", version)[:3])
    return parts < AUTHLIB_MIN_VERSION


# -- the rate limit ----------------------------------------------------------------------------

@dataclass
class _Client:
    failures: int = 0
    locked_until: float = 0.0
    last_failure: float = 0.0


@dataclass
class Attempts:
    """Wrong-password counts per client, shared by every session of the process (thread-safe).

    `start(client)` before checking a password: the seconds the client must still wait (> 0: do
    not check it), else 0.0, and the attempt is counted as failed. `succeeded(client)` after a
    right password clears the count. `clock` (seconds, monotonic) is injectable for tests."""

    clock: Callable[[], float] = time.monotonic
    free_failures: int = FREE_FAILURES
    first_lock: float = FIRST_LOCK_SECONDS
    max_lock: float = MAX_LOCK_SECONDS
    forget_after: float = FORGET_AFTER_SECONDS
    max_clients: int = MAX_CLIENTS
    _clients: dict[str, _Client] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def lock_for(self, failures: int) -> float:
        """Seconds a client is locked out after its `failures`-th wrong password in a row."""
        if failures < self.free_failures:
            return 0.0
        doublings = min(failures - self.free_failures, 32)  # past the cap anyway; 2**1024 is no float
        return min(self.first_lock * 2 ** doublings, self.max_lock)

    def wait(self, client: str) -> float:
        """Seconds before `client` may try again (0.0: now)."""
        with self._lock:
            now = self.clock()
            state = self._current(client, now)
            return max(0.0, state.locked_until - now) if state else 0.0

    def start(self, client: str) -> float:
        with self._lock:
            now = self.clock()
            state = self._current(client, now)
            if state is not None and state.locked_until > now:
                return state.locked_until - now
            if state is None:
                state = self._clients[client] = _Client()
            state.failures += 1
            state.last_failure = now
            state.locked_until = now + self.lock_for(state.failures)
            self._forget_quietest()
            return 0.0

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._clients.pop(client, None)

    def clear(self) -> None:
        with self._lock:
            self._clients.clear()

    def _current(self, client: str, now: float) -> _Client | None:
        state = self._clients.get(client)
        if state is not None and now - state.last_failure >= self.forget_after and state.locked_until <= now:
            del self._clients[client]
            return None
        return state

    def _forget_quietest(self) -> None:
        if len(self._clients) > self.max_clients:
            by_quiet = sorted(self._clients, key=lambda c: self._clients[c].last_failure)
            for client in by_quiet[:len(self._clients) - self.max_clients]:
                del self._clients[client]


ATTEMPTS = Attempts()  # the process's: every session and tab of the running app
MAX_CLIENT_KEY = 64


def client_key(ip_address: object, forwarded_for: object) -> str:
    """Whose attempts these are: the connection's IP address (an IPv6 one's /64: a client there may
    take a new address for every try); for a connection from this machine
    (Streamlit gives no address for loopback), the address a reverse proxy here added last to
    X-Forwarded-For (the one before it came from the client and could say anything); else ""
    (one bucket for all)."""
    if isinstance(ip_address, str) and ip_address:
        try:
            address = ipaddress.ip_address(ip_address)
        except ValueError:
            return ip_address[:MAX_CLIENT_KEY]
        if address.version == 6 and address.ipv4_mapped:
            return str(address.ipv4_mapped)
        if address.version == 6:  # one IPv6 client holds a whole /64
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)
    forwarded = forwarded_for if isinstance(forwarded_for, str) else ""
    return forwarded.rsplit(",", 1)[-1].strip()[:MAX_CLIENT_KEY]


Verdict = Literal["ok", "wrong", "locked"]


def check(config: AccessConfig, password: str, client: str, attempts: Attempts = ATTEMPTS) -> tuple[Verdict, float]:
    """One sign-in attempt: ("ok", 0), ("wrong", seconds now locked — 0 while attempts are left),
    or ("locked", seconds to wait) without the password being looked at."""
    assert config.password is not None, "check() is for the password mode"
    waiting = attempts.start(client)
    if waiting > 0:
        return "locked", waiting
    if config.password.matches(password):
        attempts.succeeded(client)
        return "ok", 0.0
    return "wrong", attempts.wait(client)


def whole_seconds(seconds: float) -> int:
    """A wait as said to a person: whole seconds, rounded up (0.2 s is "1 s", never "0 s")."""
    return max(1, math.ceil(seconds - 1e-9))
