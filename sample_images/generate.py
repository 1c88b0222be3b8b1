"""Generate the sample corpus: phone-like photos of Custody labels in field conditions.

Reproducible: the same seed writes the same files. ``python sample_images/generate.py``
writes the small committed set (2 MP JPEGs, two 12 MP) into ``sample_images/``;
``--large`` writes a bigger set into ``sample_images/large/`` (git-ignored).
Each set has a ``manifest.json``: file, distortion class, size, expected codes.
Labels are drawn by ``labels.png_label`` (the real artwork) when importable.
"""

from __future__ import annotations

import argparse
import io
import json
import random
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
HOST = "CUSTODY.NANHU.JIAXING.CN"
KINDS = "BNSRVF"
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BANDS = {"kitchen": (46, 139, 87), "recyclable": (30, 90, 180),
         "hazardous": (200, 40, 40), "other": (90, 90, 90)}
CLASSES = ["clean", "perspective", "rotation", "motion_blur", "focus_blur", "noise",
           "jpeg", "low_light", "glare", "shadow", "crumpled", "occlusion", "dirty",
           "multi", "small_12mp"]
SIZE_2MP, SIZE_12MP = (1600, 1200), (4000, 3000)


def code_text(rng: random.Random) -> str:
    """A random code of the real shape: HTTPS://HOST/T/<kind><8 digits><keyid><16 base32>."""
    ident = rng.choice(KINDS) + "".join(rng.choice("0123456789") for _ in range(8))
    tag = "".join(rng.choice(BASE32) for _ in range(16))
    return f"HTTPS://{HOST}/T/{ident}{rng.choice('ABCDEFGH')}{tag}"


KIND_NAMES = {"B": "bag", "N": "bin", "S": "booth", "R": "transfer_room", "V": "vehicle",
              "F": "facility"}


def project_label(text: str, rng: random.Random) -> Card | None:
    """The real label artwork from ``labels.png_label``, with the QR's centre and width in it."""
    try:
        import zxingcpp

        import labels
    except ImportError:
        return None
    ident = text.rsplit("/", 1)[1][:9]
    kind = KIND_NAMES[ident[0]]
    category = rng.choice(list(BANDS)) if kind in ("bag", "bin") else None
    site = rng.choice(["凤桥镇联丰村", "新丰镇竹林村"])
    data = labels.LabelData(text, ident, kind, category, site)
    card = np.asarray(Image.open(io.BytesIO(labels.png_label(data, dpi=400))).convert("RGB"))
    (found,) = zxingcpp.read_barcodes(card, formats=zxingcpp.BarcodeFormat.QRCode)
    p = found.position
    corners = np.float32([[c.x, c.y] for c in (p.top_left, p.top_right, p.bottom_right,
                                               p.bottom_left)])
    width = float(np.linalg.norm(corners[1] - corners[0])) * 39 / 33  # with a 3-module margin
    return card, corners.mean(axis=0), width


Card = tuple[np.ndarray, np.ndarray, float]


def label_card(text: str, rng: random.Random, module: int = 8) -> Card:
    """A label, the QR's centre and width in it: the project's artwork, else a drawn card."""
    real = project_label(text, rng)
    if real is not None:
        return real
    return drawn_card(text, rng, module)


