"""Benchmark scan ingest: the real app under gunicorn, concurrent phones posting 2 MP photos.

For each database (a fresh SQLite file; a fresh PostgreSQL database with ``--pg URL``) it
registers a mini-district and device tokens, starts gunicorn (2 workers) on loopback, and
runs N = 1, 4, 8, 16 concurrent clients, each posting 1600x1200 JPEGs of a different bag
with a fresh Idempotency-Key, a share of them retried with the same key. It prints scans/s,
latency percentiles, errors and handovers recorded per key (must be exactly 1), next to the
decode-bound ceiling: cores / the scanner's median CPU time per photo, measured in-process,
and the CPU each scan cost the web workers, the decoders, PostgreSQL and the clients
themselves (the clients share the cores, so they are kept as cheap as possible).

Two ceilings, because this virtual machine's speed drifts by up to a fifth within a
minute: "level" divides by the median measured just before and just after that level
(the mean of the two), "run" by the fastest median of the whole run (before it and after
each database), the strictest figure.

It also runs as many processes as there are cores doing nothing but decode, one photo
after another: what the cores really give when no server runs at all (the ceiling assumes
they decode together as fast as one does alone).

With ``--floor`` it first runs the same clients against ``floor_app.py``, a bare WSGI
app under the same gunicorn that only reads the upload, decodes it in the same isolated
decoder pool and stores the photo: no Flask, no accounts, no database. Its rate is the
most any app built this way can reach on this machine, so the gap between its rows and
the real app's is what the app itself costs.

    python benchmarks/ingest.py                     # SQLite
    python benchmarks/ingest.py --floor --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import multiprocessing
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
from pathlib import Path

import cv2
from PIL import Image, ImageFilter
from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import drop_database, fresh_database  # noqa: E402

import labels  # noqa: E402
import scanners  # noqa: E402
from custody.db.engine import Database  # noqa: E402
from custody.db.schema import Handover, ScanAttempt  # noqa: E402
from custody.domain.model import AssetKind, Category, Role  # noqa: E402
from custody.services import assets, devices  # noqa: E402
from custody.services.assets import NewAsset  # noqa: E402

HOST = "CUSTODY.NANHU.JIAXING.CN"
KEY = secrets.token_bytes(32)
IDENTITY = labels.IdentityScheme(HOST, {"A": KEY}, "A")
BINS = 4
WARMUP = 16  # photos kept for warming up: at most 4 rounds of 4
RETRY_EVERY = 4  # every 4th scan is sent twice with the same key
CEILING_PHOTOS = 40  # the photos whose median decode sets the ceiling
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> tuple[int, float, str] | None:
    """(parent pid, CPU seconds with reaped children, command line) of a process, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return int(fields[1]), sum(int(f) for f in fields[11:15]) / TICK, cmdline.decode(
        errors="replace")


def server_cpu(root: int) -> dict[str, float]:
    """CPU seconds so far of gunicorn and its workers ("web") and of the decoders ("decode").

    Decoders are the forkserver processes each worker starts and their children.
    """
    stats = {int(e.name): found for e in Path("/proc").iterdir()
             if e.name.isdigit() and (found := _stat(e.name))}
    totals = {"web": 0.0, "decode": 0.0, "decoders": 0}
    todo = [(root, "web", False)]
    while todo:
        pid, role, forked = todo.pop()
        _, cpu, cmdline = stats.get(pid, (0, 0.0, ""))
        role = "decode" if "multiprocessing" in cmdline else role
        totals[role] += cpu
        totals["decoders"] += forked  # a child of a forkserver is a decoder process
        todo += [(child, role, "forkserver" in cmdline)
                 for child, (parent, _, _) in stats.items() if parent == pid]
    return totals


def db_cpu(db: Database | None) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the benchmark's database."""
    if db is None or db.is_sqlite:
        return {}  # in process: counted in the workers' CPU
    with db.engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = "
                                 "current_database() AND pid <> pg_backend_pid()")).scalars()
        return {pid: found[1] for pid in pids if (found := _stat(pid))}


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


def prepare(db: Database, n_bags: int, n_clients: int) -> list[str]:
    """Register bins, bags and one collector with a phone per client; the phones' tokens."""
    (booth,) = assets.register(db, [NewAsset(AssetKind.BOOTH, name="凤桥村 1号亭",
                                             village="凤桥村", lat=30.7, lon=120.8)])
    assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN, village="凤桥村",
                                  site_id=booth) for _ in range(BINS)])
    assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN, village="凤桥村")
                         for _ in range(n_bags)])
    tokens = []
    for i in range(n_clients):
        actor = assets.add_actor(db, f"collector-{i}", Role.COLLECTOR)
        tokens.append(devices.issue_device_token(db, actor, f"phone {i}")[1])
    return tokens


