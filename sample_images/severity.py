"""How hard a photo is: one severity from 0 (easy) to 1 (past the limit) per hard class.

Each hard class maps its severity to the physical quantity that makes it hard,
over the range a phone produces in the field, so the benchmark shows where a
reader breaks instead of a single pass rate. The ranges, and why:

- ``motion``: the smear on the label is ``v*T + w*T*d`` (hand translation
  ``v``, rotation ``w``, exposure ``T``, distance ``d``). Indoors and at dusk a
  phone exposes 1/60-1/30 s before it raises the gain; a collector holds the
  bag in one hand and the phone in the other. Physiological tremor is 1-3
  degrees/s, a hurried tap or a step 5-10 degrees/s and a few cm/s of
  translation: at 25 cm and 1/30 s, 3 degrees/s is 0.6 of a 0.73 mm module,
  3 cm/s another 1.4, a hurried shot (10 degrees/s, 5 cm/s) 4.3. Range:
  0.3-4.5 modules of path, quadratic in severity (steady shots are the common
  case: the mild third is 0.3-0.8, the strong 0.8-2.2; the old class: 0.5-1.6).
- ``blurred``: focus missed at 10-20 cm (a phone's nearest focus) or locked on
  the bag behind a glossy label: a disc of 0.2-1.6 modules radius, quadratic
  in severity (was 0.35-0.9).
- ``perspective``: the label tilted 30-75 degrees from the camera axis.
- ``curved``: a label on a filled bag (``bags.bag_profile``): its tightest
  bend falls from radius 120 mm to 8 mm within the code, next to a gentler
  part, with 0-0.8 mm of wrinkles, seen tilted 5-45 degrees: curvature and
  perspective together (the old class: upright cylinders of 25-80 mm, tilt 0-22).
- ``glare``: glossy film on a gently bent bag, a lamp near the mirror
  direction, so the highlight is a streak along the bag: its peak rises from a
  tenth of the paper's white (a sheen) to three times it (clipped over several
  modules) and broadens from a sharp streak (Phong exponent 1500) to a wide one (150).
- ``dark``: a booth at night with its lamp in the frame: the meter, pulled by
  the lamp, exposes 2 to 9 EV under the label (at -9 the label's white
  collects some 16 electrons a pixel: shot noise of a quarter of the signal),
  the ISP's gain falls from 8x to 2x, and the lamps grow brighter.
- ``lots``: 6 to 24 labels in one frame (a row of bags, a cart of bins), as
  far as makes a module span 4.5 down to 1.1 px (below about 1.5 px a module
  nothing reads): 24-98 cm in what phone.js uploads, 47-190 cm in a 12 MP frame.
- ``small``: one label in a 12 MP frame, 5 down to 1.2 px a module (42-176 cm).

Other classes (nominal, rotations, crumpled, shadows, damaged, none) keep
their fixed ranges; their severity is recorded as null.
"""

from __future__ import annotations

import random

import numpy as np

SEVERE = ("blurred", "motion", "perspective", "curved", "glare", "dark", "lots", "small")
BANDS = ((0.0, 1 / 3, "mild"), (1 / 3, 2 / 3, "strong"), (2 / 3, 1.0001, "extreme"))


def lerp(lo: float, hi: float, s: float) -> float:
    """``lo`` at severity 0, ``hi`` at 1."""
    return lo + (hi - lo) * s


def band(severity: float | None) -> str:
    """The severity band a photo falls in ("-" for classes without a severity)."""
    if severity is None:
        return "-"
    return next(name for lo, hi, name in BANDS if lo <= severity < hi)


def geometry(cls: str, s: float, n: int, d: float, tilt: float, rv: random.Random,
             fixed_n: bool, focal: float) -> tuple[int, float, float]:
    """Number of labels, distance (mm) and tilt (degrees) at severity ``s``.

    ``focal`` (pixels) turns the pixels a module spans into a distance.
    """
    jitter = rv.uniform(-0.04, 0.04)
    t = float(np.clip(s + jitter, 0, 1))
    module_mm = 24.0 / 33
    if cls == "lots":
        n = n if fixed_n else round(lerp(6, 24, t))
        d = focal * module_mm / lerp(4.5, 1.1, t)
    elif cls == "small":
        d = focal * module_mm / lerp(5.0, 1.2, t)
    elif cls == "perspective":
        tilt = lerp(30, 75, t)
    elif cls == "curved":
        tilt = lerp(5, 45, t)
    return n, d, tilt


def label_finish(cls: str, s: float) -> dict:
    """Gloss, Phong exponent and wrinkle amplitude (mm) of the label film."""
    if cls == "glare":
        return {"gloss": lerp(0.1, 3.0, s), "shininess": 1500 * (150 / 1500) ** s}
    if cls == "curved":
        return {"wrinkle": lerp(0.0, 0.8, s)}
    return {}


def bend_severity(cls: str, s: float) -> float | None:
    """The severity of the bag's bend under the label (None: flat or a plain cylinder)."""
    return {"curved": s, "glare": 0.15 * s}.get(cls)


def exposure(cls: str, s: float, ex, module_px: float) -> float:
    """Set the blur or exposure of ``ex`` at severity ``s``; the lamps' brightness factor."""
    if cls == "motion":
        ex.shake = module_px * lerp(0.3, 4.5, s * s)
    elif cls == "blurred":
        ex.defocus = 0.5 + module_px * lerp(0.2, 1.6, s * s)
    elif cls == "dark":
        ex.ev = lerp(-2.0, -9.0, s)
        ex.max_gain = lerp(8.0, 2.0, s)
        return lerp(0.5, 2.0, s)
    return 1.0
