"""Benchmark: label PDF throughput, size and memory for a Nanhu-sized bag batch.

Prints a table: seconds and labels per second into the A4 sheet and thermal PDFs, PDF bytes
per label, and the peak resident memory of the process (ru_maxrss: it counts qpdf's C++ heap,
which tracemalloc does not see), at two batch sizes to show how memory grows with the batch.
Each measurement runs in a fresh interpreter. ``peak MB`` is that peak in 10^6 bytes, the unit
of the goal. ``children`` is RUSAGE_CHILDREN's ru_maxrss: the largest peak of a process the
interpreter started (the PDF is written in-process; the only child is ``fc-list`` looking for
the font). Linux charges a child with the RSS of its parent at
the moment it was spawned, so this reads ~45 MiB although fc-list itself peaks near 4 MB: an
upper bound, and one that a PDF written by a child process could not hide behind.

    python benchmarks/labels.py [--sizes 3000,30000] [--layouts a4,thermal]

Goals (issue 19): a 30,000-label batch in <= 2 minutes, peak memory <= 150 MB, <= 4 KB a label.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called labels.py: keep its own folder off sys.path so `import labels` is the library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from labels import IdentityScheme, LabelData, asset_id, write_sheet  # noqa: E402

CATEGORIES = ("kitchen", "recyclable", "hazardous", "other")
VILLAGES = ("凤桥镇联丰村", "新丰镇竹林村", "大桥镇江南村", "七星街道湘东村")


def bag_batch(count: int) -> Iterator[LabelData]:
    """A lazy batch of bag labels, codes issued on the fly as the CLI would."""
    scheme = IdentityScheme("custody.nanhu-jiaxing.cn", {"A": os.urandom(32)}, "A")
    for serial in range(count):
        ident = asset_id("bag", serial)
        yield LabelData(
            scheme.make_code(ident), ident, "bag", CATEGORIES[serial % 4], VILLAGES[serial % 4]
        )


def measure(layout: str, count: int) -> dict[str, float]:
    """Write one batch to a temporary file; return timing, size and memory figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "batch.pdf"
        start, cpu_start = time.perf_counter(), time.process_time()
        write_sheet(bag_batch(count), out, layout=layout)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        size = out.stat().st_size
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "cpu": cpu, "bytes": size, "maxrss": maxrss_kib * 1024,
            "children": children_kib * 1024}


def run_child(layout: str, count: int) -> dict[str, float]:
    """Run one measurement in a fresh interpreter so ru_maxrss is its own."""
    args = [sys.executable, __file__, "--one", layout, str(count)]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    """Parse options, run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000,30000")
    parser.add_argument("--layouts", default="a4,thermal")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        layout, count = args.one
        print(json.dumps(measure(layout, int(count))))
        return
    print(f"(load average before: {os.getloadavg()[0]:.1f})")
    header = (
        f"{'layout':<8} {'labels':>7} {'seconds':>8} {'labels/s':>9} {'labels/cpu-s':>13} "
        f"{'B/label':>8} {'peak RSS':>10} {'peak MB':>8} {'children':>10}"
    )
    print(header)
    print("-" * len(header))
    for layout in args.layouts.split(","):
        for count in (int(s) for s in args.sizes.split(",")):
            timed = run_child(layout, count)
            print(
                f"{layout:<8} {count:>7} {timed['seconds']:>8.2f} "
                f"{count / timed['seconds']:>9.0f} {count / timed['cpu']:>13.0f} "
                f"{timed['bytes'] / count:>8.0f} {timed['maxrss'] / 2**20:>6.1f} MiB "
                f"{timed['maxrss'] / 1e6:>8.1f} {timed['children'] / 2**20:>6.1f} MiB",
                flush=True,
            )
    print(
        f"(cpus: {os.cpu_count()}, load average now: {os.getloadavg()[0]:.1f}; labels/s is wall "
        "clock, labels/cpu-s counts all threads' CPU time; goals for 30,000 labels: <= 120 s, "
        "<= 4,096 B/label, peak MB <= 150)"
    )


if __name__ == "__main__":
    main()