def scan_request(port: int, token: str, key: str, photo: bytes) -> bytes:
    """A deposit scan exactly as sent on the wire: request line, headers, multipart body."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\n"
            f"deposit\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; "
            f"filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() \
        + photo + f"\r\n--{boundary}--\r\n".encode()
    head = (f"POST /api/v1/scans HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nIdempotency-Key: {key}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


class Phone:
    """One client's keep-alive connection, speaking just enough HTTP/1.1 to post and read.

    The load comes from the same cores as the server, so the client is kept as
    cheap as it can be: requests are built beforehand, and a response is read
    with a few recv calls and no header parser.
    """

    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def post(self, request: bytes) -> int:
        """Send one prebuilt request; the response's status, or 0 if the connection failed."""
        try:
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=120)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock.sendall(request)
            return self._response()
        except OSError:
            self.close()
            return 0

    def _response(self) -> int:
        """Read one response (status line, headers, Content-Length bytes of body)."""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *headers = head.lower().split(b"\r\n")
        fields = dict(h.split(b":", 1) for h in headers)
        if b"content-length" not in fields:
            raise ConnectionError("response without Content-Length")
        length = int(fields[b"content-length"])
        while len(self.buffer) < length:
            self._fill()
        self.buffer = self.buffer[length:]
        if fields.get(b"connection", b"").strip() == b"close":
            self.close()
        return int(status_line.split()[1])

    def _fill(self) -> None:
        """Receive more of the response."""
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        """Drop the connection (the next post opens a new one)."""
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""


def run_level(port: int, tokens: list[str], photos: list[bytes], n: int) -> dict:
    """n clients share the photos; returns timings, statuses, client CPU and the keys used."""
    results: list[tuple[int, float]] = []
    keys: dict[str, bytes] = {}
    work: list[list[tuple[bytes, int]]] = [[] for _ in range(n)]
    for j, photo in enumerate(photos):
        key = str(uuid.uuid4())
        keys[key] = photo
        sends = 2 if j % RETRY_EVERY == RETRY_EVERY - 1 else 1
        work[j % n].append((scan_request(port, tokens[j % n], key, photo), sends))
    lock = threading.Lock()

    def client(i: int) -> None:
        phone, mine = Phone(port), []
        for request, sends in work[i]:
            for _ in range(sends):
                started = time.perf_counter()
                status = phone.post(request)
                mine.append((status, time.perf_counter() - started))
        phone.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    cpu, started = time.process_time(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    latencies = sorted(s for _, s in results)
    cut = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"n": n, "scans": len(keys), "retries": len(results) - len(keys), "wall": wall,
            "p50": cut[49], "p95": cut[94], "p99": cut[98], "keys": keys, "client_cpu": cpu,
            "errors": sum(1 for status, _ in results if status != 201),
            "statuses": sorted({status for status, _ in results})}


def records_per_key(db: Database | None, photos: dict[str, bytes]) -> tuple[int, int] | None:
    """(min, max) over keys of handovers recorded from the key's photo, attempts counted too.

    None for the floor app, which records nothing.
    """
    if db is None:
        return None
    shas = {hashlib.sha256(p).hexdigest() for p in photos.values()}
    with db.read() as session:
        per_sha = dict(session.execute(select(Handover.photo_sha256, func.count())
                                       .group_by(Handover.photo_sha256)).all())
        per_key = dict(session.execute(select(ScanAttempt.idempotency_key, func.count())
                                       .group_by(ScanAttempt.idempotency_key)).all())
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


APP = "custody.web:create_app()"
FLOOR_APP = "floor_app:app"  # benchmarks/floor_app.py


def _pythonpath(app: str) -> list[str]:
    """The floor app is found in this folder; the real app must not see it (labels.py here)."""
    return ["--pythonpath", str(Path(__file__).resolve().parent)] if app == FLOOR_APP else []


