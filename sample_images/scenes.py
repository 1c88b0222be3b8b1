"""Scenes a collector's phone sees: labels on bags, bins and sheets, per condition class.

Each class draws its parameters from the ranges a phone produces in the field
(distance 13-38 cm for a deliberate shot, up to 1.1 m for a far code; focus
misses of up to about a module; hand shake of up to 1.6 modules; exposure
biases down to -6 EV next to lamps). ``shoot`` renders one photo and returns
the 8-bit RGB frame with the codes it must yield.
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import severity as severe
from bags import BentSurface, bag_profile
from camera import Camera, Exposure, Light, Surface, expose, rotation, smooth_noise, to_linear
from PIL import Image

HOST = "CUSTODY.NANHU.JIAXING.CN"
KINDS = {"B": "bag", "N": "bin", "S": "booth", "R": "transfer_room", "V": "vehicle",
         "F": "facility"}
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LABEL_DPI = 600
CLASSES = ["nominal", "blurred", "motion", "perspective", "rotations", "curved", "crumpled",
           "glare", "dark", "shadows", "damaged", "lots", "small", "none"]
FULL, SHRUNK = (4000, 3000), (2048, 1536)  # a 12 MP capture; what phone.js uploads
FOCAL_12MP = 2900.0  # pixels: a phone's main camera, about 26 mm equivalent
BAG_COLOURS = [(20, 24, 22), (30, 80, 40), (40, 60, 120), (150, 150, 150), (175, 175, 168)]


def code_text(rs: random.Random) -> str:
    """A code of the real shape: HTTPS://HOST/T/<kind><8 digits><key id><16 base32>."""
    ident = rs.choice(list(KINDS)) + "".join(rs.choice("0123456789") for _ in range(8))
    tag = "".join(rs.choice(BASE32) for _ in range(16))
    return f"HTTPS://{HOST}/T/{ident}{rs.choice('ABCDEFGH')}{tag}"


