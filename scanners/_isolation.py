"""Isolated decoding: worker processes that may crash, hang or bloat without harm.

Decoder libraries are C/C++ and some inputs crash them (pyzbar #83, #158;
OpenCV #22892, #13498). ``IsolatedScanner`` decodes in a small pool of reused
worker processes, each under an address-space limit (RLIMIT_AS). A worker that
dies becomes ``DecoderCrashed`` and one that overruns its time is killed and
becomes ``DecodeTimeout``; either way it is replaced and only that photo fails.
Workers come from a forkserver, so a threaded web process is never forked.
"""

from __future__ import annotations

import ctypes
import dataclasses
import logging
import multiprocessing
import pickle
import queue
import resource
import threading
from collections.abc import Sequence

import cv2
import numpy as np

from ._decode import PhotoContents, decode, read_photo
from ._engines import Decoded, Engine
from ._exceptions import DecoderCrashed, DecodeTimeout, ScanError
from ._image import DEFAULT_MAX_PIXELS
from ._metadata import PhotoMetadata

__all__ = ["IsolatedScanner"]

log = logging.getLogger("scanners")

# glibc mallopt() parameters, and the values a decoder worker runs with.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_KEEP_FREED_BYTES = 64 * 1024 * 1024
_MMAP_ABOVE_BYTES = 32 * 1024 * 1024


def _reuse_freed_memory() -> None:
    """Let the worker's heap keep the megabyte buffers of one photo for the next.

    A fresh process starts with glibc's defaults, which serve each such buffer
    from a new mmap and unmap it when freed, so every photo page-faults its
    decoded pixels in again: ~900 faults, ~3 ms of kernel time per 2 MP photo,
    a fifth of its decode. Fixed thresholds keep buffers below 32 MB in the
    heap, and up to 64 MB of freed heap before it is returned to the system.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return  # not glibc: its allocator has its own habits
    mallopt(_M_MMAP_THRESHOLD, _MMAP_ABOVE_BYTES)
    mallopt(_M_TRIM_THRESHOLD, _KEEP_FREED_BYTES)


# A request is two messages: its kind, then the photo file's bytes as they are
# (no pickling, no copy) or, for an array, the pickled array.
_READ, _DECODE, _DECODE_ARRAY = b"read", b"decode", b"array"


def _serve(conn, engines, max_pixels: int, memory_mb: int | None) -> None:
    """Worker loop: receive requests, send back ("ok", result) or ("error", ScanError).

    Results cross as plain tuples: pickling slotted dataclasses runs Python code
    for every object, on both sides of the pipe.
    """
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _reuse_freed_memory()
    cv2.setNumThreads(1)  # the pool is the parallelism
    while True:
        try:
            kind, payload = conn.recv_bytes(), conn.recv_bytes()
        except EOFError:
            return
        try:
            if kind == _READ:
                contents = read_photo(payload, engines=engines, max_pixels=max_pixels)
                meta = contents.metadata
                result = (_plain(contents.codes), tuple(getattr(meta, f) for f in _META_FIELDS))
            else:
                image = pickle.loads(payload) if kind == _DECODE_ARRAY else payload
                result = _plain(decode(image, engines=engines, max_pixels=max_pixels))
            conn.send(("ok", result))
        except ScanError as exc:
            conn.send(("error", exc))
        except MemoryError:
            conn.send(("error", DecoderCrashed("decoder ran out of memory on this photo")))
            return  # a worker that hit its limit is not trusted with the next photo
        except Exception as exc:
            conn.send(("error", DecoderCrashed(f"decoder failed: {exc!r}")))


_META_FIELDS = tuple(f.name for f in dataclasses.fields(PhotoMetadata))


def _plain(codes: list[Decoded]) -> list[tuple]:
    """Codes as tuples, cheap to pickle."""
    return [(d.text, d.points, d.engine) for d in codes]


def _codes(plain: list[tuple]) -> list[Decoded]:
    """Codes back from tuples."""
    return [Decoded(*t) for t in plain]


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx, args: tuple) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, *args), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        """Kill the process and release the pipe."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class IsolatedScanner:
    """Decode photos in reused worker processes with a timeout and a memory limit."""

    def __init__(
        self,
        workers: int = 2,
        timeout: float = 10.0,
        memory_mb: int | None = 2048,
        engines: Sequence[Engine] | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["scanners._decode"])
        self._args = (list(engines) if engines is not None else None, max_pixels, memory_mb)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        """Start a worker and remember it for close()."""
        worker = _Worker(self._ctx, self._args)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill a broken worker and put a fresh one in the pool."""
        worker.stop()
        with self._lock:
            self._all.discard(worker)
        if not self._closed:
            self._idle.put(self._spawn())

    def decode(self, image: bytes | np.ndarray) -> list[Decoded]:
        """Decode one photo in a worker; raise DecoderCrashed or DecodeTimeout for this photo."""
        if isinstance(image, np.ndarray):
            return _codes(self._ask(_DECODE_ARRAY, pickle.dumps(image, protocol=5)))
        return _codes(self._ask(_DECODE, image))

    def read(self, image: bytes) -> PhotoContents:
        """Codes and EXIF metadata of one photo file, read in a worker (see ``read_photo``)."""
        codes, meta = self._ask(_READ, image)
        return PhotoContents(_codes(codes), PhotoMetadata(*meta))

    def _ask(self, kind: bytes, payload: bytes):
        """Send one request to an idle worker and wait for its result."""
        if self._closed:
            raise RuntimeError("IsolatedScanner is closed")
        worker = self._idle.get()
        while not worker.process.is_alive():  # died while idle (killed from outside)
            self._replace(worker)
            worker = self._idle.get()
        try:
            worker.conn.send_bytes(kind)
            worker.conn.send_bytes(payload)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                raise DecodeTimeout(f"decoding took longer than {self.timeout:g} s; worker killed")
            status, value = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(1)
            code = worker.process.exitcode
            self._replace(worker)
            raise DecoderCrashed(f"decoder worker died (exit code {code})") from None
        if status == "error" and isinstance(value, DecoderCrashed):
            self._replace(worker)
        else:
            self._idle.put(worker)
        if status == "error":
            raise value
        return value

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()

    def __enter__(self) -> IsolatedScanner:
        """Use as a context manager that closes the pool."""
        return self

    def __exit__(self, *exc_info) -> None:
        """Close the pool."""
        self.close()