def start_gunicorn(url: str, data_dir: Path, threads: int, token: str, decoders: int,
                   app: str = APP) -> tuple[subprocess.Popen, int]:
    """gunicorn with 2 workers on loopback, ready to serve (a new port if one was taken)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CUSTODY_DATA_DIR": str(data_dir), "CUSTODY_DATABASE_URL": url,
           "CUSTODY_CODE_KEYS": f"A:{KEY.hex()}", "CUSTODY_CODE_HOST": HOST,
           "CUSTODY_SECRET_KEY": secrets.token_hex(16), "CUSTODY_SCAN_WORKERS": str(decoders)}
    for _attempt in range(3):
        port = free_port()
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "--threads", str(threads),
             "-b", f"127.0.0.1:{port}", "--timeout", "120", *_pythonpath(app), app],
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


def bench(backend: str, db: Database | None, data_dir: Path, args, photos: list[bytes]
          ) -> list:
    """Run every level against one database (None: the floor app); its rows for ``print_rows``.

    The CPU columns are milliseconds per new scan (retries included) of the
    gunicorn master and workers (``web``), of their decoder processes
    (``decode``), of the PostgreSQL backends serving the database (``db``) and
    of the load-generating clients (``client``); ``cap`` is the scans/s that
    their sum allows on idle cores.
    """
    levels = args.levels
    results: list = []
    if db is None:
        tokens, url, app = ["floor"] * max(levels), "sqlite://", FLOOR_APP
    else:
        tokens, url, app = (prepare(db, len(photos), max(levels)),
                            db.url.render_as_string(hide_password=False), APP)
    proc, port = start_gunicorn(url, data_dir, args.threads, tokens[0], args.decoders, app)
    try:
        warm, rest = photos[:WARMUP], photos[WARMUP:]
        # Each worker starts its decoder processes on its first scan (a second of CPU):
        # warm up until both have them, or that start-up would count as a level's CPU.
        while warm and server_cpu(proc.pid)["decoders"] < 2 * args.decoders:
            run_level(port, tokens, warm[:4], 4)
            warm = warm[4:]
        before_median = decode_median(photos[:CEILING_PHOTOS])[0]
        for n in levels:
            count = max(args.min_scans, n * args.per_client)
            batch, rest = rest[:count], rest[count:]
            server, backends = server_cpu(proc.pid), db_cpu(db)
            row = run_level(port, tokens, batch, n)
            after, backends_after = server_cpu(proc.pid), db_cpu(db)
            after_median = decode_median(photos[:CEILING_PHOTOS])[0]  # and the next's before
            row["decode_median"] = statistics.mean([before_median, after_median])
            before_median = after_median
            per_scan = {role: 1000 * (after[role] - server[role]) / row["scans"]
                        for role in ("web", "decode")}
            per_scan["db"] = 1000 * sum(cpu - backends.get(pid, 0.0)
                                        for pid, cpu in backends_after.items()) / row["scans"]
            per_scan["client"] = 1000 * row["client_cpu"] / row["scans"]
            results.append((backend, n, row, per_scan, records_per_key(db, row["keys"]),
                            db is None or db.is_sqlite))
            print(f"  {backend} N={n}: {row['scans'] / row['wall']:.1f} scans/s", flush=True)
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
    return results


def print_rows(results: list, ceiling: float) -> None:
    """The table: one row per database and level."""
    cores = os.cpu_count() or 1
    print(f"{'':<47}{'% of ceiling':^15}{'latency':^24} {'':<15} {'CPU ms per scan':^27}")
    print(f"{'database':<10} {'N':>3} {'scans':>6} {'retries':>7} {'wall s':>7} {'scans/s':>7} "
          f"{'level':>7} {'run':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
          f"{'rec/key':>8} {'web':>6} {'decode':>6} {'db':>6} {'client':>6} {'cap/s':>6}")
    for backend, n, row, per_scan, records, no_db_cpu in results:
        rate = row["scans"] / row["wall"]
        db_ms = "-" if no_db_cpu else f"{per_scan['db']:.1f}"
        low, high = records or ("-", "-")
        print(f"{backend:<10} {n:>3} {row['scans']:>6} {row['retries']:>7} "
              f"{row['wall']:>7.1f} {rate:>7.2f} "
              f"{100 * rate * row['decode_median'] / cores:>6.0f}% {100 * rate / ceiling:>6.0f}% "
              f"{1000 * row['p50']:>7.0f} {1000 * row['p95']:>7.0f} "
              f"{1000 * row['p99']:>7.0f} {row['errors']:>6} "
              f"{low if low == high else f'{low}-{high}':>8} {per_scan['web']:>6.1f} "
              f"{per_scan['decode']:>6.1f} {db_ms:>6} {per_scan['client']:>6.1f} "
              f"{cores * 1000 / sum(per_scan.values()):>6.1f}"
              + (f"  statuses {row['statuses']}" if row["errors"] else ""))


def _as_in_a_decoder() -> None:
    """Decode in this process as a decoder process does: its allocator settings, one thread."""
    from scanners._isolation import _reuse_freed_memory

    _reuse_freed_memory()
    cv2.setNumThreads(1)


def decode_median(photos: list[bytes]) -> tuple[float, float]:
    """Median CPU and wall seconds of one decode on one thread, as in a decoder process.

    With the decoder processes' allocator settings too: with glibc's defaults each
    photo's buffers are mapped afresh, which adds up to 3 ms of page faults a photo
    and would lower the ceiling below what the decoders really do.
    """
    _as_in_a_decoder()
    wall, cpu = [], []
    for photo in photos:
        t, c = time.perf_counter(), time.thread_time()
        assert scanners.decode(photo), "a benchmark photo did not decode"
        cpu.append(time.thread_time() - c)
        wall.append(time.perf_counter() - t)
    return statistics.median(cpu), statistics.median(wall)


def _decode_all(photos: list[bytes], barrier, times) -> None:
    """One of ``parallel_decode_rate``'s processes: decode every photo once, note when."""
    _as_in_a_decoder()
    scanners.decode(photos[0])  # warm: engines loaded, buffers allocated
    barrier.wait()
    started = time.perf_counter()
    for photo in photos:
        scanners.decode(photo)
    times.put((started, time.perf_counter()))


