"""The corpus generator's geometry and severities (``sample_images/``)."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest


@pytest.fixture(scope="module")
def gen(kit):
    """The generator's modules, imported as generate.py imports them."""
    sys.path[:0] = [str(kit.SAMPLES)]
    try:
        return {name: importlib.import_module(name)
                for name in ("camera", "bags", "severity", "generate")}
    finally:
        sys.path.remove(str(kit.SAMPLES))


def test_a_bag_of_constant_curvature_is_the_exact_cylinder(gen):
    camera, bags = gen["camera"], gen["bags"]
    texture = np.zeros((600, 1000, 3), np.float32)
    pose = camera.rotation(20, 10, 5), np.array([5.0, -3.0, 250.0])
    cylinder = camera.Surface(texture, 0.05, *pose, radius=40.0)
    bent = bags.BentSurface(texture, 0.05, *pose, kappa_u=np.array([-200.0, 200.0]),
                            kappa=np.full(2, 1 / 40))
    cam = camera.Camera((2048, 1536), 1485.0)
    rays = cam.rays(800, 600, 1300, 950)
    (ua, va, da, na, ha), (ub, vb, db, nb, hb) = cylinder.intersect(rays), bent.intersect(rays)
    both = ha & hb
    assert both.mean() > 0.2 and (ha == hb).mean() > 0.999
    for a, b in ((ua, ub), (va, vb), (da, db)):
        assert np.abs(a - b)[both].max() < 0.01  # mm
    assert np.abs(na - nb)[both].max() < 1e-3
    corners = np.array([[-10.0, -5.0], [10.0, 5.0]])
    assert np.abs(cam.corners_px(cylinder, corners) - cam.corners_px(bent, corners)).max() < 0.01


def test_the_committed_set_records_moderate_severities_for_the_hard_classes(gen, corpus):
    lo, hi = gen["generate"].COMMITTED
    for entry in corpus:
        if entry["class"] in gen["severity"].SEVERE:
            assert lo <= entry["severity"] <= hi, entry["file"]
        else:
            assert entry["severity"] is None, entry["file"]


def test_severity_bands_cover_zero_to_one(gen):
    band = gen["severity"].band
    assert [band(s) for s in (0.0, 0.33, 0.34, 0.66, 0.67, 1.0)] == [
        "mild", "mild", "strong", "strong", "extreme", "extreme"]
    assert band(None) == "-"
