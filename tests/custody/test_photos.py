"""The photo store: originals written whole or not at all, public copies without EXIF."""

from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest
from PIL import Image

from custody.services import photos
from custody.services.photos import PhotoStore


def _jpeg(seed: int) -> bytes:
    """A small JPEG carrying a camera make in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (seed % 256, 80, 120)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_an_original_is_stored_under_its_hash_byte_for_byte(tmp_path):
    store, data = PhotoStore(tmp_path), _jpeg(1)
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.has(sha) and store.original_path(sha).read_bytes() == data
    assert store.put(data) == sha  # storing twice is harmless
    assert [p.name for p in store.original_path(sha).parent.iterdir()] == [sha]


def test_a_failed_write_leaves_neither_the_photo_nor_a_temporary_file(tmp_path, monkeypatch):
    store, data = PhotoStore(tmp_path), _jpeg(2)

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(photos.os, "fsync", full_disk)
    with pytest.raises(OSError):
        store.put(data)
    sha = hashlib.sha256(data).hexdigest()
    assert not store.has(sha)
    assert list(store.original_path(sha).parent.iterdir()) == []


def test_threads_storing_the_same_photo_at_once_all_succeed(tmp_path):
    store, data = PhotoStore(tmp_path), _jpeg(3)
    results, errors = [], []
    start = threading.Barrier(8)

    def put():
        start.wait()
        try:
            results.append(store.put(data))
        except Exception as exc:  # pragma: no cover - the assertion below names it
            errors.append(exc)

    workers = [threading.Thread(target=put) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == [] and len(set(results)) == 1
    (only,) = store.original_path(results[0]).parent.iterdir()
    assert only.read_bytes() == data and oct(only.stat().st_mode & 0o777) == "0o600"


def test_the_public_copy_has_no_exif(tmp_path):
    store = PhotoStore(tmp_path)
    sha = store.put(_jpeg(4))
    public = store.public_copy(sha).read_bytes()
    assert b"PhoneMaker" not in public and b"PhoneMaker" in store.original_path(sha).read_bytes()
    assert Image.open(io.BytesIO(public)).size == (64, 48)
    assert not [p for p in store.public_path(sha).parent.iterdir() if p.name.startswith(".")]
    assert os.path.getsize(store.public_path(sha)) == len(public)