def label_texture(text: str, rs: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """The project's label artwork (sRGB uint8) and its QR corners in label pixels."""
    import zxingcpp

    import labels

    ident = text.rsplit("/", 1)[1][:9]
    kind = KINDS[ident[0]]
    category = rs.choice(["kitchen", "recyclable", "hazardous", "other"]) \
        if kind in ("bag", "bin") else None
    site = rs.choice(["凤桥镇联丰村", "新丰镇竹林村"])
    data = labels.LabelData(text, ident, kind, category, site)
    card = np.asarray(Image.open(io.BytesIO(labels.png_label(data, dpi=LABEL_DPI))).convert("RGB"))
    (found,) = zxingcpp.read_barcodes(card, formats=zxingcpp.BarcodeFormat.QRCode)
    p = found.position
    corners = np.float32([[c.x, c.y] for c in (p.top_left, p.top_right, p.bottom_right,
                                               p.bottom_left)])
    return card.copy(), corners


def damage(card: np.ndarray, qr: np.ndarray, rng: np.random.Generator, rs: random.Random) -> None:
    """Print damage in place: fading, scratches, a torn corner, dirt and a water stain."""
    h, w = card.shape[:2]
    side = float(np.linalg.norm(qr[1] - qr[0]))
    x0, y0 = qr.min(0)
    if rs.random() < 0.6:  # faded thermal print
        fade = rs.uniform(0.2, 0.5)
        card[:] = (card * (1 - fade) + 235 * fade).astype(np.uint8)
    for _ in range(rs.randint(1, 5)):  # scratches through the ink
        a = rng.uniform([x0, y0], [x0 + side, y0 + side])
        b = a + rng.normal(0, side * 0.35, 2)
        cv2.line(card, tuple(map(int, a)), tuple(map(int, b)), (235, 235, 230),
                 max(1, int(side / 33 * rs.uniform(0.2, 0.7))))
    if rs.random() < 0.5:  # a torn or peeled corner away from the three finders
        c = qr[2] + rng.uniform(-0.05, 0.05, 2) * side
        r = side * rs.uniform(0.12, 0.24)
        cv2.circle(card, tuple(map(int, c)), int(r), (40, 40, 40), -1)
    for _ in range(rs.randint(5, 30)):  # dirt specks
        c = rng.uniform([x0, y0], [x0 + side, y0 + side])
        cv2.circle(card, tuple(map(int, c)), int(side / 33 * rs.uniform(0.3, 1.2)),
                   (70, 55, 40), -1)
    if rs.random() < 0.5:  # a water or grease stain darkening the paper
        stain = np.clip(smooth_noise(rng, (h, w), 4), 0, None)[..., None]
        card[:] = np.clip(card * (1 - 0.35 * np.clip(stain, 0, 1)), 0, 255).astype(np.uint8)


def background(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Ground, wall or cart behind the labels, as linear albedo."""
    base = np.float32(rng.choice([(70, 70, 72), (120, 85, 50), (150, 148, 140), (60, 100, 40),
                                  (180, 180, 175)]))
    shade = 18 * smooth_noise(rng, (h, w), 8) + 6 * smooth_noise(rng, (h, w), 60)
    img = base[None, None, :] + shade[..., None]
    return to_linear(np.clip(img, 0, 255))


def _pose(rs: random.Random, d: float, tilt: float, roll: float, off=(0.0, 0.0)):
    """A rotation and a translation for a surface ``d`` mm away, tilted and rolled."""
    a = rs.uniform(0, 2 * np.pi)
    r = rotation(tilt * np.cos(a), tilt * np.sin(a), roll)
    return r, np.array([off[0], off[1], d])


def mounted(text: str, rs: random.Random, rng: np.random.Generator, R, t, radius, cls: str,
            finish: dict | None = None, bend=None) -> tuple[list[Surface], tuple[str, np.ndarray]]:
    """A label stuck on a bag (or bin) surface: the bag and the label, same shape and pose.

    ``finish`` overrides the film's gloss, shininess and wrinkles (a severity's);
    ``bend`` (u, curvature) bends both along a bag's varying curvature.
    """
    card, qr = label_texture(text, rs)
    if cls == "damaged":
        damage(card, qr, rng, rs)
    mm = 25.4 / LABEL_DPI
    h, w = card.shape[:2]
    local = (qr - np.float32([w / 2, h / 2])) * mm
    glare = cls == "glare"  # laminated film: a sharp mirror lobe; else matte or satin paper
    gloss = rs.uniform(0.6, 1.6) if glare else rs.choice([0.0, 0.0, rs.uniform(0.1, 0.4)])
    film = {"gloss": gloss, "shininess": rs.uniform(300, 1500) if glare else rs.uniform(20, 80),
            "seed": rs.getrandbits(32), "wrinkle": rs.uniform(0.5, 1.4) if cls == "crumpled"
            else 0.0, **(finish or {})}
    kind, shape = (Surface, {}) if bend is None else (BentSurface, {"kappa_u": bend[0],
                                                                   "kappa": bend[1]})
    label = kind(to_linear(card), mm, R, t, radius, **film, **shape)
    colour = np.float32(rs.choice(BAG_COLOURS)) + rng.normal(0, 8, 3)
    bag_px = (64, 64)
    bag_tex = colour[None, None, :] + 10 * smooth_noise(rng, bag_px, 6)[..., None]
    bag_mm = (2.5 if cls == "lots" else 4) * max(w, h) * mm / bag_px[0]
    behind = t + R @ np.array([0, 0, 0.6])
    bag = kind(to_linear(np.clip(bag_tex, 0, 255)), bag_mm, R, behind, radius,
               gloss=rs.uniform(0.05, 0.3), shininess=rs.uniform(10, 40),
               wrinkle=label.wrinkle * 3, seed=label.seed, **shape)
    label.codes.append((text, local))
    return [bag, label], (text, local)


def scene(cls: str, rs: random.Random, rng: np.random.Generator, frame: tuple[int, int],
          texts: list[str] | None = None, severity: float | None = None):
    """Build the camera, surfaces, light and exposure for one photo of class ``cls``.

    ``severity`` (0-1, classes in ``severity.SEVERE``) sets how hard the photo is;
    the last item returned is the lamps' brightness factor.
    """
    w, h = frame
    cam = Camera(frame, FOCAL_12MP * w / FULL[0])
    module_mm = 24.0 / 33  # the label's QR: 24 mm, 33 modules
    n = len(texts) if texts else rs.randint(6, 14) if cls == "lots" else 1
    d = {"small": rs.uniform(550, 1100), "lots": rs.uniform(450, 750),
         "perspective": rs.uniform(180, 380)}.get(cls, rs.uniform(130, 380))
    tilt = rs.uniform(40, 62) if cls == "perspective" else rs.uniform(0, 22)
    roll = rs.uniform(0, 360) if cls == "rotations" else rs.uniform(-15, 15)
    rv = random.Random(rs.random()) if severity is not None else None
    if rv:
        n, d, tilt = severe.geometry(cls, severity, n, d, tilt, rv, bool(texts), cam.f)
    surfaces = []
    cols = int(np.ceil(np.sqrt(n * w / h)))
    rows = int(np.ceil(n / cols))
    span = d * np.float32([w, h]) / cam.f * 0.8  # the field of view at that distance, in mm
    for i in range(n):
        if n > 1:
            cx, cy = (i % cols + 0.5) / cols - 0.5, (i // cols + 0.5) / rows - 0.5
            off = (cx * span[0] + rs.uniform(-8, 8), cy * span[1] + rs.uniform(-8, 8))
        else:
            off = tuple(rng.uniform(-0.25, 0.25, 2) * span)
        radius = None
        if cls == "curved":
            radius = rs.uniform(25, 80)
        elif cls in ("crumpled", "nominal", "glare", "lots") or rs.random() < 0.4:
            radius = rs.uniform(120, 400) if rs.random() < 0.7 else None
        R, t = _pose(rs, d + rs.uniform(-40, 40) * (n > 1), tilt, roll + rs.uniform(-10, 10),
                     off)
        if radius is not None:  # the axis of a bag or bottle stands roughly upright
            R = R @ rotation(0, 0, rs.uniform(-20, 20) - roll)
        text = texts[i] if texts else code_text(rs)
        finish, bend = {}, None
        if rv:
            finish = severe.label_finish(cls, severity)
            bent = severe.bend_severity(cls, severity)
            if bent is not None:
                bend = bag_profile(bent, np.random.default_rng(rv.getrandbits(64)))
                radius = None
        parts, _ = mounted(text, rs, rng, R, t, radius, cls, finish, bend)
        surfaces += parts[:1] if cls == "none" else parts  # none: a bag with no label
    light = Light(ambient=rs.uniform(0.25, 0.5), direct=rs.uniform(0.5, 1.0),
                  direction=np.float32([rs.uniform(-0.6, 0.6), rs.uniform(-0.9, -0.2),
                                        -rs.uniform(0.4, 1.0)]))
    ex = Exposure(defocus=rs.uniform(0.3, 0.9), shake=rs.uniform(0, 1.2), ev=rs.uniform(-0.5, 0.4),
                  full_well=6000 * (4 if w == SHRUNK[0] else 1), vignette=rs.uniform(0.1, 0.4),
                  sharpen=rs.uniform(0.3, 0.9), quality=rs.randint(80, 92))
    module_px = cam.f * module_mm / d
    lamp = severe.exposure(cls, severity, ex, module_px) if rv else 1.0
    if cls == "blurred" and not rv:
        ex.defocus = 0.5 + module_px * rs.uniform(0.35, 0.9)
    if cls == "motion" and not rv:
        ex.shake = module_px * rs.uniform(0.5, 1.6)
    if cls == "glare":  # the light sits near the mirror direction of the label
        label = surfaces[1]
        centre = label.t / np.linalg.norm(label.t)
        normal = label.R @ np.float32([0, 0, -1])
        mirror = centre - 2 * np.dot(centre, normal) * normal
        light.direction = (mirror + rng.normal(0, rs.uniform(0.01, 0.08), 3)).astype(np.float32)
        light.direct = rs.uniform(0.5, 1.0)
    if cls == "shadows":
        light.ambient, light.direct = rs.uniform(0.08, 0.2), rs.uniform(1.0, 1.6)
        light.shadow = cast_shadow(rs, w, h, cam.project(surfaces[1].t[None])[0])
    if cls == "dark" and not rv:
        ex.ev = rs.uniform(-6.0, -3.5)
        ex.max_gain = rs.uniform(2, 6)
    return cam, surfaces, light, ex, lamp


def cast_shadow(rs: random.Random, w: int, h: int, centre: np.ndarray) -> np.ndarray:
    """A soft-edged cast shadow whose edge crosses near ``centre`` (0 shadowed, 1 lit)."""
    a = rs.uniform(0, np.pi)
    ys, xs = np.mgrid[:h, :w].astype(np.float32)
    dist = (xs - centre[0]) * np.cos(a) + (ys - centre[1]) * np.sin(a) + rs.uniform(-60, 60) \
        * w / 2048
    soft = rs.uniform(1, 40) * w / 2048
    return np.clip(0.5 + dist / (2 * soft), 0, 1).astype(np.float32)


def lamps(radiance: np.ndarray, rs: random.Random, rng: np.random.Generator,
          strength: float = 1.0) -> None:
    """Bright spots in the frame (street lamps, a torch, the sun off metal), in place."""
    h, w = radiance.shape[:2]
    for _ in range(rs.randint(1, 3)):
        c = (int(rng.uniform(0.05, 0.95) * w), int(rng.uniform(0.05, 0.95) * h))
        spot = np.zeros((h, w), np.float32)
        cv2.circle(spot, c, int(rs.uniform(0.004, 0.02) * w), 1.0, -1)
        glow = cv2.GaussianBlur(spot, (0, 0), w * 0.02)
        radiance += (spot * rs.uniform(30, 120) + glow * rs.uniform(2, 10))[..., None] * strength


def shoot(cls: str, rs: random.Random, frame: tuple[int, int], texts: list[str] | None = None,
          severity: float | None = None) -> tuple[np.ndarray, list[str], int]:
    """Render one photo: 8-bit RGB, the codes wholly in the frame, the camera's JPEG quality.

    ``texts`` are the codes to put on labels (random ones by default); ``severity``
    as in ``scene``.
    """
    rng = np.random.default_rng(rs.getrandbits(64))
    w, h = frame
    for _ in range(20):
        cam, surfaces, light, ex, lamp = scene(cls, rs, rng, frame, texts, severity)
        texts = []
        inside = True
        for surf in surfaces:
            for text, local in surf.codes:
                px = cam.corners_px(surf, local)
                if (px < 4).any() or (px[:, 0] > w - 4).any() or (px[:, 1] > h - 4).any():
                    inside = False
                texts.append(text)
        if inside:
            break
    radiance = cam.render(background(rng, w, h), surfaces, light)
    if cls == "dark":
        lamps(radiance, rs, rng, lamp)
    return expose(radiance, ex, rng), sorted(texts), ex.quality
