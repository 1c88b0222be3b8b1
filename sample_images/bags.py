"""Labels on real bags: film bent with a curvature that varies across the code.

A label stuck on a filled refuse bag is not on a cylinder. The bag bulges over
what is inside (a bottle, a box edge, a knot of film), so along the label the
bend is gentle in one place and tight in another, sometimes with a crease. The
label is paper or film and does not stretch: bent, it stays a developable
surface. ``BentSurface`` is that surface exactly: a generalised cylinder whose
cross-section has a curvature ``kappa(u)`` that varies along the label (axis
along the texture's v), ray-traced as exactly as ``camera.Surface``'s flat
cards and cylinders (every camera ray of the frame shares one centre, so the
cross-section's first hit is a function of the ray's angle alone: a lookup
table of 2048 angles, intersected with the 257-point profile).

``bag_profile`` draws the curvature a bag gives a 24 mm code at a severity
from 0 (nearly flat: a loose bag or a tied neck of radius 120 mm or more) to 1
(past what a phone can read: the tightest bend of radius 8 mm, as over a bottle
cap or a fold, within the code, next to a gentle part). The old ``curved``
class's cylinders (radius 25-80 mm: 17-55 degrees across the code) sit at
severities of about 0.25-0.55.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from camera import Surface


def bag_profile(severity: float, rng: np.random.Generator, extent: float = 400.0):
    """Curvature (1/mm) along the label, sampled on ``u`` in -extent/2..extent/2 mm.

    The bag bulges with a radius of 150-300 mm and a smooth wobble; on it, a
    bump somewhere over the code bends the film by 15 to 110 degrees, its
    tightest radius falling log-uniformly with severity from 120 mm to 8 mm
    (so its width shrinks from about 12 mm to 6 mm); one bag in five has a
    dent there instead (the bump bends the other way).
    """
    r_min = 120.0 * (8.0 / 120.0) ** severity
    angle = np.deg2rad(15 + 95 * severity) * rng.uniform(0.8, 1.2)
    r_bag = rng.uniform(150, 300)
    u = np.linspace(-extent / 2, extent / 2, 2001)
    centre = rng.uniform(-10, 10)  # the code is 24 mm wide, centred on u = 0
    width = angle * r_min / np.sqrt(2 * np.pi)  # a Gaussian of peak 1/r_min bends by angle
    bump = np.exp(-0.5 * ((u - centre) / width) ** 2)
    sign = -1.0 if rng.random() < 0.2 else 1.0
    wobble = np.interp(u, np.linspace(-extent / 2, extent / 2, 40), rng.normal(0, 0.3, 40))
    kappa = (1 + wobble) / r_bag + sign * bump * max(0.0, 1 / r_min - 1 / r_bag)
    return u, kappa


@dataclass
class BentSurface(Surface):
    """A card bent along u with curvature ``kappa`` (1/mm) sampled at ``kappa_u`` (mm).

    Positive curvature bends the card's sides away from the camera, as a bulge.
    """

    kappa_u: np.ndarray = field(default_factory=lambda: np.zeros(2))
    kappa: np.ndarray = field(default_factory=lambda: np.zeros(2))

    def __post_init__(self) -> None:
        w = self.size_mm[0]
        s = np.linspace(-w / 2, w / 2, 257)
        k = np.interp(s, self.kappa_u, self.kappa)
        ds = s[1] - s[0]
        theta = _integrate_from_zero(k, ds)
        self._s, self._theta = s, theta
        self._x = _integrate_from_zero(np.cos(theta), ds)
        self._z = _integrate_from_zero(np.sin(theta), ds)

    def local_to_3d(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Local surface coordinates (mm) -> camera-space points, shape (..., 3)."""
        x, z = np.interp(u, self._s, self._x), np.interp(u, self._s, self._z)
        return np.stack([x, v, z], -1) @ self.R.T + self.t

    def intersect(self, dirs: np.ndarray):
        """Rays from the camera centre -> (u, v, depth, normal, hit) per ray."""
        o = -self.R.T @ self.t
        d = dirs @ self.R
        phi = np.arctan2(d[..., 0], d[..., 2])
        grid = np.linspace(float(phi.min()) - 1e-6, float(phi.max()) + 1e-6, 2048)
        e = np.stack([np.sin(grid), np.cos(grid)], -1)[:, None, :]  # (G, 1, 2)
        p = np.stack([self._x, self._z], -1)
        a, seg = p[:-1][None], (p[1:] - p[:-1])[None]  # (1, K, 2)
        rel = a - np.float64([o[0], o[2]])
        cross = lambda m, n: m[..., 0] * n[..., 1] - m[..., 1] * n[..., 0]  # noqa: E731
        den = cross(e, seg)
        with np.errstate(divide="ignore", invalid="ignore"):
            lam = cross(rel, seg) / den  # distance along the ray's xz direction
            mu = cross(rel, e) / den  # where on the segment
        ok = (lam > 0) & (mu >= 0) & (mu <= 1)
        lam = np.where(ok, lam, np.inf)
        k = np.argmin(lam, 1)
        best = lam[np.arange(len(grid)), k]
        s_hit = self._s[k] + np.clip(mu[np.arange(len(grid)), k], 0, 1) * (self._s[1] - self._s[0])
        found = np.isfinite(best)
        lam_px = np.interp(phi, grid, np.where(found, best, 0))
        u = np.interp(phi, grid, np.where(found, s_hit, 1e9))
        hit_px = np.interp(phi, grid, found.astype(np.float64)) > 0.999
        horiz = np.hypot(d[..., 0], d[..., 2])
        s = lam_px / np.maximum(horiz, 1e-9)  # ray parameter
        v = o[1] + s * d[..., 1]
        w, h = self.size_mm
        hit = hit_px & (np.abs(u) < w / 2) & (np.abs(v) < h / 2)
        th = np.interp(u, self._s, self._theta)
        normal = np.stack([np.sin(th), np.zeros_like(th), -np.cos(th)], -1)
        depth = s * np.linalg.norm(dirs, axis=-1)
        return u, v, depth.astype(np.float32), normal @ self.R.T, hit


def _integrate_from_zero(f: np.ndarray, ds: float) -> np.ndarray:
    """The integral of samples ``f`` (trapezoids) from the middle sample, where it is 0."""
    c = np.concatenate([[0.0], np.cumsum((f[1:] + f[:-1]) / 2 * ds)])
    return c - c[len(c) // 2]
