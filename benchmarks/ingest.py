"""Benchmark scan ingest: the real app under gunicorn, concurrent phones posting 2 MP photos.

For each database (a fresh SQLite file; a fresh PostgreSQL database with ``--pg URL``) it
registers a mini-district and device tokens, starts gunicorn (2 workers) on loopback, and
runs N = 1, 4, 8, 16 concurrent clients, each posting 1600x1200 JPEGs of a different bag
with a fresh Idempotency-Key, a share of them retried with the same key. It prints scans/s,
latency percentiles, errors and handovers recorded per key (must be exactly 1), next to the
decode-bound ceiling: cores / the scanner's median time per photo, measured in-process.

    python benchmarks/ingest.py                     # SQLite
    python benchmarks/ingest.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.client import HTTPConnection
from pathlib import Path

from PIL import Image, ImageFilter
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import labels  # noqa: E402
import scanners  # noqa: E402
from custody.db import migrate  # noqa: E402
from custody.db.engine import Database  # noqa: E402
from custody.db.schema import Handover, ScanAttempt  # noqa: E402
from custody.domain.model import AssetKind, Category, Role  # noqa: E402
from custody.services import accounts, assets  # noqa: E402
from custody.services.assets import NewAsset  # noqa: E402

HOST = "CUSTODY.NANHU.JIAXING.CN"
KEY = secrets.token_bytes(32)
IDENTITY = labels.IdentityScheme(HOST, {"A": KEY}, "A")
BINS = 4
WARMUP = 4
RETRY_EVERY = 4  # every 4th scan is sent twice with the same key
TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and all its descendants (reaped ones included)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0))[1]
        todo += [child for child, (parent, _) in stats.items() if parent == pid]
    return total / TICK


def label(asset_id: str, kind: str) -> Image.Image:
    """One printed label."""
    data = labels.LabelData(IDENTITY.make_code(asset_id), asset_id, kind,
                            "kitchen", "凤桥村")
    return Image.open(io.BytesIO(labels.png_label(data, dpi=200))).convert("RGB")


@functools.cache
def background() -> Image.Image:
    """The textured ground the labels lie on (made once: noise is slow to draw)."""
    return Image.blend(Image.new("RGB", (1600, 1200), (118, 112, 96)),
                       Image.effect_noise((1600, 1200), 24).convert("RGB"), 0.25)


def phone_photo(bag: str, bin_id: str, seed: int) -> bytes:
    """A 1600x1200 JPEG of a bag's and a bin's labels, composed like tests/custody/photos.py."""
    rng = random.Random(seed)
    photo = background().copy()
    x = 40
    for image in (label(bag, "bag"), label(bin_id, "bin")):
        image = image.rotate(rng.uniform(-8, 8), expand=True, fillcolor=(118, 112, 96))
        photo.paste(image, (x, rng.randint(40, 1200 - image.height - 40)))
        x += image.width + 30 + rng.randint(0, 200)
    out = io.BytesIO()
    photo.filter(ImageFilter.GaussianBlur(0.6)).save(out, "JPEG", quality=85)
    return out.getvalue()


def prepare(url: str, n_bags: int, n_clients: int) -> tuple[list[str], list[str], list[str]]:
    """Migrate, register bins, bags and one collector with a phone per client."""
    db = Database(url)
    migrate.upgrade(db)
    (booth,) = assets.register(db, [NewAsset(AssetKind.BOOTH, name="凤桥村 1号亭",
                                             village="凤桥村", lat=30.7, lon=120.8)])
    bins = assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN, village="凤桥村",
                                         site_id=booth) for _ in range(BINS)])
    bags = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN, village="凤桥村")
                                for _ in range(n_bags)])
    tokens = []
    for i in range(n_clients):
        actor = assets.add_actor(db, f"collector-{i}", Role.COLLECTOR)
        tokens.append(accounts.issue_device_token(db, actor, f"phone {i}")[1])
    db.dispose()
    return bins, bags, tokens


def multipart(photo: bytes) -> tuple[bytes, str]:
    """A deposit scan's multipart body and content type."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\ndeposit\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; "
            f"filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()
    return head + photo + f"\r\n--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def post(conn: HTTPConnection, token: str, key: str, photo: bytes) -> tuple[int, float]:
    """One upload: (status, seconds); status 0 for a connection error."""
    body, ctype = multipart(photo)
    started = time.perf_counter()
    try:
        conn.request("POST", "/api/v1/scans", body=body, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": ctype})
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        conn.close()
        status = 0
    return status, time.perf_counter() - started


def run_level(port: int, tokens: list[str], photos: list[bytes], n: int) -> dict:
    """n clients share the photos; returns timings, statuses and the keys used per photo."""
    results: list[tuple[int, float]] = []
    keys: dict[str, bytes] = {}
    lock = threading.Lock()

    def client(i: int) -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=120)
        for j in range(i, len(photos), n):
            photo, key = photos[j], str(uuid.uuid4())
            sends = 2 if j % RETRY_EVERY == RETRY_EVERY - 1 else 1
            for _ in range(sends):
                outcome = post(conn, tokens[i], key, photo)
                with lock:
                    results.append(outcome)
            with lock:
                keys[key] = photo
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies = sorted(s for _, s in results)
    cut = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"n": n, "scans": len(keys), "retries": len(results) - len(keys), "wall": wall,
            "p50": cut[49], "p95": cut[94], "p99": cut[98], "keys": keys,
            "errors": sum(1 for status, _ in results if status != 201),
            "statuses": sorted({status for status, _ in results})}


