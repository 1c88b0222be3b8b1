"""A phone camera in numpy: labelled surfaces seen through a lens, a sensor and an ISP.

Scene units are millimetres, sensor units pixels; light stays linear until the
tone curve. Surfaces are flat cards or cylinders (a bag, a bin, a bottle) with
the label's artwork as their texture, lit by ambient light, one directional
light (which casts the shadows) and its specular reflection on glossy film.
Each pixel's ray is intersected with the surfaces exactly (pinhole camera), so
perspective and curvature are those a phone sees, not a warp of the flat label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


def to_linear(srgb: np.ndarray) -> np.ndarray:
    """sRGB 0..255 -> linear 0..1."""
    a = srgb.astype(np.float32) / 255
    return np.where(a <= 0.04045, a / 12.92, ((a + 0.055) / 1.055) ** 2.4).astype(np.float32)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear 0..1 -> sRGB 0..255 floats."""
    a = np.clip(linear, 0, 1)
    return np.where(a <= 0.0031308, a * 12.92, 1.055 * a ** (1 / 2.4) - 0.055) * 255


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """A rotation matrix from degrees about y (yaw), x (pitch) and z (roll)."""
    y, p, r = np.deg2rad([yaw, pitch, roll])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    return ry @ rx @ rz


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cells: int) -> np.ndarray:
    """Smooth random field of unit amplitude with about ``cells`` bumps across."""
    h, w = shape
    small = rng.normal(0, 1, (max(2, cells * h // max(h, w)), max(2, cells * w // max(h, w))))
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)


@dataclass
class Surface:
    """A textured card (radius None) or cylinder (axis along the texture's v) in the scene.

    ``texture`` is linear RGB; the local frame has u right, v down, the front
    normal towards -z; camera point = R @ local + t.
    """

    texture: np.ndarray
    mm_per_px: float
    R: np.ndarray
    t: np.ndarray
    radius: float | None = None
    gloss: float = 0.0
    shininess: float = 60.0
    wrinkle: float = 0.0  # crumpled plastic: displacement amplitude in mm
    seed: int = 0
    codes: list[tuple[str, np.ndarray]] = field(default_factory=list)  # text, local corners (mm)

    @property
    def size_mm(self) -> tuple[float, float]:
        """Width and height of the texture in millimetres."""
        return self.texture.shape[1] * self.mm_per_px, self.texture.shape[0] * self.mm_per_px

    def local_to_3d(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Local surface coordinates (mm) -> camera-space points, shape (..., 3)."""
        if self.radius is None:
            pts = np.stack([u, v, np.zeros_like(u)], -1)
        else:
            th = u / self.radius
            pts = np.stack([self.radius * np.sin(th), v, self.radius * (1 - np.cos(th))], -1)
        return pts @ self.R.T + self.t

    def intersect(self, dirs: np.ndarray):
        """Rays from the camera centre -> (u, v, depth, normal, hit) per ray."""
        o = -self.R.T @ self.t
        d = dirs @ self.R  # R^T d for every row
        dx, dy, dz = d[..., 0], d[..., 1], d[..., 2]
        w, h = self.size_mm
        if self.radius is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                s = -o[2] / dz
            x, y = o[0] + s * dx, o[1] + s * dy
            u, v = x, y
            normal = np.broadcast_to(np.float32([0, 0, -1]), d.shape)
            hit = (s > 0) & (np.abs(u) < w / 2) & (np.abs(v) < h / 2)
        else:
            r = self.radius
            a = dx * dx + dz * dz
            b = 2 * (o[0] * dx + (o[2] - r) * dz)
            c = o[0] ** 2 + (o[2] - r) ** 2 - r * r
            disc = b * b - 4 * a * c
            with np.errstate(divide="ignore", invalid="ignore"):
                s = (-b - np.sqrt(np.maximum(disc, 0))) / (2 * a)
            x, y, z = o[0] + s * dx, o[1] + s * dy, o[2] + s * dz
            th = np.arctan2(x, r - z)
            u, v = r * th, y
            normal = np.stack([np.sin(th), np.zeros_like(th), -np.cos(th)], -1)
            hit = (disc > 0) & (s > 0) & (np.abs(th) < np.pi / 2 * 0.98)
            hit &= (np.abs(u) < w / 2) & (np.abs(v) < h / 2)
        depth = s * np.linalg.norm(dirs, axis=-1)
        return u, v, depth, normal @ self.R.T, hit


@dataclass
class Light:
    """Ambient and one directional light (towards the light, camera space), and a shadow."""

    ambient: float = 0.35
    direct: float = 0.75
    direction: np.ndarray = field(default_factory=lambda: np.float32([0.3, -0.6, -0.75]))
    shadow: np.ndarray | None = None  # per image pixel, 0 = direct light blocked


class Camera:
    """A pinhole camera of ``size`` pixels with focal length ``f`` (pixels)."""

    def __init__(self, size: tuple[int, int], f: float) -> None:
        self.w, self.h = size
        self.f = f

    def project(self, pts: np.ndarray) -> np.ndarray:
        """Camera-space points -> pixel coordinates."""
        return pts[..., :2] / pts[..., 2:3] * self.f + np.float32([self.w / 2, self.h / 2])

    def rays(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """Ray directions through pixel centres of a box, shape (h, w, 3)."""
        xs, ys = np.meshgrid(np.arange(x0, x1, dtype=np.float32) + 0.5,
                             np.arange(y0, y1, dtype=np.float32) + 0.5)
        return np.stack([(xs - self.w / 2) / self.f, (ys - self.h / 2) / self.f,
                         np.ones_like(xs)], -1)

    def render(self, background: np.ndarray, surfaces: list[Surface], light: Light) -> np.ndarray:
        """Linear radiance of the scene: background (linear albedo) and surfaces, lit."""
        shadow = light.shadow if light.shadow is not None else 1.0
        ldir = light.direction / np.linalg.norm(light.direction)
        out = background * (light.ambient + light.direct * 0.6 * shadow)[..., None] \
            if isinstance(shadow, np.ndarray) else background * (light.ambient + light.direct * 0.6)
        out = out.astype(np.float32)
        zbuf = np.full((self.h, self.w), np.inf, np.float32)
        for surf in surfaces:
            self._draw(out, zbuf, surf, light, ldir)
        return out

    def _draw(self, out, zbuf, surf: Surface, light: Light, ldir) -> None:
        """Ray-trace one surface into ``out`` where it is nearer than what is there."""
        w, h = surf.size_mm
        gu, gv = np.meshgrid(np.linspace(-w / 2, w / 2, 17), np.linspace(-h / 2, h / 2, 17))
        pts = surf.local_to_3d(gu, gv)
        if (pts[..., 2] <= 1).any():
            return
        p = self.project(pts).reshape(-1, 2)
        x0, y0 = np.floor(p.min(0)).astype(int) - 2
        x1, y1 = np.ceil(p.max(0)).astype(int) + 2
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(self.w, x1), min(self.h, y1)
        if x0 >= x1 or y0 >= y1:
            return
        dirs = self.rays(x0, y0, x1, y1)
        u, v, depth, normal, hit = surf.intersect(dirs)
        if surf.wrinkle:
            u, v, normal = _wrinkle(surf, u, v, normal)
        tex = _texture_at(surf, depth, self.f)
        scale = surf.mm_per_px * surf.texture.shape[1] / tex.shape[1]
        mx = (u / scale + tex.shape[1] / 2 - 0.5).astype(np.float32)
        my = (v / scale + tex.shape[0] / 2 - 0.5).astype(np.float32)
        albedo = cv2.remap(tex, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        view = -dirs / np.linalg.norm(dirs, axis=-1, keepdims=True)
        n = normal * np.where((normal * view).sum(-1, keepdims=True) < 0, -1, 1)
        lambert = np.clip((n * ldir).sum(-1), 0, None)
        shadow = light.shadow[y0:y1, x0:x1] if light.shadow is not None else 1.0
        shade = light.ambient + light.direct * lambert * shadow
        rgb = albedo * shade[..., None]
        if surf.gloss:
            half = ldir + view
            half /= np.linalg.norm(half, axis=-1, keepdims=True)
            spec = np.clip((n * half).sum(-1), 0, None) ** surf.shininess
            rgb += (surf.gloss * light.direct * spec * shadow)[..., None]
        roi = zbuf[y0:y1, x0:x1]
        mask = hit & (depth < roi)
        roi[mask] = depth[mask]
        out[y0:y1, x0:x1][mask] = rgb[mask]

    def corners_px(self, surf: Surface, local: np.ndarray) -> np.ndarray:
        """Where local surface points (mm) land in the image."""
        return self.project(surf.local_to_3d(local[:, 0], local[:, 1]))


def _texture_at(surf: Surface, depth: np.ndarray, f: float) -> np.ndarray:
    """The texture reduced to about two texels per image pixel, so sampling does not alias."""
    near = float(np.nanmin(np.where(np.isfinite(depth), depth, np.inf)))
    mm_per_image_px = near / f
    factor = min(1.0, surf.mm_per_px * 2 / max(mm_per_image_px, 1e-6))
    if factor > 0.95:
        return surf.texture
    th, tw = surf.texture.shape[:2]
    size = (max(2, round(tw * factor)), max(2, round(th * factor)))
    return cv2.resize(surf.texture, size, interpolation=cv2.INTER_AREA)


def _wrinkle(surf: Surface, u, v, normal):
    """Crumpled film: shift where each ray lands and tilt the normal along the folds."""
    rng = np.random.default_rng(surf.seed)
    w, h = surf.size_mm
    grid = (64, max(8, int(64 * h / w)))
    hx = smooth_noise(rng, (grid[1], grid[0]), 7) * surf.wrinkle
    gy, gx = np.gradient(hx)
    mx = ((u + w / 2) / w * (grid[0] - 1)).astype(np.float32)
    my = ((v + h / 2) / h * (grid[1] - 1)).astype(np.float32)
    sample = lambda a: cv2.remap(a.astype(np.float32), mx, my, cv2.INTER_LINEAR,  # noqa: E731
                                 borderMode=cv2.BORDER_REPLICATE)
    per_mm = (grid[0] - 1) / w
    du, dv = sample(gx) * per_mm, sample(gy) * per_mm  # slopes of the film
    u2, v2 = u + sample(hx) * du, v + sample(hx) * dv
    tilt = np.stack([du, dv, np.zeros_like(du)], -1) @ surf.R.T
    n = normal + tilt * 1.5
    return u2, v2, n / np.linalg.norm(n, axis=-1, keepdims=True)


def disc_kernel(radius: float) -> np.ndarray:
    """A defocus point-spread function: a uniform disc of ``radius`` pixels."""
    r = max(radius, 0.5)
    n = int(np.ceil(r)) * 2 + 1
    ys, xs = np.mgrid[:n, :n] - n // 2
    k = np.clip(r + 0.5 - np.sqrt(xs ** 2 + ys ** 2), 0, 1).astype(np.float32)
    return k / k.sum()


def shake_kernel(rng: np.random.Generator, length: float) -> np.ndarray:
    """Hand-shake motion blur: a curved random path of about ``length`` pixels."""
    n = int(np.ceil(length)) * 2 + 3
    k = np.zeros((n, n), np.float32)
    angle = rng.uniform(0, np.pi)
    turn = rng.normal(0, 0.8)
    pts, pos = [], np.zeros(2)
    steps = max(8, int(length * 4))
    for i in range(steps):
        a = angle + turn * i / steps
        pos = pos + np.array([np.cos(a), np.sin(a)]) * length / steps
        pts.append(pos.copy())
    pts = np.array(pts) - np.mean(pts, 0) + n // 2
    for x, y in pts:
        xi, yi = int(x), int(y)
        fx, fy = x - xi, y - yi
        for dx, dy, wt in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)),
                           (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
            if 0 <= yi + dy < n and 0 <= xi + dx < n:
                k[yi + dy, xi + dx] += wt
    return k / k.sum()


@dataclass
class Exposure:
    """Lens, sensor and ISP settings for one shot."""

    defocus: float = 0.6  # disc radius in pixels
    shake: float = 0.0  # motion path length in pixels
    vignette: float = 0.3
    ev: float = 0.0  # exposure bias against the meter: -4 is a very dark shot
    full_well: float = 6000.0  # electrons at saturation per output pixel
    read_noise: float = 3.0
    max_gain: float = 8.0  # the most the ISP brightens a dark shot
    sharpen: float = 0.6
    quality: int = 85


def expose(radiance: np.ndarray, ex: Exposure, rng: np.random.Generator) -> np.ndarray:
    """Linear radiance -> 8-bit sRGB as a phone's camera pipeline makes it."""
    img = radiance
    if ex.defocus > 0.3:
        img = cv2.filter2D(img, -1, disc_kernel(ex.defocus))
    if ex.shake > 0.5:
        img = cv2.filter2D(img, -1, shake_kernel(rng, ex.shake))
    h, w = img.shape[:2]
    ys, xs = np.ogrid[:h, :w]
    r2 = ((xs - w / 2) ** 2 + (ys - h / 2) ** 2) / ((w / 2) ** 2 + (h / 2) ** 2)
    img = img * (1 - ex.vignette * r2)[..., None].astype(np.float32)
    luma = img.mean(-1)
    # the meter: centre-weighted average (where the code is aimed), pulled down by highlights
    centre = luma[h // 3: 2 * h // 3, w // 3: 2 * w // 3]
    key = 0.5 * float(np.mean(centre)) + 0.3 * float(np.mean(luma)) \
        + 0.2 * float(np.percentile(luma, 99.5))
    scale = 0.2 / max(key, 1e-4) * 2.0 ** ex.ev
    electrons = img * scale * ex.full_well
    electrons = electrons + np.sqrt(np.maximum(electrons, 0)) * rng.normal(
        0, 1, electrons.shape).astype(np.float32)
    electrons += rng.normal(0, ex.read_noise, electrons.shape).astype(np.float32)
    signal = np.clip(electrons / ex.full_well, 0, 1)  # saturation clips glare and lamps
    median = float(np.median(signal.mean(-1)))
    gain = float(np.clip(0.18 / max(median, 1e-4), 1.0, ex.max_gain))
    signal = np.clip(signal * gain, 0, 1)
    out = to_srgb(signal).astype(np.float32)
    noise = ex.read_noise * gain / ex.full_well * 255 * 20
    if noise > 2:  # the ISP's denoiser smears fine detail in dark, amplified shots
        out = cv2.GaussianBlur(out, (0, 0), min(1.6, 0.4 + noise / 40))
    if ex.sharpen:
        blur = cv2.GaussianBlur(out, (0, 0), 1.2)
        out = out + ex.sharpen * (out - blur)
    return np.clip(out, 0, 255).astype(np.uint8)
