"""Settings, read from the environment (``CUSTODY_*``) with overrides for tests.

Secrets (the label HMAC keys, the checkpoint signing key, the session secret
key) are never in the code: they come from the environment or from files
``custody init`` writes in the data folder, which is not under version control.

Every path (the data folder and the photos, labels and keys in it, the key
files, a SQLite database) is resolved against the working directory once, when
the settings are made at start-up: the README runs Custody from the repository
root with the relative ``data``, and a relative path handed on as it is would
later be resolved against whatever the library using it prefers (Flask's
``send_file`` takes the package folder).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.engine import make_url

from custody.db.engine import sqlite_url
from custody.domain.assessment import DEFAULT_WEIGHTS, check_weights

DEFAULT_HOST = "CUSTODY.NANHU.JIAXING.CN"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults of a local install."""

    data_dir: Path = Path("data")
    database_url: str = ""
    code_host: str = DEFAULT_HOST
    code_keys: Mapping[str, bytes] = field(default_factory=dict)
    code_key_id: str = "A"
    checkpoint_key_file: Path | None = None
    checkpoint_public_key_file: Path | None = None  # the verifier key served at /ledger/key
    max_speed_kmh: float = 120.0
    mass_balance_tolerance: float = 0.1
    tiles_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tiles_attribution: str = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    # The tiles' coordinate system: wgs84 / cgcs2000 as stored, gcj02 shifted for display.
    tiles_crs: str = "wgs84"
    tiles_subdomains: str = "abc"
    map_min_households: int = 10  # booths serving fewer are merged into their village
    scan_workers: int = 2  # decoder processes per web worker (about 100 MB each)
    scan_timeout_s: float = 20.0
    secret_key: str = field(default="", repr=False)
    ratelimit_storage_uri: str = "redis://127.0.0.1:6379/0"  # failed sign-in/token counters
    proxy_hops: int = 0  # proxies in front that set X-Forwarded-For (nginx: 1)
    # The assessment's village composite: a weight per KPI (custody.domain.assessment.KPIS),
    # relative (they need not add up to 100); a KPI left out or weighted 0 does not count.
    # CUSTODY_ASSESSMENT_WEIGHTS="booth_signin=25,room_signin=15,work_rate=15,inspection=10,
    # sorting=20,household=15" (the default).
    assessment_weights: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @property
    def ledger_origin(self) -> str:
        """The ledger's name in its checkpoints and verifier key."""
        return f"{self.code_host.lower()}/ledger"

    def __post_init__(self) -> None:
        if self.tiles_crs not in ("wgs84", "cgcs2000", "gcj02"):
            raise ValueError(f"CUSTODY_TILES_CRS must be wgs84, cgcs2000 or gcj02, "
                             f"not {self.tiles_crs!r}")
        data_dir = absolute(self.data_dir)
        object.__setattr__(self, "data_dir", data_dir)
        object.__setattr__(self, "assessment_weights", check_weights(self.assessment_weights))
        object.__setattr__(self, "database_url", absolute_sqlite_url(self.database_url)
                           if self.database_url else sqlite_url(data_dir))
        object.__setattr__(self, "checkpoint_key_file", absolute(
            self.checkpoint_key_file or data_dir / "checkpoint-ed25519.pem"))
        object.__setattr__(self, "checkpoint_public_key_file", absolute(
            self.checkpoint_public_key_file or data_dir / "checkpoint.vkey"))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Settings from ``CUSTODY_*`` variables (and ``DATABASE_URL``), then overrides."""
        env = os.environ if env is None else env
        values: dict = {}
        if "CUSTODY_DATA_DIR" in env:
            values["data_dir"] = Path(env["CUSTODY_DATA_DIR"])
        url = env.get("CUSTODY_DATABASE_URL") or env.get("DATABASE_URL")
        if url:
            values["database_url"] = url
        if "CUSTODY_CODE_HOST" in env:
            values["code_host"] = env["CUSTODY_CODE_HOST"].upper()
        if "CUSTODY_CODE_KEYS" in env:
            values["code_keys"] = parse_keys(env["CUSTODY_CODE_KEYS"])
        if "CUSTODY_CODE_KEY_ID" in env:
            values["code_key_id"] = env["CUSTODY_CODE_KEY_ID"]
        if "CUSTODY_CHECKPOINT_KEY_FILE" in env:
            values["checkpoint_key_file"] = Path(env["CUSTODY_CHECKPOINT_KEY_FILE"])
        if "CUSTODY_CHECKPOINT_PUBLIC_KEY_FILE" in env:
            values["checkpoint_public_key_file"] = Path(env["CUSTODY_CHECKPOINT_PUBLIC_KEY_FILE"])
        if env.get("CUSTODY_TILES"):
            values.update(tile_preset(env["CUSTODY_TILES"], env.get("CUSTODY_TILES_KEY", "")))
        if "CUSTODY_TILES_URL" in env:
            values["tiles_url"] = env["CUSTODY_TILES_URL"]
            values["tiles_attribution"] = env.get("CUSTODY_TILES_ATTRIBUTION", "")
            values["tiles_crs"] = env.get("CUSTODY_TILES_CRS", "wgs84")
            values["tiles_subdomains"] = env.get("CUSTODY_TILES_SUBDOMAINS", "abc")
        if "CUSTODY_MAP_MIN_HOUSEHOLDS" in env:
            values["map_min_households"] = int(env["CUSTODY_MAP_MIN_HOUSEHOLDS"])
        if "CUSTODY_SCAN_WORKERS" in env:
            values["scan_workers"] = int(env["CUSTODY_SCAN_WORKERS"])
        if "CUSTODY_SCAN_TIMEOUT_S" in env:
            values["scan_timeout_s"] = float(env["CUSTODY_SCAN_TIMEOUT_S"])
        if "CUSTODY_MAX_SPEED_KMH" in env:
            values["max_speed_kmh"] = float(env["CUSTODY_MAX_SPEED_KMH"])
        if "CUSTODY_MASS_BALANCE_TOLERANCE" in env:
            values["mass_balance_tolerance"] = float(env["CUSTODY_MASS_BALANCE_TOLERANCE"])
        if "CUSTODY_ASSESSMENT_WEIGHTS" in env:
            values["assessment_weights"] = parse_weights(env["CUSTODY_ASSESSMENT_WEIGHTS"])
        if "CUSTODY_RATELIMIT_STORAGE_URI" in env:
            values["ratelimit_storage_uri"] = env["CUSTODY_RATELIMIT_STORAGE_URI"]
        if "CUSTODY_PROXY_HOPS" in env:
            values["proxy_hops"] = int(env["CUSTODY_PROXY_HOPS"])
        if env.get("CUSTODY_SECRET_KEY"):
            values["secret_key"] = env["CUSTODY_SECRET_KEY"]
        values.update(overrides)
        settings = cls(**values)
        if not settings.code_keys:
            settings = replace(settings, code_keys=load_or_create_code_keys(settings.data_dir))
        if not settings.secret_key:
            settings = replace(settings, secret_key=load_or_create_secret_key(settings.data_dir))
        return settings


def parse_weights(text: str) -> dict[str, float]:
    """``kpi=weight,kpi=weight`` as a dict (checked by Settings)."""
    found = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"CUSTODY_ASSESSMENT_WEIGHTS: {part!r} is not kpi=weight")
        found[name.strip()] = float(value)
    return found


def tile_preset(name: str, key: str = "") -> dict[str, str]:
    """The settings of a known tile provider (``osm``, ``tianditu`` with its key, ``amap``)."""
    import maps  # the library owns the list of providers

    provider = maps.TILE_PROVIDERS.get(name)
    if provider is None:
        raise ValueError(f"unknown tile provider {name!r}: one of {', '.join(maps.TILE_PROVIDERS)}")
    if "{key}" in provider.url and not key:
        raise ValueError(f"tile provider {name!r} needs CUSTODY_TILES_KEY")
    return {"tiles_url": provider.url.replace("{key}", key), "tiles_attribution":
            provider.attribution, "tiles_crs": provider.crs,
            "tiles_subdomains": provider.subdomains}


def absolute(path: Path | str) -> Path:
    """A path from configuration, resolved against the working directory (``~`` expanded)."""
    return Path(path).expanduser().resolve()


def absolute_sqlite_url(url: str) -> str:
    """A SQLite URL with its file resolved against the working directory; others as given."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: the engine will say so
        return url
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:" \
            or name.startswith("file:") or Path(name).is_absolute():
        return url
    return parsed.set(database=str(absolute(name))).render_as_string(hide_password=False)


def parse_keys(text: str) -> dict[str, bytes]:
    """Parse ``A:hex,B:hex`` into key id -> secret."""
    keys = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key_id, _, hex_secret = part.partition(":")
        secret = bytes.fromhex(hex_secret)
        if len(key_id) != 1 or not key_id.isupper() or len(secret) < 16:
            raise ValueError(f"bad code key {key_id!r}: one upper-case letter and >= 16 bytes")
        keys[key_id] = secret
    return keys


def load_or_create_code_keys(data_dir: Path) -> dict[str, bytes]:
    """The label HMAC keys kept in the data folder, made on first use."""
    path = Path(data_dir) / "code-keys.json"
    if path.exists():
        return {k: bytes.fromhex(v) for k, v in json.loads(path.read_text()).items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {"A": secrets.token_bytes(32)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({k: v.hex() for k, v in keys.items()}, fh)
    return keys


def load_or_create_secret_key(data_dir: Path) -> str:
    """The key signing browser sessions, kept in the data folder, made on first use."""
    path = Path(data_dir) / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked in: a concurrent reader never sees a half-written key.
        tmp = path.with_name(f".secret-key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first; use theirs
        finally:
            tmp.unlink()
    return path.read_text().strip()