def records_per_key(url: str, photos: dict[str, bytes]) -> tuple[int, int]:
    """(min, max) over keys of handovers recorded from the key's photo, attempts counted too."""
    shas = {hashlib.sha256(p).hexdigest() for p in photos.values()}
    db = Database(url)
    with db.read() as session:
        per_sha = dict(session.execute(select(Handover.photo_sha256, func.count())
                                       .group_by(Handover.photo_sha256)).all())
        per_key = dict(session.execute(select(ScanAttempt.idempotency_key, func.count())
                                       .group_by(ScanAttempt.idempotency_key)).all())
    db.dispose()
    counts = [per_sha.get(s, 0) for s in shas] + [per_key.get(k, 0) for k in photos]
    return min(counts), max(counts)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ours(port: int, token: str) -> bool:
    """Whether the server on the port is ours: it knows our first phone's token."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/me",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as r:
        return r.status == 200


def start_gunicorn(url: str, data_dir: Path, threads: int, token: str, decoders: int
                   ) -> tuple[subprocess.Popen, int]:
    """gunicorn with 2 workers on loopback, ready to serve (a new port if one was taken)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CUSTODY_DATA_DIR": str(data_dir), "CUSTODY_DATABASE_URL": url,
           "CUSTODY_CODE_KEYS": f"A:{KEY.hex()}", "CUSTODY_CODE_HOST": HOST,
           "CUSTODY_SECRET_KEY": secrets.token_hex(16), "CUSTODY_SCAN_WORKERS": str(decoders)}
    for _attempt in range(3):
        port = free_port()
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "--threads", str(threads),
             "-b", f"127.0.0.1:{port}", "--timeout", "120", "custody.web:create_app()"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=(data_dir / "gunicorn.log").open("ab"))
        for _ in range(120):
            if proc.poll() is not None:
                break  # it could not bind: someone took the port in between
            try:
                if _ours(port, token):
                    return proc, port
            except OSError:
                time.sleep(0.5)
        proc.kill()
        proc.wait(10)
    raise SystemExit("gunicorn did not start serving in 3 attempts")