def drawn_card(text: str, rng: random.Random, module: int = 8) -> Card:
    """Draw a label: category band, QR (v4, level Q), printed ID."""
    qr = segno.make(text, error="q", version=4, boost_error=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=module, border=3)
    code = Image.open(buf).convert("RGB")
    side = code.size[0]
    pad, band = module * 2, module * 7
    card = Image.new("RGB", (side + 2 * pad, side + 2 * pad + band * 2),
                     tuple(rng.randint(236, 252) for _ in range(3)))
    draw = ImageDraw.Draw(card)
    category = rng.choice(list(BANDS))
    draw.rectangle([0, 0, card.size[0], band], fill=BANDS[category])
    font = ImageFont.load_default(size=module * 4)
    draw.text((pad, module * 1.3), category.upper(), fill=(255, 255, 255), font=font)
    card.paste(code, (pad, band + pad // 2))
    ident = text.rsplit("/", 1)[1][:9]
    draw.text((pad, band + side + pad // 2), ident, fill=(20, 20, 20), font=font)
    centre = np.float32([card.size[0] / 2, band + pad // 2 + side / 2])
    return np.asarray(card), centre, float(side)


def texture(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A textured background: asphalt, plastic bag, wood, concrete or grass. RGB float."""
    kind = rng.choice(["asphalt", "bag", "wood", "concrete", "grass"])
    base = {"asphalt": (70, 70, 72), "bag": (25, 45, 30), "wood": (120, 85, 50),
            "concrete": (150, 148, 140), "grass": (60, 100, 40)}[kind]
    def noise(scale: int, amp: float) -> np.ndarray:
        small = rng.normal(0, amp, (max(2, h // scale), max(2, w // scale))).astype(np.float32)
        return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    shade = noise(200, 18) + noise(40, 8) + noise(3, 2 if kind != "bag" else 1)
    if kind == "wood":
        shade += 15 * np.sin(np.linspace(0, rng.uniform(20, 60), h))[:, None]
    if kind == "bag":
        shade += np.abs(noise(60, 30))  # wrinkle highlights on plastic
    img = np.stack([base[c] + shade * rng.uniform(0.8, 1.2) for c in range(3)], axis=2)
    return img


def mesh_warp(card: np.ndarray, rng: np.random.Generator, amp: float) -> np.ndarray:
    """Crumple or curve a card with a smooth random displacement field and fold shading."""
    h, w = card.shape[:2]
    gx = cv2.resize(rng.normal(0, amp * w, (4, 4)).astype(np.float32), (w, h), cv2.INTER_CUBIC)
    gy = cv2.resize(rng.normal(0, amp * h, (4, 4)).astype(np.float32), (w, h), cv2.INTER_CUBIC)
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    if rng.random() < 0.5:  # a curved bin or bag: cylinder-like compression at the sides
        xs = xs + (w * 0.025) * np.sin((xs / w - 0.5) * np.pi)
    out = cv2.remap(card, xs + gx, ys + gy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    slope = np.gradient(gx, axis=1) + np.gradient(gy, axis=0)  # folds facing away darken
    light = 1 + 6 * cv2.GaussianBlur(slope, (0, 0), w / 12)
    return np.clip(out * np.clip(light, 0.7, 1.15)[..., None], 0, 255)


def place(frame: np.ndarray, card: np.ndarray, centre, width: float, angle: float,
          tilt: float, rng: np.random.Generator) -> None:
    """Warp a card into the frame with rotation and perspective, in place."""
    card_h, card_w = card.shape[:2]
    scale = width / card_w
    if scale < 0.9:  # pre-shrink so the warp does not alias
        card = cv2.resize(card, None, fx=scale * 1.05, fy=scale * 1.05,
                          interpolation=cv2.INTER_AREA)
    h, w = card.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    hw, hh = width / 2, width * h / w / 2
    quad = np.float32([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]])
    quad[:, 0] *= 1 + tilt * np.sign(quad[:, 1]) * rng.choice([-1, 1])  # keystone
    quad[:, 1] *= 1 - abs(tilt) * 0.5
    quad += rng.normal(0, width * 0.01, quad.shape).astype(np.float32)
    a = np.deg2rad(angle)
    rot = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    dst = quad @ rot.T + np.float32(centre)
    m = cv2.getPerspectiveTransform(src, dst)
    size = (frame.shape[1], frame.shape[0])
    warped = cv2.warpPerspective(card.astype(np.float32), m, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), m, size, flags=cv2.INTER_LINEAR)
    frame *= 1 - mask[..., None]
    frame += warped * mask[..., None]
    return m @ np.diag([w / card_w, h / card_h, 1]).astype(np.float64)  # from unshrunk card


def paint(frame: np.ndarray, centre, radius: float, soft: float, colour, alpha: float) -> None:
    """Blend a soft-edged ellipse of ``colour`` into the frame, in place (alpha < 0 adds light)."""
    h, w = frame.shape[:2]
    x0, x1 = max(0, int(centre[0] - radius) - 1), min(w, int(centre[0] + radius) + 2)
    y0, y1 = max(0, int(centre[1] - radius) - 1), min(h, int(centre[1] + radius) + 2)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = np.ogrid[y0:y1, x0:x1]
    d = np.sqrt(((xs - centre[0]) / radius) ** 2 + ((ys - centre[1]) / (radius * 0.7)) ** 2)
    m = (np.clip((1 - d) / soft, 0, 1) * abs(alpha)).astype(np.float32)[..., None]
    roi = frame[y0:y1, x0:x1]
    if alpha < 0:
        roi += m * np.float32(colour)
    else:
        roi *= 1 - m
        roi += m * np.float32(colour)


def code_quad(m: np.ndarray, centre: np.ndarray, qr_width: float, card_w: int):
    """The QR's centre and width in the frame, through the card's homography."""
    pts = np.float32([centre, centre + [qr_width, 0]]).reshape(-1, 1, 2)
    a, b = cv2.perspectiveTransform(pts, m).reshape(-1, 2)
    return a, float(np.linalg.norm(b - a))


def photograph(cls: str, index: int, seed: int, large_frame: bool) -> tuple[bytes, dict]:
    """Render one photo of class ``cls``; return JPEG bytes and its manifest entry."""
    rs = random.Random(f"{seed}-{cls}-{index}")
    rng = np.random.default_rng(rs.getrandbits(64))
    w, h = SIZE_12MP if (large_frame or cls == "small_12mp") else SIZE_2MP
    frame = texture(rng, w, h)
    n = rs.randint(2, 4) if cls == "multi" else 1
    texts = [code_text(rs) for _ in range(n)]
    frac = {"small_12mp": rs.uniform(0.032, 0.045), "multi": rs.uniform(0.1, 0.2)}
    width = w * frac.get(cls, rs.uniform(0.15, 0.32))  # the QR's width, quiet zone included
    angle = rs.uniform(0, 360) if cls == "rotation" else rs.uniform(-12, 12)
    tilt = rs.uniform(0.3, 0.5) if cls == "perspective" else rs.uniform(0, 0.1)
    quads = []
    for i, text in enumerate(texts):
        card, qr_centre, qr_width = label_card(text, rs)
        card = card.astype(np.float32)
        if cls == "crumpled":
            card = mesh_warp(card, rng, rs.uniform(0.004, 0.007))
        if n > 1:  # a grid of up to 2 x 2 labels, each within its cell
            cols, rows = min(n, 2), (n + 1) // 2
            cell = min(0.85 * w / cols, 0.85 * h / rows / 0.6)
            width = cell * rs.uniform(0.6, 1.0) * 0.48
            col, row = i % cols, i // cols
            centre = (w * (col + 0.5) / cols + rs.uniform(-0.03, 0.03) * w,
                      h * (row + 0.5) / rows + rs.uniform(-0.03, 0.03) * h)
        else:
            centre = (w * rs.uniform(0.35, 0.65), h * rs.uniform(0.4, 0.6))
        card_width = width * card.shape[1] / qr_width  # ``width`` is the QR's, not the card's
        m = place(frame, card, centre, card_width, angle + rs.uniform(-8, 8), tilt, rng)
        quads.append(code_quad(m, qr_centre, qr_width, card.shape[1]))
    light = cv2.resize(rng.uniform(0.75, 1.1, (3, 3)).astype(np.float32), (w, h),
                       interpolation=cv2.INTER_CUBIC)
    frame *= light[..., None]
    qc, qw = quads[0]
    if cls == "glare":
        spot = qc + rng.uniform(-0.05, 0.2, 2) * qw  # the glare spares at least two finders
        paint(frame, spot, qw * rs.uniform(0.25, 0.35), 0.5, [255] * 3, -1)
    if cls == "shadow":
        edge = int(qc[0] + rs.uniform(-0.2, 0.2) * qw)
        m = np.ones((h, w), np.float32)
        m[:, :edge] = rs.uniform(0.2, 0.35)
        frame *= cv2.GaussianBlur(m, (0, 0), qw * rs.uniform(0.002, 0.03))[..., None]
    if cls == "occlusion":  # a finger over the corner without a finder pattern
        off = np.array([qw, qw]) * rs.uniform(0.3, 0.36)
        paint(frame, qc + off, qw * rs.uniform(0.26, 0.3), 0.15, [200, 150, 125], 1)
    if cls == "dirty":
        for _ in range(rs.randint(40, 70)):
            p = qc + rng.uniform(-0.5, 0.5, 2) * qw
            paint(frame, p, qw * rs.uniform(0.008, 0.03), 0.5, [60, 50, 35], 0.85)
        paint(frame, qc + rng.uniform(-0.2, 0.2, 2) * qw, qw * 0.3, 1.0, [140, 110, 70], 0.45)
    module_px = qw / 39
    frame = cv2.GaussianBlur(frame, (0, 0), 0.5)
    if cls == "focus_blur":
        frame = cv2.GaussianBlur(frame, (0, 0), module_px * rs.uniform(0.4, 0.6))
    if cls == "motion_blur":
        length = max(3, int(module_px * rs.uniform(1.0, 1.8)))
        k = np.zeros((length, length), np.float32)
        k[length // 2, :] = 1 / length
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rs.uniform(0, 180), 1)
        k = cv2.warpAffine(k, rot, (length, length))
        frame = cv2.filter2D(frame, -1, k / k.sum())
    sigma = {"noise": rs.uniform(16, 26), "low_light": 0.0}.get(cls, rs.uniform(1, 2))
    if cls == "low_light":  # a dark scene, amplified by the phone: shot noise then gain
        dark = np.clip(frame * rs.uniform(0.03, 0.06), 0.05, None)
        luma = dark.mean(axis=2, keepdims=True)
        shot = rng.poisson(luma).astype(np.float32) / luma  # the ISP keeps luma noise only
        frame = dark * shot * rs.uniform(4, 7)
    # demosaicing and denoising leave noise in grains of a pixel or two, mostly in luma
    grain = cv2.GaussianBlur(rng.normal(0, sigma * 2.2, (h, w)).astype(np.float32), (0, 0), 0.8)
    frame += grain[..., None] + rng.normal(0, sigma * 0.2, frame.shape).astype(np.float32)
    rgb = np.clip(frame, 0, 255).astype(np.uint8)
    quality = rs.randint(8, 20) if cls == "jpeg" else rs.randint(72, 86)
    img = Image.fromarray(rgb)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Xiaomi", "Redmi 12C"
    orientation = 1
    if rs.random() < 0.25:  # held in portrait: pixels stored sideways, tag says rotate back
        img, orientation = img.transpose(Image.Transpose.ROTATE_90), 6
    exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    entry = {"class": cls, "size": [w, h], "codes": sorted(texts), "orientation": orientation}
    return out.getvalue(), entry


def _job(args) -> dict:
    """Render and write one photo (a Pool worker)."""
    out_dir, cls, index, seed, large_frame = args
    data, entry = photograph(cls, index, seed, large_frame)
    name = f"{cls}_{index:03d}{'_12mp' if entry['size'][0] == 4000 else ''}.jpg"
    (Path(out_dir) / name).write_bytes(data)
    return {"file": name, **entry}


def main() -> None:
    """Write the committed set, or the large set with --large."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", action="store_true", help="write sample_images/large/")
    ap.add_argument("--per-class", type=int, help="photos per class")
    ap.add_argument("--seed", type=int, default=20261122)
    args = ap.parse_args()
    out_dir = HERE / "large" if args.large else HERE
    out_dir.mkdir(exist_ok=True)
    per_class = args.per_class or (20 if args.large else 2)
    jobs = []
    for cls in CLASSES:
        for i in range(per_class):
            # the large set shoots a third of every class at 12 MP; the small set only small_12mp
            big = (i % 3 == 2) if args.large else False
            jobs.append((str(out_dir), cls, i, args.seed + (7 if args.large else 0), big))
    with Pool() as pool:
        entries = pool.map(_job, jobs, chunksize=1)
    manifest = {"seed": args.seed, "generator": "sample_images/generate.py", "images": entries}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum((out_dir / e["file"]).stat().st_size for e in entries)
    print(f"wrote {len(entries)} photos, {total / 1e6:.1f} MB, to {out_dir}")


if __name__ == "__main__":
    main()