def parallel_decode_rate(photos: list[bytes], processes: int) -> float:
    """Photos/s of ``processes`` processes doing nothing but decode, one photo after another.

    The ceiling assumes the cores decode as fast together as one does alone, with
    nothing else running; this is what they really give, with no server at all.
    """
    ctx = multiprocessing.get_context("fork")
    barrier, times = ctx.Barrier(processes), ctx.Queue()
    workers = [ctx.Process(target=_decode_all, args=(photos, barrier, times))
               for _ in range(processes)]
    for w in workers:
        w.start()
    spans = [times.get() for _ in workers]
    for w in workers:
        w.join()
    return processes * len(photos) / (max(e for _, e in spans) - min(s for s, _ in spans))


def _photo(i: int) -> bytes:
    """The i-th benchmark photo: bag i (numbered as a fresh database numbers them) in a bin."""
    return phone_photo(f"B{i:08d}", f"N{i % BINS + 1:08d}", seed=i)


def main() -> None:
    """Parse arguments, make the photos, measure the ceiling, run each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL server URL; a fresh database is made on it")
    parser.add_argument("--levels", default="1,4,8,16")
    parser.add_argument("--per-client", type=int, default=4)
    parser.add_argument("--min-scans", type=int, default=60)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--decoders", type=int, default=2,
                        help="decoder processes per gunicorn worker (CUSTODY_SCAN_WORKERS)")
    parser.add_argument("--floor", action="store_true",
                        help="first run the bare floor app (benchmarks/floor_app.py)")
    args = parser.parse_args()
    args.levels = [int(n) for n in args.levels.split(",")]
    total = WARMUP + sum(max(args.min_scans, n * args.per_client) for n in args.levels)
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool() as pool:
        photos = pool.map(_photo, range(1, total + 1))
    print(f"made {total} photos of 1600x1200 in {time.perf_counter() - started:.0f} s")
    # The ceiling is set by the CPU a decode takes, on one thread as in a decoder process:
    # wall time would count whatever else the shared machine was running at that moment.
    # The speed of this virtual machine drifts by up to a fifth over minutes, so the
    # median is taken before the run and after each database, and the fastest of them
    # (the highest, strictest ceiling) is the one every row is measured against.
    cores = os.cpu_count() or 1
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {cores} cores "
          "(other work on the machine lowers every rate below)")
    medians = [decode_median(photos[:CEILING_PHOTOS])]
    results: list = []
    name = f"ingest_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="custody-ingest-") as tmp:
        if args.floor:
            results += bench("floor", None, Path(tmp) / "floor", args, photos)
            medians.append(decode_median(photos[:CEILING_PHOTOS]))
        for backend in ["sqlite"] + (["postgresql"] if args.pg else []):
            db = fresh_database(backend, args.pg, Path(tmp), name)
            try:
                results += bench(backend, db, Path(tmp) / backend, args, photos)
            finally:
                db.dispose()
                if backend == "postgresql":
                    drop_database(args.pg, name)
            medians.append(decode_median(photos[:CEILING_PHOTOS]))
    median, wall = min(medians)
    ceiling = cores / median
    now_median = decode_median(photos[:CEILING_PHOTOS])[0]
    decode_only = parallel_decode_rate(photos[:2 * CEILING_PHOTOS], cores)
    print(f"decode: median {1000 * median:.1f} ms CPU/photo in-process ({1000 * wall:.1f} ms "
          f"wall; medians measured: {', '.join(f'{1000 * m:.1f}' for m, _ in medians)} ms); "
          f"ceiling = {cores} cores / median = {ceiling:.1f} scans/s; "
          f"goal >= 70% = {0.7 * ceiling:.1f} scans/s. "
          "Each level is also set against the median measured around it ('level').")
    print(f"decode only: {cores} processes decoding one photo after another, with no server, "
          f"give {decode_only:.1f} photos/s: {100 * decode_only / ceiling:.0f}% of that ceiling, "
          f"{100 * decode_only * now_median / cores:.0f}% of the one set by the median measured "
          f"just before ({1000 * now_median:.1f} ms).")
    print_rows(results, ceiling)


if __name__ == "__main__":
    main()