def fresh_pg(url: str) -> tuple[str, object]:
    """A new empty database on the server, and a function that drops it."""
    base = make_url(url)
    name = f"custody_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def bench(backend: str, url: str, data_dir: Path, args, photos: list[bytes],
          ceiling: float) -> None:
    """Run every level against one database and print its rows.

    ``cpu ms`` is the server's CPU (gunicorn, its workers and decoders) per new scan, retries
    included; ``cpu cap`` the scans/s that cost allows on idle cores.
    """
    cores = os.cpu_count() or 1
    levels = args.levels
    bins, bags, tokens = prepare(url, len(photos), max(levels))
    proc, port = start_gunicorn(url, data_dir, args.threads, tokens[0],
                                 args.decoders)
    try:
        warm, rest = photos[:WARMUP], photos[WARMUP:]
        run_level(port, tokens, warm, 2)  # start the decoder pools of both workers
        for n in levels:
            count = max(args.min_scans, n * args.per_client)
            batch, rest = rest[:count], rest[count:]
            cpu = tree_cpu(proc.pid)
            row = run_level(port, tokens, batch, n)
            cpu_ms = 1000 * (tree_cpu(proc.pid) - cpu) / row["scans"]
            low, high = records_per_key(url, row["keys"])
            rate = row["scans"] / row["wall"]
            print(f"{backend:<10} {n:>3} {row['scans']:>6} {row['retries']:>7} "
                  f"{row['wall']:>7.1f} {rate:>7.2f} {100 * rate / ceiling:>6.0f}% "
                  f"{1000 * row['p50']:>7.0f} {1000 * row['p95']:>7.0f} "
                  f"{1000 * row['p99']:>7.0f} {row['errors']:>6} "
                  f"{low if low == high else f'{low}-{high}':>8} {cpu_ms:>8.0f} "
                  f"{cores * 1000 / cpu_ms:>8.1f}"
                  + (f"  statuses {row['statuses']}" if row["errors"] else ""), flush=True)
    finally:
        log = (data_dir / "gunicorn.log").read_text(errors="replace").splitlines()
        errors = [line for line in log if "Error" in line or "Traceback" in line]
        if errors:
            print(f"  gunicorn log ({len(errors)} error lines), last: {errors[-3:]}")
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    """Parse arguments, make the photos, measure the ceiling, run each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL server URL; a fresh database is made on it")
    parser.add_argument("--levels", default="1,4,8,16")
    parser.add_argument("--per-client", type=int, default=3)
    parser.add_argument("--min-scans", type=int, default=24)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--decoders", type=int, default=1,
                        help="decoder processes per gunicorn worker (CUSTODY_SCAN_WORKERS)")
    args = parser.parse_args()
    args.levels = [int(n) for n in args.levels.split(",")]
    total = WARMUP + sum(max(args.min_scans, n * args.per_client) for n in args.levels)
    # A fresh database numbers bins N00000001.. and bags B00000001.. the same way every time.
    bins = [f"N{i:08d}" for i in range(1, BINS + 1)]
    started = time.perf_counter()
    photos = [phone_photo(f"B{i:08d}", bins[i % BINS], seed=i) for i in range(1, total + 1)]
    print(f"made {total} photos of 1600x1200 in {time.perf_counter() - started:.0f} s")
    sample = photos[:20]
    timings = []
    for photo in sample:
        t = time.perf_counter()
        assert scanners.decode(photo), "a benchmark photo did not decode"
        timings.append(time.perf_counter() - t)
    cores = os.cpu_count() or 1
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {cores} cores "
          "(other work on the machine lowers every rate below)")
    median = statistics.median(timings)
    ceiling = cores / median
    print(f"decode: median {1000 * median:.0f} ms/photo in-process; ceiling = {cores} cores / "
          f"median = {ceiling:.1f} scans/s; goal >= 70% = {0.7 * ceiling:.1f} scans/s")
    print(f"{'database':<10} {'N':>3} {'scans':>6} {'retries':>7} {'wall s':>7} {'scans/s':>7} "
          f"{'ceil':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
          f"{'rec/key':>8} {'cpu ms':>8} {'cpu cap':>8}")
    with tempfile.TemporaryDirectory(prefix="custody-ingest-") as tmp:
        sqlite_dir = Path(tmp) / "sqlite"
        bench("sqlite", f"sqlite:///{sqlite_dir / 'custody.sqlite'}", sqlite_dir, args,
              photos, ceiling)
        if args.pg:
            url, drop = fresh_pg(args.pg)
            try:
                bench("postgresql", url, Path(tmp) / "pg", args, photos, ceiling)
            finally:
                drop()


if __name__ == "__main__":
    main()
