"""Benchmark the scanner: yield and speed per distortion class and per engine.

Prints, for each engine alone (plain full-resolution grayscale, no fallbacks),
zxing through the whole cascade, and the default cascade: codes decoded right,
decoded wrong, missed, per class and in total; then median and p95 ms per photo
for 2 MP and 12 MP JPEGs next to the floor, the time to just decode the same
JPEGs to grayscale (cv2.imdecode IMREAD_GRAYSCALE).

    python benchmarks/scan.py            # sample_images/large/ if generated, else the committed
                                         # set (~10 min on 2 cores: OpenCV and zbar alone are slow)
    python benchmarks/scan.py --quick    # the committed set, zxing and the cascade (seconds)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scanners  # noqa: E402
from scanners._image import open_photo  # noqa: E402


def plain(engine: scanners.Engine):
    """One engine alone on the full-resolution oriented grayscale photo."""

    def run(data: bytes) -> list[scanners.Decoded]:
        try:
            return engine.read(open_photo(data).gray(1))
        except Exception:  # an engine crash on one photo counts as a miss
            return []

    return run


def floor(data: bytes) -> list:
    """Only decode the JPEG to grayscale: the cost any scanner must pay."""
    cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    return []


def setups(quick: bool) -> dict:
    """Name -> callable(bytes) -> codes, in table order."""
    zxing, opencv, zbar = scanners.ZxingEngine(), scanners.OpenCVEngine(), scanners.ZbarEngine()
    runs = {"zxing": plain(zxing)}
    if not quick:
        runs |= {"opencv": plain(opencv), "zbar": plain(zbar)}
    runs["cascade[zxing]"] = lambda data: scanners.decode(data, engines=[zxing])
    runs["cascade"] = scanners.decode
    runs["floor"] = floor
    return runs


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    """Run every setup over the corpus and print the tables."""
    ap = argparse.ArgumentParser(description="scanner yield and speed per class and engine")
    ap.add_argument("--quick", action="store_true", help="committed set; zxing and cascade only")
    ap.add_argument("--corpus", type=Path, help="a folder with manifest.json")
    args = ap.parse_args()
    large = ROOT / "sample_images" / "large"
    folder = args.corpus or (large if (large / "manifest.json").exists() and not args.quick
                             else ROOT / "sample_images")
    entries = json.loads((folder / "manifest.json").read_text())["images"]
    photos = [(e, (folder / e["file"]).read_bytes()) for e in entries]
    print(f"corpus: {folder.relative_to(ROOT)}, {len(photos)} photos, "
          f"{sum(len(e['codes']) for e in entries)} codes")
    scanners.decode(photos[0][1])  # warm up engines and caches
    counts: dict = defaultdict(lambda: [0, 0, 0])
    times: dict = defaultdict(list)
    runs = setups(args.quick)
    for entry, data in photos:  # setups interleaved per photo, so load on the box hits all alike
        for name, run in runs.items():
            start = time.perf_counter()
            found = {c.text for c in run(data)}
            ms = (time.perf_counter() - start) * 1000
            times[name, "12MP" if entry["size"][0] * entry["size"][1] > 6e6 else "2MP"].append(ms)
            if name == "floor":
                continue
            expected = set(entry["codes"])
            for key in ((name, entry["class"]), (name, "TOTAL")):
                c = counts[key]
                c[0] += len(found & expected)
                c[1] += len(found - expected)
                c[2] += len(expected - found)
    names = [n for n in runs if n != "floor"]
    classes = sorted({e["class"] for e in entries}) + ["TOTAL"]
    print("\nright/wrong/missed codes per class")
    print(f"{'class':14s}" + "".join(f"{n:>16s}" for n in names))
    for cls in classes:
        cells = ("{}/{}/{}".format(*counts[n, cls]) for n in names)
        print(f"{cls:14s}" + "".join(f"{c:>16s}" for c in cells))
    total = sum(len(e["codes"]) for e in entries)
    print(f"{'decoded %':14s}" + "".join(f"{100 * counts[n, 'TOTAL'][0] / total:>15.1f}%"
                                          for n in names))
    print("\nms per photo     " + "".join(f"{h:>22s}" for h in ("2MP median / p95",
                                                                 "12MP median / p95")))
    for name in runs:
        row = f"{name:16s}"
        for size in ("2MP", "12MP"):
            t = times[name, size]
            row += (f"{statistics.median(t):>13.1f} / {percentile(t, 95):6.1f}" if t
                    else f"{'-':>22s}")
        print(row)
    for size in ("2MP", "12MP"):
        if times["floor", size]:
            ratio = statistics.median(times["cascade", size]) / statistics.median(
                times["floor", size])
            print(f"cascade median / floor median, {size}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
