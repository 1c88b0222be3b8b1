"""Benchmark the scanner per condition class: plain zxing-cpp against the cascade.

For each photo of a corpus (a folder with ``manifest.json``), runs
``zxing``: one plain zxing-cpp call on the full-resolution grey image (the
library's defaults, QR only), and ``cascade``: ``scanners.decode`` with the
default engines. Prints per class right / wrong / missed codes for both, the
read rate micro (all codes) and class-averaged, which stage read the codes,
then the time per photo: the floor (decoding the image file to grey, what any
scanner pays), zxing (decode + one call) and the cascade, median and p95, and
what a photo without any code costs against one full zxing call; wall-clock
and CPU time both (CPU time is what other processes' load does not inflate).
Last, if the manifest gives photos a ``severity`` (0 easy .. 1 past the limit,
``sample_images/severity.py``), the codes read per class and severity band,
zxing against the cascade: where each breaks.

    python benchmarks/scan.py                 # sample_images/large/holdout if generated
    python benchmarks/scan.py --corpus sample_images/large/tune
    python benchmarks/scan.py --quick         # the committed set (seconds)
    python benchmarks/scan.py --corpus sample_images/real --split holdout   # real photos (fetch.py)

Run it on a quiet machine (``uptime``); the load average is printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanners import _decode  # noqa: E402
from scanners._image import open_photo  # noqa: E402

BANDS = ((0.0, 1 / 3, "mild"), (1 / 3, 2 / 3, "strong"), (2 / 3, 1.0001, "extreme"))


def floor(data: bytes) -> np.ndarray:
    """Decode the file to an oriented grey image: the cost any scanner must pay."""
    return open_photo(data).gray(1)


def plain_zxing(data: bytes) -> list[str]:
    """One zxing-cpp call with its defaults on the full-resolution grey image."""
    import zxingcpp

    codes = zxingcpp.read_barcodes(floor(data), formats=zxingcpp.BarcodeFormat.QRCode)
    return [c.text for c in codes if c.valid]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def timed(run, data: bytes):
    """(result, (wall ms, CPU ms)) of one call; CPU time is what other load does not inflate."""
    start, cpu = time.perf_counter(), time.process_time()
    result = run(data)
    return result, ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)


def score(found: list[str], expected: list[str]) -> tuple[int, int, int]:
    """Right, wrong and missed codes, counting repeats (two symbols of one text are two)."""
    want, got = Counter(expected), Counter(found)
    right = sum((want & got).values())
    return right, sum((got - want).values()), sum((want - got).values())


def main() -> None:
    """Run both readers over the corpus and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the committed set")
    ap.add_argument("--corpus", type=Path, help="a folder with manifest.json")
    ap.add_argument("--split", help="only the photos of this split (real photos: tune, holdout)")
    args = ap.parse_args()
    held = ROOT / "sample_images" / "large" / "holdout"
    folder = args.corpus or (held if (held / "manifest.json").exists() and not args.quick
                             else ROOT / "sample_images")
    entries = [e for e in json.loads((folder / "manifest.json").read_text())["images"]
               if args.split in (None, e.get("split"))]
    photos = [(e, (folder / e["file"]).read_bytes()) for e in entries]
    cv2.setNumThreads(1)  # as in the scanner's worker processes: the pool is the parallelism
    engines = list(_decode._shared_engines())
    name = folder.resolve()
    name = name.relative_to(ROOT) if name.is_relative_to(ROOT) else name.name
    name = f"{name} ({args.split})" if args.split else name
    print(f"corpus: {name}, {len(photos)} photos, "
          f"{sum(len(e['codes']) for e in entries)} codes; engines: "
          f"{', '.join(e.name for e in engines)}; load average {os.getloadavg()[0]:.2f}")
    cascade = lambda data: _decode.cascade(open_photo(data), engines)  # noqa: E731
    cascade(photos[0][1])  # warm up engines and caches
    counts: dict = defaultdict(lambda: [0, 0, 0])
    times: dict = defaultdict(list)
    stages: dict = defaultdict(Counter)
    budget: list[tuple[float, float]] = []
    bands: dict = defaultdict(lambda: [0, 0, 0])  # (class, band) -> codes, zxing, cascade right
    for entry, data in photos:  # readers interleaved per photo, so load hits all alike
        _, ms = timed(floor, data)
        times["floor"].append(ms)
        found, ms = timed(plain_zxing, data)
        times["zxing"].append(ms)
        for key in (("zxing", entry["class"]), ("zxing", "ALL")):
            counts[key] = [a + b for a, b in zip(counts[key], score(found, entry["codes"]),
                                                 strict=True)]
        scan, ms = timed(cascade, data)
        times["cascade"].append(ms)
        if not entry["codes"]:
            times["cascade, no code"].append(ms)
            times["zxing, no code"].append(times["zxing"][-1])
            budget.append(no_code_cost(data, engines))
        texts = [c.text for c in scan.codes]
        if entry.get("severity") is not None:
            row = bands[entry["class"], band(entry["severity"])]
            row[0] += len(entry["codes"])
            row[1] += score(found, entry["codes"])[0]
            row[2] += score(texts, entry["codes"])[0]
        for key in (("cascade", entry["class"]), ("cascade", "ALL")):
            counts[key] = [a + b for a, b in zip(counts[key], score(texts, entry["codes"]),
                                                 strict=True)]
        for code, stage in zip(scan.codes, scan.read_by, strict=True):
            if code.text in entry["codes"]:
                stages[entry["class"]][stage] += 1
    order = list(dict.fromkeys(name for name, _ in _decode.plan(engines)))
    report(entries, counts, times, stages, budget, order)
    severity_report(bands)


