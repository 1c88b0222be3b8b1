"""The web worker's share of a scan, measured without the noise of a shared virtual machine.

``benchmarks/ingest.py`` measures the whole server, but on this 2-core virtual machine the
same code reads 20-30 % apart from one minute to the next, which hides any change to the
web path smaller than that. This script runs only the web path: the Flask app, called in
process through WSGI on one thread, with a real database and photo folder, and with the
decoder replaced by the answers the real scanner gave for each photo beforehand (so no
decoding and no decoder processes). It prints the CPU milliseconds per scan (and those of
the PostgreSQL backends serving it), and with
``--callgrind`` the instructions per scan counted by valgrind, which repeat exactly.

    python benchmarks/scan_path.py                 # CPU ms per scan, SQLite
    python benchmarks/scan_path.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/scan_path.py --callgrind     # instructions per scan (about 3 minutes)

Under valgrind the photo's SHA-256 takes OpenSSL's generic code (valgrind's CPU has no SHA
extensions): about 7.4 million of the instructions per scan, 0.17 ms on the real CPU.
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import drop_database, fresh_database  # noqa: E402
from ingest import HOST, KEY, _photo, db_cpu, prepare, scan_request  # noqa: E402

import scanners  # noqa: E402
from custody.web import create_app  # noqa: E402

WARMUP = 10


class Answers:
    """A scanner that gives, for each photo, what the real scanner read from it beforehand."""

    def __init__(self, photos: list[bytes]):
        self.found = {self._key(p): scanners.read_photo(p) for p in photos}
        if len(self.found) != len(photos):
            raise ValueError("two photos share a key: sample them more finely")

    @staticmethod
    def _key(photo: bytes) -> bytes:
        """A few hundred bytes sampled across the file: hashing it whole would cost more
        than some of what is measured."""
        return bytes(photo[::997])

    def read(self, photo: bytes) -> scanners.PhotoContents:
        """The real scanner's answer for this photo."""
        return self.found[self._key(photo)]


def environ(raw: bytes) -> dict:
    """A WSGI environ for one request as sent on the wire."""
    head, _, body = raw.partition(b"\r\n\r\n")
    request_line, *lines = head.decode().split("\r\n")
    method, path, _ = request_line.split(" ")
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
           "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
           "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
           "REMOTE_ADDR": "127.0.0.1"}
    for line in lines:
        name, value = line.split(": ", 1)
        name = name.upper().replace("-", "_")
        env[name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"] = value
    return env


def run(scans: int, pg: str | None, photos: list[bytes], answers: Answers,
        key: bytes = KEY) -> tuple[float, float]:
    """Post WARMUP + ``scans`` deposits; CPU seconds per measured scan: (app, PostgreSQL)."""
    total = WARMUP + scans
    photos = photos[:total]
    backend = "postgresql" if pg else "sqlite"
    name = f"scan_path_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="custody-scan-path-") as tmp:
        db = fresh_database(backend, pg, Path(tmp), name)
        try:
            tokens = prepare(db, total, 4)
            os.environ.update({
                "CUSTODY_DATA_DIR": str(Path(tmp) / "data"),
                "CUSTODY_DATABASE_URL": db.url.render_as_string(hide_password=False),
                "CUSTODY_CODE_KEYS": f"A:{key.hex()}", "CUSTODY_CODE_HOST": HOST,
                "CUSTODY_SECRET_KEY": "x" * 32})
            app = create_app({"SCANNER": answers})
            requests = [environ(scan_request(80, tokens[i % 4], str(uuid.uuid4()), photo))
                        for i, photo in enumerate(photos)]
            statuses: list[str] = []

            def post(env: dict) -> None:
                b"".join(app(env, lambda status, headers, exc=None: statuses.append(status)))

            for env in requests[:WARMUP]:
                post(env)
            backends, started = db_cpu(db) if pg else {}, time.process_time()
            for env in requests[WARMUP:]:
                post(env)
            per_scan = (time.process_time() - started) / scans
            after = db_cpu(db) if pg else {}
            db_per_scan = sum(cpu - backends.get(pid, 0.0) for pid, cpu in after.items()) / scans
        finally:
            db.dispose()
            if pg:
                drop_database(pg, name)
    if set(statuses) != {"201 CREATED"}:
        raise SystemExit(f"not every scan was recorded: {sorted(set(statuses))}")
    return per_scan, db_per_scan


def callgrind(low: int, high: int, pg: str | None) -> None:
    """Instructions per scan: valgrind runs of ``low`` and ``high`` scans, the difference."""
    photos = [_photo(i) for i in range(1, WARMUP + high + 1)]
    answers = Answers(photos)
    counts = {}
    with tempfile.TemporaryDirectory(prefix="custody-callgrind-") as tmp:
        answers_file = Path(tmp) / "answers.pickle"
        answers_file.write_bytes(pickle.dumps((photos, answers, KEY)))
        for n in (low, high):
            cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out.{n}",
                   sys.executable, __file__, "--scans", str(n), "--answers", str(answers_file)]
            cmd += ["--pg", pg] if pg else []
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"the run under valgrind failed:\n{done.stderr[-3000:]}")
            counts[n] = int(re.search(r"Collected : (\d+)", done.stderr).group(1))
    per_scan = (counts[high] - counts[low]) / (high - low)
    print(f"{'database':<11} {'scans':>9} {'instructions per scan':>22}")
    print(f"{'postgresql' if pg else 'sqlite':<11} {f'{low}->{high}':>9} "
          f"{per_scan / 1e6:>20.2f} M")


def main() -> None:
    """Parse arguments and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL server URL; a fresh database is made on it")
    parser.add_argument("--scans", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--callgrind", action="store_true",
                        help="count instructions per scan with valgrind instead")
    parser.add_argument("--answers", help=argparse.SUPPRESS)  # photos and answers, pickled
    parser.add_argument("--low", type=int, default=10, help=argparse.SUPPRESS)
    parser.add_argument("--high", type=int, default=60, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.callgrind:
        callgrind(args.low, args.high, args.pg)
    elif args.answers:  # under valgrind: photos and answers made by the parent, with its key
        photos, answers, key = pickle.loads(Path(args.answers).read_bytes())
        run(args.scans, args.pg, photos, answers, key)
    else:
        photos = [_photo(i) for i in range(1, WARMUP + args.scans + 1)]
        answers = Answers(photos)
        results = [run(args.scans, args.pg, photos, answers) for _ in range(args.repeat)]
        app = [1000 * r[0] for r in results]
        print(f"{'database':<11} {'scans':>6} {'app CPU ms per scan, each run':>31} {'best':>6}"
              + (f"  {'PostgreSQL CPU ms per scan':>27}" if args.pg else ""))
        print(f"{'postgresql' if args.pg else 'sqlite':<11} {args.scans:>6} "
              f"{', '.join(f'{r:.2f}' for r in app):>31} {min(app):>6.2f}"
              + (f"  {', '.join(f'{1000 * r[1]:.2f}' for r in results):>27}" if args.pg else ""))


if __name__ == "__main__":
    main()
