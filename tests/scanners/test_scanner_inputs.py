"""Input formats, EXIF orientation, and every refusal, each with its own exception."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from PIL import Image

import scanners


def _png_header_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width + 1) * 16)  # a few rows, the rest never sent
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _jpeg_header_bomb(width: int, height: int) -> bytes:
    """A small real JPEG with its frame header patched to claim width x height."""
    buf = io.BytesIO()
    Image.new("L", (64, 64), 128).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "JPEG"])
def test_png_webp_and_jpeg_decode(kit, fmt):
    extra = {"lossless": True} if fmt == "WEBP" else {}
    data = kit.encode(kit.scene([kit.TEXT_BAG]), fmt, **extra)
    assert [c.text for c in scanners.decode(data)] == [kit.TEXT_BAG]


def test_heic_round_trip(kit):
    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    Image.fromarray(kit.scene([kit.TEXT_BIN])).convert("RGB").save(buf, "HEIF", quality=90)
    assert buf.getvalue()[4:12] in (b"ftypheic", b"ftypmif1", b"ftypheix")
    assert [c.text for c in scanners.decode(buf.getvalue())] == [kit.TEXT_BIN]


def test_exif_orientation_is_applied_to_the_returned_points(kit):
    shown = np.full((600, 800), 150, np.uint8)
    code = kit.qr_array(kit.TEXT_BAG)
    shown[20 : 20 + code.shape[0], 20 : 20 + code.shape[1]] = code  # top-left as displayed
    stored = np.rot90(shown, 1)  # the sensor's pixels; orientation 6 rotates them back
    exif = Image.Exif()
    exif[0x0112] = 6
    data = kit.encode(np.ascontiguousarray(stored), exif=exif.tobytes())
    (found,) = scanners.decode(data)
    assert found.text == kit.TEXT_BAG
    assert all(x < 400 and y < 300 for x, y in found.points)
    assert scanners.read_photo_metadata(data).orientation == 6


def test_empty_file_is_refused():
    with pytest.raises(scanners.EmptyImage, match="empty"):
        scanners.decode(b"")


@pytest.mark.parametrize("data", [b"hello, this is not a photo", b"%PDF-1.7\n" + b"x" * 100])
def test_non_image_is_refused(data):
    with pytest.raises(scanners.NotAnImage, match="not a JPEG, PNG, WebP or HEIC"):
        scanners.decode(data)


def test_unsupported_image_format_is_refused(kit):
    with pytest.raises(scanners.NotAnImage, match="GIF"):
        scanners.decode(kit.encode(kit.scene([kit.TEXT_BAG]), "GIF"))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file_is_refused(kit, fmt):
    rng = np.random.default_rng(1)
    data = kit.encode(rng.integers(0, 255, (600, 800), dtype=np.uint8), fmt)
    with pytest.raises(scanners.TruncatedImage, match="truncated"):
        scanners.decode(data[: len(data) // 2])


def test_progressive_jpeg_decodes(kit):
    data = kit.encode(kit.scene([kit.TEXT_BAG]), progressive=True, quality=85)
    assert [c.text for c in scanners.decode(data)] == [kit.TEXT_BAG]


def test_jpeg_with_a_trailer_after_the_image_is_not_truncated(kit):
    data = kit.encode(kit.scene([kit.TEXT_BAG])) + b"\x00\x00ftypmp42 motion photo video"
    assert [c.text for c in scanners.decode(data)] == [kit.TEXT_BAG]


def test_pixel_limit_is_configurable(kit):
    data = kit.encode(kit.scene([kit.TEXT_BAG]))
    with pytest.raises(scanners.ImageTooLarge, match="800x600"):
        scanners.decode(data, max_pixels=100_000)
    assert scanners.decode(data, max_pixels=480_000)


@pytest.mark.parametrize("bomb", [_png_header_bomb, _jpeg_header_bomb])
def test_header_bomb_is_refused_from_the_header(bomb):
    data = bomb(20000, 20000)
    assert len(data) < 100_000
    with pytest.raises(scanners.ImageTooLarge, match="20000x20000|too many pixels"):
        scanners.decode(data)
    with pytest.raises(scanners.ImageTooLarge):
        scanners.decode(data, max_pixels=10**12)  # past our limit, Pillow's own still refuses


def test_header_bomb_is_refused_without_allocating_the_image():
    # A child process whose address space is capped at its current size + 200 MB:
    # decoding 20000x20000 would need 400 MB, so only a header-only refusal passes.
    script = textwrap.dedent(
        """
        import resource, sys
        sys.path.insert(0, sys.argv[1])
        import scanners, scanners._decode
        from test_scanner_inputs import _png_header_bomb, _jpeg_header_bomb
        vm = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1])
        limit = (vm + 200 * 1024) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        for bomb in (_png_header_bomb, _jpeg_header_bomb):
            try:
                scanners.decode(bomb(20000, 20000))
            except scanners.ImageTooLarge:
                print("refused")
        """
    )
    here, root = str(Path(__file__).parent), str(Path(__file__).parents[2])
    env = {"PYTHONPATH": f"{root}:{here}", "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", script, root], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.stdout.split() == ["refused", "refused"], out.stderr