def band(severity: float) -> str:
    """The severity band (as ``sample_images/severity.py`` names them)."""
    return next(name for lo, hi, name in BANDS if lo <= severity < hi)


def severity_report(bands: dict) -> None:
    """Codes read per class and severity band: zxing / cascade / codes, and the percentages."""
    if not bands:
        return
    print("\ncodes read per class and severity band (0 easy .. 1 past the limit): "
          "zxing/cascade/codes  zxing% cascade%")
    print(f"{'class':12s}" + "".join(f"{f'{name} {lo:.2f}-{min(hi, 1):.2f}':>28s}"
                                     for lo, hi, name in BANDS))
    total: dict = defaultdict(lambda: [0, 0, 0])
    for cls in sorted({c for c, _ in bands}) + ["ALL"]:
        row = f"{cls:12s}"
        for _, _, name in BANDS:
            n, z, c = bands[cls, name] if cls != "ALL" else total[name]
            if cls != "ALL":
                total[name] = [a + b for a, b in zip(total[name], (n, z, c), strict=True)]
            cell = f"{z}/{c}/{n} {100 * z / n:5.1f} {100 * c / n:5.1f}" if n else "-"
            row += f"{cell:>28s}"
        print(row)


def no_code_cost(data: bytes, engines: list, repeats: int = 5) -> tuple[float, float]:
    """CPU ms of one plain zxing call and of the cascade on the same decoded photo.

    Each is the fastest of ``repeats`` runs, interleaved: on a small photo a call
    takes 0.1-0.3 ms, where one preemption or cache miss shows as a third more.
    """
    import zxingcpp

    gray = open_photo(data).gray(1)
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        photo = open_photo(data)
        photo.gray(1)  # decoded outside the timing, as the plain call's image is
        for i, run in enumerate((
                lambda: zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode),
                lambda p=photo: _decode.cascade(p, engines))):
            start = time.process_time()
            run()
            best[i] = min(best[i], (time.process_time() - start) * 1000)
    return best[0], best[1]


def report(entries: list[dict], counts: dict, times: dict, stages: dict,
           budget: list[tuple[float, float]], order: list[str]) -> None:
    """Print the per-class table, the rates and the timing table."""
    classes = sorted({e["class"] for e in entries})
    expected = Counter()
    for e in entries:
        expected[e["class"]] += len(e["codes"])
    print("\nright/wrong/missed codes per class")
    print(f"{'class':12s}{'codes':>6s}{'zxing':>14s}{'cascade':>14s}{'zxing %':>9s}"
          f"{'cascade %':>10s}   read by stage: " + " ".join(order))
    rates: dict = defaultdict(list)
    for cls in classes + ["ALL"]:
        n = expected[cls] if cls != "ALL" else sum(expected.values())
        row = f"{cls:12s}{n:6d}"
        pct = []
        for name in ("zxing", "cascade"):
            c = counts[name, cls]
            row += f"{'{}/{}/{}'.format(*c):>14s}"
            pct.append(100 * c[0] / n if n else float("nan"))
            if cls != "ALL" and n:
                rates[name].append(pct[-1])
        row += f"{pct[0]:9.1f}{pct[1]:10.1f}   " if n else f"{'-':>9s}{'-':>10s}   "
        if cls != "ALL":
            row += " ".join(f"{stages[cls][s]:d}" for s in order)
        print(row)
    print(f"{'class-averaged %':18s}" + " " * 26
          + f"{statistics.mean(rates['zxing']):9.1f}{statistics.mean(rates['cascade']):10.1f}")
    print("\nms per photo, decode included     wall: median   p95   / floor     CPU: median   p95"
          "   / floor")
    wall = {k: [w for w, _ in v] for k, v in times.items()}
    cpu = {k: [c for _, c in v] for k, v in times.items()}
    for name in ("floor", "zxing", "cascade", "zxing, no code", "cascade, no code"):
        if not times[name]:
            continue
        row = f"{name:30s}"
        for t, base in ((wall[name], wall["floor"]), (cpu[name], cpu["floor"])):
            med = statistics.median(t)
            row += f"{med:13.1f}{percentile(t, 95):7.1f}{med / statistics.median(base):8.2f}x"
        print(row)
    for name in ("zxing", "cascade"):
        per_photo = [t / max(f, 1e-3) for (t, _), (f, _) in zip(times[name], times["floor"],
                                                                  strict=True)]
        print(f"{name} / floor per photo (wall, decode included): median "
              f"{statistics.median(per_photo):.2f}x, p95 {percentile(per_photo, 95):.2f}x")
    if budget:
        ratios = sorted(c / max(z, 1e-3) for z, c in budget)
        print(f"photo without a code, CPU, decode excluded, fastest of 5: cascade / one plain "
              f"zxing call on the same photo: median {statistics.median(ratios):.2f}x, p95 "
              f"{percentile(ratios, 95):.2f}x, max {ratios[-1]:.2f}x ({len(ratios)} photos)")


if __name__ == "__main__":
    main()
