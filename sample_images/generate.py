"""Generate the sample corpus: phone photos of Custody labels in the conditions of real ones.

The photos are rendered by a camera model (``camera.py``: exact perspective onto
flat and curved surfaces, glossy highlights, defocus and hand-shake blur,
vignetting, shot and read noise, saturation, the ISP's gain, denoising and
sharpening, JPEG) from scenes per condition class (``scenes.py``). Two thirds of
the photos are what the phone page uploads (long side 2048 px, JPEG q85 after
the camera's own JPEG), the rest full 12 MP captures; a quarter are stored
sideways with an EXIF orientation, as phones held upright store them.

The hard classes get a severity from 0 (easy) to 1 (past the limit), recorded
in the manifest and mapped to physical quantities in ``severity.py`` (shake
from hand-tremor rates and indoor exposure times, bag bends, gloss, EV under
the label, pixels per module); large sets spread it evenly over 0-1, the
committed set keeps it moderate (``COMMITTED``). A class without a severity
draws exactly what it drew before severities existed.

Reproducible: the same seed writes the same files. Two seeds, never mixed:
``tune`` (the committed set and ``large/tune``) is what the scanner may be
tuned on; ``holdout`` (``large/holdout``) only measures it.

    python sample_images/generate.py                      # committed set, 2 per class
    python sample_images/generate.py --large tune         # sample_images/large/tune/
    python sample_images/generate.py --large holdout      # sample_images/large/holdout/
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from scenes import CLASSES, FULL, SHRUNK, shoot  # noqa: E402
from severity import SEVERE  # noqa: E402

SEEDS = {"tune": 20261122, "holdout": 91735}
COMMITTED = (0.1, 0.45)  # the committed set's severities: hard, but within what reads


def frame_for(cls: str, index: int) -> tuple[int, int]:
    """The pixel size a photo of this class and index is taken at."""
    if cls == "small":
        return FULL
    if cls == "lots":
        return FULL if index % 2 else SHRUNK
    return FULL if index % 3 == 2 else SHRUNK


def jpeg(rgb: np.ndarray, quality: int, rs: random.Random) -> tuple[bytes, int]:
    """Encode as a phone stores it: EXIF make and model, sometimes stored sideways."""
    img = Image.fromarray(rgb)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Xiaomi", "Redmi 12C"
    orientation = 1
    if rs.random() < 0.25:
        img, orientation = img.transpose(Image.Transpose.ROTATE_90), 6
    exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue(), orientation


def photograph(cls: str, index: int, seed: int, texts: list[str] | None = None,
               severity: float | None = None, span: tuple[float, float] = (0.0, 1.0)
               ) -> tuple[bytes, dict]:
    """Render one photo of class ``cls`` (of ``texts`` if given): JPEG bytes, manifest entry.

    A class with a severity (``severity.SEVERE``) gets ``severity``, or one drawn
    uniformly from ``span``; the manifest records it (null for other classes).
    """
    rs = random.Random(f"{seed}-{cls}-{index}")
    if cls in SEVERE and severity is None:
        severity = random.Random(f"{seed}-{cls}-{index}-severity").uniform(*span)
    severity = round(severity, 3) if cls in SEVERE else None
    frame = frame_for(cls, index)
    rgb, texts, quality = shoot(cls, rs, frame, texts, severity)
    if frame == SHRUNK:  # the camera's JPEG first, then phone.js's canvas at q85
        first = cv2.imdecode(np.frombuffer(cv2.imencode(".jpg", rgb, [
            cv2.IMWRITE_JPEG_QUALITY, quality])[1], np.uint8), cv2.IMREAD_UNCHANGED)
        rgb, quality = first, 85
    data, orientation = jpeg(rgb, quality, rs)
    return data, {"class": cls, "size": list(frame), "codes": texts, "orientation": orientation,
                  "severity": severity}


def _job(args) -> dict:
    """Render and write one photo (a Pool worker)."""
    out_dir, cls, index, seed, span = args
    data, entry = photograph(cls, index, seed, span=span)
    name = f"{cls}_{index:03d}.jpg"
    (Path(out_dir) / name).write_bytes(data)
    return {"file": name, **entry}


def write_set(out_dir: Path, split: str, per_class: int, processes: int,
              classes: list[str] = CLASSES, span: tuple[float, float] = (0.0, 1.0)) -> None:
    """Render ``per_class`` photos of each class into ``out_dir``, adding to its manifest.

    Severities are drawn from ``span``; a large set spreads them evenly over
    0-1 (photo i of n at (i + u)/n, u uniform) so every band is measured.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    seed = SEEDS[split]
    jobs = [(str(out_dir), cls, i, seed, span if span != (0.0, 1.0) else
             (i / per_class, (i + 1) / per_class)) for cls in classes for i in range(per_class)]
    with Pool(processes) as pool:
        entries = pool.map(_job, jobs, chunksize=1)
    old = out_dir / "manifest.json"
    if old.exists() and set(classes) != set(CLASSES):
        kept = [e for e in json.loads(old.read_text())["images"] if e["class"] not in classes]
        entries = kept + entries
    manifest = {"split": split, "seed": seed, "generator": "sample_images/generate.py",
                "images": entries}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum((out_dir / e["file"]).stat().st_size for e in entries)
    print(f"wrote {len(entries)} photos, {total / 1e6:.1f} MB, to {out_dir}")


def main() -> None:
    """Write the committed set, or a large set with --large SPLIT."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", choices=sorted(SEEDS), help="write sample_images/large/SPLIT/")
    ap.add_argument("--per-class", type=int, help="photos per class")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--only", nargs="+", choices=CLASSES, help="(re)render these classes only")
    args = ap.parse_args()
    classes = args.only or CLASSES
    if args.large:
        write_set(HERE / "large" / args.large, args.large, args.per_class or 12, args.processes,
                  classes)
    else:
        for old in HERE.glob("*.jpg"):
            if old.name.rsplit("_", 1)[0] in classes:
                old.unlink()
        write_set(HERE, "tune", args.per_class or 2, args.processes, classes, COMMITTED)


if __name__ == "__main__":
    main()
